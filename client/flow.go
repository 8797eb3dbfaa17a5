package client

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Flow is one authorization request's secrets: what the client must
// remember between sending the user to the server and receiving the
// authorization response. It is plain data, so a web app can keep it in
// its (encrypted, server-side) session between the two requests.
type Flow struct {
	// State binds the response to this request (RFC 6749 §10.12).
	State string `json:"state"`
	// Nonce binds the ID token to this request (OIDC Core §3.1.2.1).
	Nonce string `json:"nonce"`
	// Verifier is the PKCE code_verifier (RFC 7636 §4.1); only its S256
	// challenge is sent with the request.
	Verifier string `json:"code_verifier"`
	// RedirectURL is the redirect_uri of the request, sent again with
	// the code (RFC 6749 §4.1.3).
	RedirectURL string `json:"redirect_uri"`
}

// NewFlow starts an authorization request to redirectURL (Config.RedirectURL
// when ""), with a fresh random state, nonce and PKCE verifier.
func (c *Client) NewFlow(redirectURL string) *Flow {
	if redirectURL == "" {
		redirectURL = c.cfg.RedirectURL
	}
	return &Flow{State: rand.Text(), Nonce: rand.Text(), Verifier: oauth2.GenerateVerifier(), RedirectURL: redirectURL}
}

// AuthCodeURL returns the authorization request URL for f (RFC 6749
// §4.1.1) with the S256 code challenge (RFC 7636 §4.3) and, with openid,
// the nonce. opts add parameters such as prompt or login_hint.
func (c *Client) AuthCodeURL(f *Flow, opts ...oauth2.AuthCodeOption) string {
	all := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(f.Verifier)}
	if c.wantsIDToken() {
		all = append(all, oidc.Nonce(f.Nonce))
	}
	return c.oauthFor(f.RedirectURL).AuthCodeURL(f.State, append(all, opts...)...)
}

// Exchange checks the authorization response (the query of the redirect
// to f.RedirectURL), redeems its code with the PKCE verifier and, with
// openid, verifies the ID token. The response is checked before its
// content is trusted: state (RFC 6749 §10.12), then iss (RFC 9207 §2.4),
// then error (RFC 6749 §4.1.2.1, returned as *Error).
func (c *Client) Exchange(ctx context.Context, f *Flow, response url.Values) (*Tokens, error) {
	if err := c.checkResponse(f, response); err != nil {
		return nil, err
	}
	tok, err := c.oauthFor(f.RedirectURL).Exchange(c.ctx(ctx), response.Get("code"), oauth2.VerifierOption(f.Verifier))
	if err != nil {
		return nil, fmt.Errorf("exchange code: %w", wrapTokenError(err))
	}
	t, err := c.newTokens(ctx, tok, expect{nonce: f.Nonce, requireIDToken: c.wantsIDToken(), scopes: c.cfg.Scopes})
	if err != nil {
		return nil, fmt.Errorf("exchange code: %w", err)
	}
	return t, nil
}

// checkResponse validates an authorization response up to its code.
func (c *Client) checkResponse(f *Flow, q url.Values) error {
	if s := q["state"]; len(s) != 1 || s[0] != f.State {
		return ErrStateMismatch
	}
	switch iss := q["iss"]; {
	case len(iss) == 0 && c.meta.AuthorizationResponseIssParameterSupported:
		return ErrIssuerMissing
	case len(iss) > 1 || len(iss) == 1 && iss[0] != c.cfg.Issuer:
		// RFC 9207 §2.4: simple string comparison with the issuer.
		return fmt.Errorf("%w: got %q, want %q", ErrIssuerMismatch, iss, c.cfg.Issuer)
	}
	if code := q.Get("error"); code != "" {
		return &Error{Code: code, Description: q.Get("error_description"), URI: q.Get("error_uri")}
	}
	if q.Get("code") == "" {
		return ErrCodeMissing
	}
	return nil
}
