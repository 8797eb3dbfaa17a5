package authorize

import (
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// Prompt values (OIDC Core §3.1.2.1).
const (
	promptNone    = "none"
	promptLogin   = "login"
	promptConsent = "consent"
)

// maxMaxAge caps max_age (ten years: longer than any session) so that
// converting it to a time.Duration cannot overflow.
const maxMaxAge = 10 * 365 * 24 * 3600

// Request is a validated authorization request.
type Request struct {
	ClientID string
	// RedirectURI is where the response goes: the redirect_uri parameter,
	// or the client's default when the parameter was omitted.
	RedirectURI string
	// RedirectURISent records whether redirect_uri was a parameter; if so
	// the token request must repeat it (RFC 6749 §4.1.3).
	RedirectURISent     bool
	State               string
	Scopes              []string
	Nonce               string
	CodeChallenge       string
	CodeChallengeMethod string
	Prompt              []string
	MaxAge              int // seconds; -1 when absent
	LoginHint           string
	// Resources are the resource parameter's values (RFC 8707 §2.1),
	// absolute URIs without fragment. They are checked against the
	// client's APIs (Handler.parseRequest) but not kept with the code: at
	// the token endpoint the resource parameter alone decides.
	Resources []string
}

// ClientGetter loads a client by ID; it returns storage.ErrNotFound for an
// unknown client.
type ClientGetter func(id string) (storage.Client, error)

// ParseRequest validates an authorization request's parameters.
//
// When it fails, the error is an *oauth.Error (or a store failure). If the
// returned Request has an empty RedirectURI, the client or redirect URI
// could not be trusted and the error must be shown on a page; otherwise it
// must be sent to that RedirectURI with the request's State.
func ParseRequest(v url.Values, getClient ClientGetter) (Request, storage.Client, error) {
	var req Request
	// Stage 1: who is asking, and where does the answer go. Errors here are
	// shown to the user, never redirected.
	clientID, err := single(v, "client_id")
	if err != nil {
		return req, storage.Client{}, err
	}
	if clientID == "" {
		return req, storage.Client{}, oauth.Errorf(oauth.InvalidRequest, "the request has no client_id")
	}
	client, err := getClient(clientID)
	if errors.Is(err, storage.ErrNotFound) {
		return req, storage.Client{}, oauth.Errorf(oauth.InvalidClient, "no application is registered with this client_id")
	}
	if err != nil {
		return req, storage.Client{}, oauth.Internal(err)
	}
	if client.Type == storage.ClientService {
		return req, client, oauth.Errorf(oauth.UnauthorizedClient, "server-to-server clients cannot use the authorization endpoint")
	}
	redirect, err := single(v, "redirect_uri")
	if err != nil {
		return req, client, err
	}
	switch {
	case redirect != "":
		if _, ok := oauth.MatchRedirectURI(redirect, client.RedirectURIs, client.RedirectURIPatterns); !ok {
			return req, client, oauth.Errorf(oauth.InvalidRequest, "the redirect_uri is not registered for this application")
		}
		req.RedirectURI, req.RedirectURISent = redirect, true
	case client.DefaultRedirectURI != "":
		req.RedirectURI = client.DefaultRedirectURI
	default:
		return req, client, oauth.Errorf(oauth.InvalidRequest, "the request has no redirect_uri and the application has no default")
	}
	req.ClientID = client.ID

	// Stage 2: everything else. Errors from here on are redirected.
	req.State = v.Get("state")
	p, resources, err := oauth.SplitResource(v)
	if err != nil {
		return req, client, err
	}
	req.State = p["state"]
	req.Resources = resources
	if err := parseParams(&req, p, client); err != nil {
		return req, client, err
	}
	return req, client, nil
}

func parseParams(req *Request, p map[string]string, client storage.Client) error {
	if p["request"] != "" {
		return oauth.Errorf(oauth.RequestNotSupported, "request objects are not supported")
	}
	if p["request_uri"] != "" {
		return oauth.Errorf(oauth.RequestURINotSupported, "request_uri is not supported")
	}
	switch rt := p["response_type"]; rt {
	case "code":
	case "":
		return oauth.Errorf(oauth.InvalidRequest, "response_type is required")
	default:
		return oauth.Errorf(oauth.UnsupportedResponseType, "only response_type=code is supported")
	}
	if rm := p["response_mode"]; rm != "" && rm != "query" {
		return oauth.Errorf(oauth.InvalidRequest, "only response_mode=query is supported")
	}
	if err := parseScopes(req, p["scope"], client); err != nil {
		return err
	}
	if err := parsePKCE(req, p, client); err != nil {
		return err
	}
	if err := parsePrompt(req, p["prompt"]); err != nil {
		return err
	}
	req.MaxAge = -1
	if s := p["max_age"]; s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return oauth.Errorf(oauth.InvalidRequest, "max_age must be a non-negative number of seconds")
		}
		req.MaxAge = min(n, maxMaxAge)
	}
	req.Nonce = p["nonce"]
	req.LoginHint = p["login_hint"]
	return nil
}

