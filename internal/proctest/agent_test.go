package proctest

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/html"
)

// agent is one user's browser plus the app it signs in to: it keeps its
// session cookie, and never fails a test itself — under a crash test every
// request may fail, and the caller records what happened.
type agent struct {
	issuer       string // where the browser goes
	clientID     string
	clientSecret string
	redirectURI  string
	email        string
	password     string
	http         *http.Client
}

func newAgent(issuer, clientID, clientSecret, redirectURI, email, password string) *agent {
	jar, _ := cookiejar.New(nil)
	return &agent{issuer: issuer, clientID: clientID, clientSecret: clientSecret, redirectURI: redirectURI,
		email: email, password: password,
		http: &http.Client{Jar: jar, Timeout: 20 * time.Second, CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if !strings.HasPrefix(req.URL.String(), issuer+"/") {
				return http.ErrUseLastResponse // the redirect to the app: stop
			}
			return nil
		}}}
}

// authorization is a code and what the app needs to redeem it.
type authorization struct {
	code     string
	verifier string
	backend  string // the replica that issued the code (X-Backend)
}

// authorize runs the authorization code flow with PKCE S256, state and
// nonce up to the redirect to the app, signing in and approving consent
// when the pages ask for it.
func (a *agent) authorize(scope string) (authorization, error) {
	verifier := rand.Text() + rand.Text()
	sum := sha256.Sum256([]byte(verifier))
	state := rand.Text()
	q := url.Values{
		"response_type": {"code"}, "client_id": {a.clientID}, "redirect_uri": {a.redirectURI},
		"scope": {scope}, "state": {state}, "nonce": {rand.Text()},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
	}
	resp, err := a.http.Get(a.issuer + "/authorize?" + q.Encode())
	for range 4 {
		if err != nil {
			return authorization{}, err
		}
		body, rerr := io.ReadAll(resp.Body)
		resp.Body.Close()
		if rerr != nil {
			return authorization{}, rerr
		}
		if resp.StatusCode >= 300 && resp.StatusCode < 400 {
			loc, lerr := resp.Location()
			if lerr != nil {
				return authorization{}, lerr
			}
			got := loc.Query()
			if got.Get("state") != state || got.Get("code") == "" {
				return authorization{}, fmt.Errorf("redirect without code or with the wrong state: %s", loc.Redacted())
			}
			return authorization{code: got.Get("code"), verifier: verifier, backend: resp.Header.Get("X-Backend")}, nil
		}
		if resp.StatusCode != http.StatusOK {
			return authorization{}, &statusError{resp.StatusCode}
		}
		switch {
		case hasForm(body, "/login"):
			f, ferr := formValues(body, "/login")
			if ferr != nil {
				return authorization{}, ferr
			}
			f.Set("email", a.email)
			f.Set("password", a.password)
			resp, err = a.post("/login", f)
		case hasForm(body, "/consent"):
			f, ferr := formValues(body, "/consent")
			if ferr != nil {
				return authorization{}, ferr
			}
			f.Set("decision", "approve")
			resp, err = a.post("/consent", f)
		default:
			return authorization{}, fmt.Errorf("unexpected page: %.300s", body)
		}
	}
	if err == nil {
		resp.Body.Close()
	}
	return authorization{}, errors.New("authorization did not end in a redirect")
}

// post submits a form the way a browser posts one of the server's pages.
func (a *agent) post(path string, f url.Values) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodPost, a.issuer+path, strings.NewReader(f.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "null")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return a.http.Do(req)
}

// statusError is an HTTP status the agent did not expect.
type statusError struct{ status int }

func (e *statusError) Error() string { return fmt.Sprintf("HTTP status %d", e.status) }

// tokens is a token response (RFC 6749 §5.1), or an error (§5.2).
type tokens struct {
	Status       int    `json:"-"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	IDToken      string `json:"id_token"`
	Error        string `json:"error"`
}

// backchannel posts a form with the client's credentials to base+path and
// decodes the JSON answer into v. Transport failures are returned as
// errors; any HTTP status is the caller's to judge.
func (a *agent) backchannel(base, path string, f url.Values, v any) (int, error) {
	req, err := http.NewRequest(http.MethodPost, base+path, strings.NewReader(f.Encode()))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(a.clientID), url.QueryEscape(a.clientSecret))
	resp, err := a.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode < 500 && len(body) > 0 {
		if err := json.Unmarshal(body, v); err != nil {
			return resp.StatusCode, fmt.Errorf("decode %s answer (%d): %w", path, resp.StatusCode, err)
		}
	}
	return resp.StatusCode, nil
}

// exchange redeems a code at base's token endpoint.
func (a *agent) exchange(base string, az authorization) (tokens, error) {
	var t tokens
	status, err := a.backchannel(base, "/token", url.Values{"grant_type": {"authorization_code"}, "code": {az.code},
		"redirect_uri": {a.redirectURI}, "code_verifier": {az.verifier}}, &t)
	t.Status = status
	return t, err
}

// refresh rotates a refresh token at base's token endpoint.
func (a *agent) refresh(base, rt string) (tokens, error) {
	var t tokens
	status, err := a.backchannel(base, "/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}, &t)
	t.Status = status
	return t, err
}

// active asks base's introspection endpoint about a token (RFC 7662).
func (a *agent) active(base, token string) (bool, error) {
	var r struct {
		Active bool `json:"active"`
	}
	status, err := a.backchannel(base, "/introspect", url.Values{"token": {token}}, &r)
	if err == nil && status != http.StatusOK {
		err = &statusError{status}
	}
	return r.Active, err
}

// revoke revokes a token at base (RFC 7009).
func (a *agent) revoke(base, token string) error {
	var r struct{}
	status, err := a.backchannel(base, "/revoke", url.Values{"token": {token}}, &r)
	if err == nil && status != http.StatusOK {
		err = &statusError{status}
	}
	return err
}

func hasForm(body []byte, action string) bool {
	return strings.Contains(string(body), `action="`+action+`"`)
}

// formValues returns the named inputs of the page's form posting to action.
func formValues(body []byte, action string) (url.Values, error) {
	doc, err := html.Parse(strings.NewReader(string(body)))
	if err != nil {
		return nil, err
	}
	v := url.Values{}
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode || n.Data != "form" || attr(n, "action") != action {
			continue
		}
		for in := range n.Descendants() {
			if in.Type == html.ElementNode && in.Data == "input" && attr(in, "name") != "" && attr(in, "type") != "submit" {
				v.Set(attr(in, "name"), attr(in, "value"))
			}
		}
		return v, nil
	}
	return nil, fmt.Errorf("no form posting to %s", action)
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}
