package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// TokenSource returns a source of valid access tokens that starts with t
// and, once the access token has expired, redeems the refresh token (RFC
// 6749 §6) through x/oauth2. ctx carries no deadline for the refreshes
// and must outlive the source.
//
// Gatehouse rotates refresh tokens: each refresh returns a new one and the
// old one stops working (RFC 9700 §4.14.2). The source keeps the newest
// in memory; an app that stores tokens must store the new ones too, so
// onRefresh (when not nil) is called with every refreshed set, ID token
// verified, before Token returns it (onRefresh must not call the source
// itself). A refresh failure is an *Error whose
// Code is "invalid_grant" when the sign-in has ended.
func (c *Client) TokenSource(ctx context.Context, t *Tokens, onRefresh func(*Tokens)) oauth2.TokenSource {
	if t == nil || t.Token == nil {
		return errSource{errors.New("client: no token to start from")}
	}
	s := &refreshSource{c: c, ctx: ctx, base: c.oauthFor("").TokenSource(c.ctx(ctx), t.Token),
		last: t.AccessToken, scopes: t.Scopes, onRefresh: onRefresh}
	if t.IDToken != nil {
		s.subject = t.IDToken.Subject
	}
	return s
}

// refreshSource wraps x/oauth2's refreshing source to verify the ID token
// of each refresh response and report the new tokens.
type refreshSource struct {
	c         *Client
	ctx       context.Context
	base      oauth2.TokenSource // x/oauth2 ReuseTokenSource over its refresher
	onRefresh func(*Tokens)
	subject   string   // the signed-in user, when known
	scopes    []string // the granted scopes, kept when a response omits them

	mu   sync.Mutex
	last string // the access token last returned
}

func (s *refreshSource) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tok, err := s.base.Token()
	if err != nil {
		return nil, fmt.Errorf("refresh token: %w", wrapTokenError(err))
	}
	if tok.AccessToken == s.last {
		return tok, nil
	}
	t, err := s.c.newTokens(s.ctx, tok, expect{subject: s.subject, scopes: s.scopes})
	if err != nil {
		return nil, fmt.Errorf("refresh token: %w", err)
	}
	s.last, s.scopes = tok.AccessToken, t.Scopes
	if t.IDToken != nil && s.subject == "" {
		s.subject = t.IDToken.Subject
	}
	if s.onRefresh != nil {
		s.onRefresh(t)
	}
	return tok, nil
}

type errSource struct{ err error }

func (s errSource) Token() (*oauth2.Token, error) { return nil, s.err }

// HTTPClient returns an HTTP client that sends the access token of ts as
// a Bearer token (RFC 6750 §2.1) on every request, built on the configured
// HTTP client's transport.
func (c *Client) HTTPClient(ctx context.Context, ts oauth2.TokenSource) *http.Client {
	return oauth2.NewClient(c.ctx(ctx), ts)
}

// UserInfo calls the userinfo endpoint (OIDC Core §5.3) with an access
// token of ts. A refused token is an *Error with the Bearer challenge's
// code, e.g. "invalid_token". The caller must check that the returned
// Subject is the ID token's before trusting other claims (§5.3.4).
func (c *Client) UserInfo(ctx context.Context, ts oauth2.TokenSource) (*oidc.UserInfo, error) {
	// Take the token first: go-oidc would flatten a refresh error.
	tok, err := ts.Token()
	if err != nil {
		return nil, fmt.Errorf("userinfo: %w", err)
	}
	rec := &challengeRecorder{base: c.hc.Transport}
	hc := *c.hc
	hc.Transport = rec
	info, err := c.provider.UserInfo(oidc.ClientContext(ctx, &hc), oauth2.StaticTokenSource(tok))
	if err != nil {
		if e := rec.get(); e != nil {
			e.err = err
			return nil, fmt.Errorf("userinfo: %w", e)
		}
		return nil, fmt.Errorf("userinfo: %w", err)
	}
	return info, nil
}

// challengeRecorder remembers the Bearer error of the last response that
// had one, which go-oidc reports only as text.
type challengeRecorder struct {
	base http.RoundTripper
	mu   sync.Mutex
	err  *Error
}

func (r *challengeRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	base := r.base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(req)
	if err == nil {
		if e := bearerError(resp); e != nil {
			r.mu.Lock()
			r.err = e
			r.mu.Unlock()
		}
	}
	return resp, err
}

func (r *challengeRecorder) get() *Error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}
