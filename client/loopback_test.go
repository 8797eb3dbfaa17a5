package client_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/client"
)

// testLoginLoopback signs in the RFC 8252 way against a real server: the
// test's OpenBrowser walks the real login and consent forms and delivers
// the redirect to the loopback listener, on IPv4 and IPv6.
func testLoginLoopback(t *testing.T, f *fixture) {
	c := f.client(t, client.Config{Scopes: []string{"openid", "email", "offline_access"}})
	b := f.BrowserFor(t)
	for _, tt := range []struct{ host, wantPrefix string }{
		{"", "http://127.0.0.1:"},
		{"::1", "http://[::1]:"},
	} {
		t.Run("host "+tt.wantPrefix, func(t *testing.T) {
			if tt.host == "::1" {
				if ln, err := net.Listen("tcp", "[::1]:0"); err != nil {
					t.Skipf("no IPv6 loopback here: %v", err)
				} else {
					ln.Close()
				}
			}
			var d delivery
			out := newLines()
			tok, err := c.LoginLoopback(t.Context(), client.LoopbackOptions{
				Host: tt.host, OpenBrowser: opener(t, b.For(t), "approve", &d), Out: out, Timeout: time.Minute})
			if err != nil {
				t.Fatalf("LoginLoopback: %v\noutput: %s", err, out)
			}
			// The redirect went to a random port of the loopback address.
			if d.Redirect == nil || !strings.HasPrefix(d.Redirect.String(), tt.wantPrefix) || d.Redirect.Path != "/callback" ||
				d.Redirect.Port() == "" || d.Redirect.Port() == "0" {
				t.Fatalf("redirected to %v, want %s<port>/callback", d.Redirect, tt.wantPrefix)
			}
			if d.Status != http.StatusOK || !strings.Contains(d.Body, "Signed in") {
				t.Errorf("callback page: %d %q", d.Status, d.Body)
			}
			if !strings.Contains(out.String(), f.URL+"/authorize?") {
				t.Errorf("the authorization URL was not printed: %q", out)
			}
			if tok.AccessToken == "" || tok.RefreshToken == "" || tok.IDToken == nil {
				t.Fatalf("tokens = %+v, want access, refresh and ID tokens", tok)
			}
			if tok.IDToken.Subject != f.User.ID || tok.Claims.Subject != f.User.ID || tok.Claims.Email != email ||
				tok.IDToken.Issuer != f.URL || !slices.Equal(tok.IDToken.Audience, []string{f.Native.ID}) {
				t.Errorf("ID token sub=%q iss=%q aud=%q claims=%+v", tok.IDToken.Subject, tok.IDToken.Issuer, tok.IDToken.Audience, tok.Claims)
			}
			if !slices.Contains(tok.Scopes, "offline_access") || !slices.Contains(tok.Scopes, "email") {
				t.Errorf("granted scopes = %q", tok.Scopes)
			}
			// The listener is gone once the login returns.
			if resp, err := http.Get(d.Redirect.String()); err == nil {
				resp.Body.Close()
				t.Errorf("the loopback listener still answers after the login")
			}
		})
	}
}

// TestLoginLoopbackDenied: the user denies consent; the server's
// access_denied comes back as an *Error and the browser is told.
func testLoginLoopbackDenied(t *testing.T, f *fixture) {
	c := f.client(t, client.Config{ClientID: f.Denied.ID})
	var d delivery
	_, err := c.LoginLoopback(t.Context(), client.LoopbackOptions{OpenBrowser: opener(t, f.BrowserFor(t), "deny", &d)})
	var oe *client.Error
	if !errors.As(err, &oe) || oe.Code != "access_denied" || oe.Description == "" || oe.StatusCode != 0 {
		t.Fatalf("err = %v (%#v), want an *Error access_denied from the authorization response", err, oe)
	}
	if d.Status != http.StatusForbidden || !strings.Contains(d.Body, "cancelled") {
		t.Errorf("callback page: %d %q", d.Status, d.Body)
	}
}

// TestLoginLoopbackManual: when no browser opens, the user opens the
// printed URL; the login goes on.
func testLoginLoopbackManual(t *testing.T, f *fixture) {
	c := f.client(t, client.Config{})
	out := newLines()
	type res struct {
		tok *client.Tokens
		err error
	}
	done := make(chan res, 1)
	go func() {
		tok, err := c.LoginLoopback(context.Background(), client.LoopbackOptions{Out: out, Timeout: time.Minute,
			OpenBrowser: func(string) error { return errors.New("no display") }})
		done <- res{tok, err}
	}()
	var authURL string
	for authURL == "" {
		select {
		case <-out.writes:
			authURL = authURLIn(out.String(), f.URL)
		case r := <-done:
			t.Fatalf("LoginLoopback returned before the user acted: %v", r.err)
		case <-time.After(30 * time.Second):
			t.Fatalf("no URL printed: %q", out)
		}
	}
	var d delivery
	if err := opener(t, f.BrowserFor(t), "approve", &d)(authURL); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil || r.tok.IDToken == nil || r.tok.IDToken.Subject != f.User.ID {
		t.Fatalf("LoginLoopback = %+v, %v", r.tok, r.err)
	}
	if !strings.Contains(out.String(), "Could not open a browser: no display") {
		t.Errorf("output does not explain the browser failed: %q", out)
	}
}

// TestLoginLoopbackTimeout: nobody signs in; the wait ends.
func testLoginLoopbackTimeout(t *testing.T, f *fixture) {
	c := f.client(t, client.Config{})
	out := newLines()
	start := time.Now()
	_, err := c.LoginLoopback(t.Context(), client.LoopbackOptions{Out: out, Timeout: 300 * time.Millisecond})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want a deadline", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("took %s", time.Since(start))
	}
	if authURLIn(out.String(), f.URL) == "" {
		t.Errorf("no URL printed: %q", out)
	}
}

// testLoopbackListener checks what the listener answers besides the
// authorization response: those requests neither end nor break the login.
func testLoopbackListener(t *testing.T, f *fixture) {
	c := f.client(t, client.Config{})
	var d delivery
	b := f.BrowserFor(t)
	open := func(authURL string) error {
		p := walk(t, b, authURL, "approve")
		base := "http://" + p.Location.Host
		for _, tt := range []struct {
			method, path string
			status       int
		}{
			{http.MethodGet, "/favicon.ico", http.StatusNotFound},
			{http.MethodGet, "/callback", http.StatusBadRequest},
			{http.MethodPost, "/callback?" + p.Location.RawQuery, http.StatusMethodNotAllowed},
		} {
			req, _ := http.NewRequest(tt.method, base+tt.path, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatalf("%s %s: %v", tt.method, tt.path, err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("%s %s: status %d, want %d", tt.method, tt.path, resp.StatusCode, tt.status)
			}
			if resp.Header.Get("Referrer-Policy") != "no-referrer" || resp.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("%s %s: headers %v", tt.method, tt.path, resp.Header)
			}
		}
		return opener(t, b, "approve", &d)(authURL) // consent is remembered now
	}
	tok, err := c.LoginLoopback(t.Context(), client.LoopbackOptions{OpenBrowser: open})
	if err != nil || tok.IDToken == nil {
		t.Fatalf("LoginLoopback: %v", err)
	}
}
