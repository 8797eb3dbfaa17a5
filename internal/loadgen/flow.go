package loadgen

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
)

// Credentials are what the scenarios sign in and authenticate with; `seed`
// writes them as JSON, and for another provider they are written by hand.
type Credentials struct {
	Users []UserCredentials `json:"users"`
	// Public is a public client (PKCE, no secret) allowed the redirect URI
	// and the scopes of the code flow, offline_access included.
	Public PublicClient `json:"public_client"`
	// Service is a confidential client allowed client credentials and
	// introspection.
	Service ServiceClient `json:"service_client"`
}

// UserCredentials are one user's login.
type UserCredentials struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// PublicClient is a client of the code flow.
type PublicClient struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret,omitempty"` // empty for public clients
	RedirectURI  string `json:"redirect_uri"`
	Scope        string `json:"scope"` // e.g. "openid profile email offline_access"
}

// ServiceClient is a client of the client credentials grant.
type ServiceClient struct {
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	Scope        string `json:"scope,omitempty"`
}

// Target is the provider under load.
type Target struct {
	Discovery Discovery
	Creds     Credentials
	// Transport carries every request; share one so that the connection
	// count is the concurrency.
	Transport http.RoundTripper
	// ResourceURL is a protected resource that accepts the provider's
	// access tokens (the resource scenario).
	ResourceURL string
}

// client returns an HTTP client on the target's transport that does not
// follow redirects (the flow inspects each), with jar when not nil.
func (t *Target) client(jar http.CookieJar) *http.Client {
	return &http.Client{
		Transport:     t.Transport,
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// browser is a virtual user: one user's credentials and cookie jar.
type browser struct {
	t      *Target
	http   *http.Client
	user   UserCredentials
	logins int // password forms submitted
}

func newBrowser(t *Target, user UserCredentials) *browser {
	jar, _ := cookiejar.New(nil) // never fails without options
	return &browser{t: t, http: t.client(jar), user: user}
}

// maxSteps bounds the pages of one authorization: authorize, login,
// consent and a few redirects between them.
const maxSteps = 10

// codeFlow runs one authorization code flow with PKCE S256, state and
// nonce (RFC 6749 §4.1, RFC 7636, OIDC Core §3.1.2): it opens the
// authorization endpoint, signs in and consents when asked, takes the code
// from the redirect to the client, and redeems it, checking the ID token's
// nonce.
func (b *browser) codeFlow(ctx context.Context, scope string) (TokenResponse, error) {
	c := b.t.Creds.Public
	verifier, state, nonce := randomValue(), randomValue(), randomValue()
	q := url.Values{
		"response_type": {"code"}, "client_id": {c.ClientID}, "redirect_uri": {c.RedirectURI},
		"scope": {scope}, "state": {state}, "nonce": {nonce},
		"code_challenge": {s256(verifier)}, "code_challenge_method": {"S256"},
	}
	u := b.t.Discovery.AuthorizationEndpoint
	if strings.Contains(u, "?") {
		u += "&" + q.Encode()
	} else {
		u += "?" + q.Encode()
	}
	code, err := b.authorize(ctx, u, c.RedirectURI, state)
	if err != nil {
		return TokenResponse{}, err
	}
	tr, err := postToken(ctx, b.http, b.t.Discovery.TokenEndpoint, c.ClientID, c.ClientSecret, url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {c.RedirectURI}, "code_verifier": {verifier},
	})
	if err != nil {
		return tr, err
	}
	if strings.Contains(" "+scope+" ", " openid ") {
		if tr.IDToken == "" {
			return tr, failf("no_id_token", "code exchange without id_token")
		}
		if got, err := jwtClaim(tr.IDToken, "nonce"); err != nil || got != nonce {
			return tr, failf("nonce_mismatch", "ID token nonce does not match (%v)", err)
		}
	}
	return tr, nil
}

// authorize walks from the authorization URL to the redirect to
// redirectURI and returns the code.
func (b *browser) authorize(ctx context.Context, start, redirectURI, state string) (string, error) {
	method, target, body := http.MethodGet, start, ""
	for range maxSteps {
		resp, err := b.send(ctx, method, target, body)
		if err != nil {
			return "", err
		}
		page, readErr := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		if readErr != nil {
			return "", readErr
		}
		base := resp.Request.URL
		switch {
		case resp.StatusCode >= 300 && resp.StatusCode < 400:
			loc, err := base.Parse(resp.Header.Get("Location"))
			if err != nil {
				return "", failf("bad_redirect", "Location: %v", err)
			}
			if sameEndpoint(loc, redirectURI) {
				return callbackCode(loc.Query(), state)
			}
			method, target, body = http.MethodGet, loc.String(), ""
		case resp.StatusCode == http.StatusOK:
			forms, err := ParseForms(strings.NewReader(string(page)), base)
			if err != nil {
				return "", failf("bad_html", "%v", err)
			}
			f, ok := FillLogin(forms, b.user.Username, b.user.Password)
			if ok {
				b.logins++
			} else if f, ok = FindConsent(forms); !ok {
				return "", failf("unexpected_page", "%s: no login or consent form", base.Path)
			}
			method, target, body = f.Method, f.Action, f.Fields.Encode()
			if method == http.MethodGet {
				target, body = withQuery(target, body), ""
			}
		default:
			return "", failf(fmt.Sprintf("http_%d", resp.StatusCode), "%s %s: %s", method, base.Path, excerpt(page))
		}
	}
	return "", failf("too_many_steps", "no redirect to the client after %d pages", maxSteps)
}

func (b *browser) send(ctx context.Context, method, target, body string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, target, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return b.http.Do(req)
}

// callbackCode checks the authorization response (RFC 6749 §4.1.2) and
// returns its code.
func callbackCode(q url.Values, state string) (string, error) {
	if e := q.Get("error"); e != "" {
		return "", failf("authz_"+e, "authorization error %s: %s", e, q.Get("error_description"))
	}
	if q.Get("state") != state {
		return "", failf("state_mismatch", "the redirect's state is not the request's")
	}
	code := q.Get("code")
	if code == "" {
		return "", failf("no_code", "redirect without code")
	}
	return code, nil
}

// sameEndpoint reports whether u, ignoring its query, is redirectURI.
func sameEndpoint(u *url.URL, redirectURI string) bool {
	r, err := url.Parse(redirectURI)
	return err == nil && u.Scheme == r.Scheme && u.Host == r.Host && u.Path == r.Path
}

func withQuery(target, query string) string {
	u, err := url.Parse(target)
	if err != nil {
		return target
	}
	u.RawQuery = query
	return u.String()
}