func parseScopes(req *Request, raw string, client storage.Client) error {
	scopes, err := oauth.ParseScope(raw)
	if err != nil {
		return err
	}
	if len(scopes) == 0 {
		return oauth.Errorf(oauth.InvalidScope, "scope is required, e.g. scope=openid")
	}
	for _, s := range scopes {
		if !slices.Contains(oauth.StandardScopes, s) && !slices.Contains(client.Scopes, s) {
			return oauth.Errorf(oauth.InvalidScope, "scope %q is not allowed for this application", s)
		}
	}
	req.Scopes = scopes
	return nil
}

// parsePKCE applies RFC 7636 and RFC 9700 §2.1.1: PKCE is required of
// public clients and, unless registered otherwise, of confidential ones;
// only S256 unless the client may use plain.
func parsePKCE(req *Request, p map[string]string, client storage.Client) error {
	challenge, method := p["code_challenge"], p["code_challenge_method"]
	if challenge == "" {
		if method != "" {
			return oauth.Errorf(oauth.InvalidRequest, "code_challenge_method was sent without code_challenge")
		}
		if client.Type.Public() || !client.PKCEOptional {
			return oauth.Errorf(oauth.InvalidRequest, "code_challenge is required (PKCE with S256)")
		}
		return nil
	}
	if method == "" {
		method = oauth.PKCEPlain // RFC 7636 §4.3 default
	}
	switch {
	case method == oauth.PKCES256:
	case method == oauth.PKCEPlain && client.AllowPlainPKCE:
	case method == oauth.PKCEPlain:
		return oauth.Errorf(oauth.InvalidRequest, "code_challenge_method must be S256")
	default:
		return oauth.Errorf(oauth.InvalidRequest, "code_challenge_method %q is not supported; use S256", truncate(method, 20))
	}
	if !oauth.ValidPKCEValue(challenge) {
		return oauth.Errorf(oauth.InvalidRequest, "code_challenge must be 43 to 128 characters of [A-Za-z0-9-._~]")
	}
	req.CodeChallenge, req.CodeChallengeMethod = challenge, method
	return nil
}

func parsePrompt(req *Request, raw string) error {
	for _, p := range strings.Fields(raw) {
		switch p {
		case promptNone, promptLogin, promptConsent:
		case "select_account":
			continue // one account per browser: nothing to select
		default:
			return oauth.Errorf(oauth.InvalidRequest, "prompt value %q is not supported", truncate(p, 20))
		}
		if !slices.Contains(req.Prompt, p) {
			req.Prompt = append(req.Prompt, p)
		}
	}
	if slices.Contains(req.Prompt, promptNone) && len(req.Prompt) > 1 {
		return oauth.Errorf(oauth.InvalidRequest, "prompt=none cannot be combined with other values")
	}
	return nil
}

func (r Request) hasPrompt(p string) bool { return slices.Contains(r.Prompt, p) }

// single returns a parameter that must not repeat (RFC 6749 §3.1).
func single(v url.Values, name string) (string, error) {
	var out string
	for _, s := range v[name] {
		if s == "" {
			continue
		}
		if out != "" {
			return "", oauth.Errorf(oauth.InvalidRequest, "parameter %q was sent more than once", name)
		}
		out = s
	}
	return out, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
