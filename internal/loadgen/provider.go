package loadgen

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Discovery is the part of a provider's metadata the scenarios use
// (OpenID Connect Discovery 1.0 §3, RFC 8414 §2).
type Discovery struct {
	Issuer                string `json:"issuer"`
	AuthorizationEndpoint string `json:"authorization_endpoint"`
	TokenEndpoint         string `json:"token_endpoint"`
	UserinfoEndpoint      string `json:"userinfo_endpoint"`
	IntrospectionEndpoint string `json:"introspection_endpoint"`
	JWKSURI               string `json:"jwks_uri"`
}

// Discover fetches issuer's OpenID configuration.
func Discover(ctx context.Context, client *http.Client, issuer string) (Discovery, error) {
	var d Discovery
	u := strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return d, fmt.Errorf("discovery: %w", err)
	}
	if err := doJSON(client, req, http.StatusOK, &d); err != nil {
		return d, fmt.Errorf("discovery: %w", err)
	}
	if d.AuthorizationEndpoint == "" || d.TokenEndpoint == "" {
		return d, fmt.Errorf("discovery: %s lacks the authorization or token endpoint", u)
	}
	return d, nil
}

// doJSON sends req, wants status, and decodes the JSON body into out
// (when not nil). Other statuses give an opError of kind "http_<status>".
func doJSON(client *http.Client, req *http.Request, status int, out any) error {
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != status {
		return failf(fmt.Sprintf("http_%d", resp.StatusCode), "%s %s: %s", req.Method, req.URL.Path, excerpt(body))
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return failf("bad_json", "%s %s: %v", req.Method, req.URL.Path, err)
	}
	return nil
}

func excerpt(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "..."
	}
	return string(b)
}

// TokenResponse is a token endpoint answer (RFC 6749 §5.1, OIDC Core §3.1.3.3).
type TokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	RefreshToken string `json:"refresh_token"`
	IDToken      string `json:"id_token"`
	ExpiresIn    int    `json:"expires_in"`
}

// postToken sends form to the token endpoint, authenticating with HTTP
// Basic when secret is set and with client_id in the body otherwise
// (public clients, RFC 6749 §2.3.1 and §3.2.1).
func postToken(ctx context.Context, client *http.Client, endpoint, clientID, secret string, form url.Values) (TokenResponse, error) {
	var tr TokenResponse
	if secret == "" {
		form.Set("client_id", clientID)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return tr, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if secret != "" {
		req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))
	}
	if err := doJSON(client, req, http.StatusOK, &tr); err != nil {
		return tr, err
	}
	if tr.AccessToken == "" {
		return tr, failf("no_access_token", "token response without access_token")
	}
	return tr, nil
}

// randomValue is 32 random bytes, base64url: a PKCE verifier (RFC 7636
// §4.1), a state or a nonce.
func randomValue() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// s256 is the S256 code challenge of verifier (RFC 7636 §4.2).
func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// jwtClaim returns a string claim of a JWT's payload without checking
// the signature: the load generator checks the flow, the provider is
// trusted to sign.
func jwtClaim(raw, name string) (string, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return "", fmt.Errorf("not a JWS compact serialization")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", err
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		return "", err
	}
	v, _ := claims[name].(string)
	return v, nil
}
