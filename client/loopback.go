package client

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// LoopbackOptions tune LoginLoopback. The zero value listens on
// 127.0.0.1, waits five minutes and only prints the URL.
type LoopbackOptions struct {
	// OpenBrowser opens the authorization URL in the user's browser, e.g.
	// OpenBrowser from this package. When nil or failing, the user opens
	// the printed URL themselves.
	OpenBrowser func(url string) error
	// Out receives the instructions for the user, the URL among them;
	// nil discards them.
	Out io.Writer
	// Timeout bounds the wait for the user; default 5 minutes.
	Timeout time.Duration
	// Host is the loopback IP literal to listen on, "127.0.0.1" (default)
	// or "::1". RFC 8252 §8.3 advises against "localhost".
	Host string
	// Path is the redirect URI's path; default "/callback".
	Path string
	// AuthCodeOptions add authorization request parameters, such as
	// oauth2.SetAuthURLParam("login_hint", email).
	AuthCodeOptions []oauth2.AuthCodeOption
}

// LoginLoopback signs in a command-line user the way RFC 8252 prescribes
// for native apps: it listens on a random port of a loopback address
// (§7.3), sends the browser to the authorization endpoint with redirect URI
// http://127.0.0.1:PORT/callback, waits for the authorization response
// there, exchanges the code (PKCE, §8.1), shows the browser a page saying
// how it went, and stops listening. The client must be registered with a
// loopback redirect URI without port (Gatehouse: client add --type native
// --redirect-uri http://127.0.0.1/callback); the server accepts any port
// (§7.3).
func (c *Client) LoginLoopback(ctx context.Context, opt LoopbackOptions) (*Tokens, error) {
	if opt.Host == "" {
		opt.Host = "127.0.0.1"
	}
	if opt.Path == "" {
		opt.Path = "/callback"
	}
	if opt.Timeout <= 0 {
		opt.Timeout = 5 * time.Minute
	}
	if opt.Out == nil {
		opt.Out = io.Discard
	}
	if ip := net.ParseIP(opt.Host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("client: loopback host %q is not a loopback IP literal", opt.Host)
	}
	ctx, cancel := context.WithTimeout(ctx, opt.Timeout)
	defer cancel()

	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", net.JoinHostPort(opt.Host, "0"))
	if err != nil {
		return nil, fmt.Errorf("listen for the redirect: %w", err)
	}
	redirect := (&url.URL{Scheme: "http", Host: ln.Addr().String(), Path: opt.Path}).String()
	flow := c.NewFlow(redirect)
	cb := &callback{c: c, ctx: ctx, flow: flow, path: opt.Path, done: make(chan result, 1)}
	srv := &http.Server{Handler: cb, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer func() {
		// Let the result page finish, then stop listening.
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer scancel()
		if srv.Shutdown(sctx) != nil {
			_ = srv.Close()
		}
	}()

	authURL := c.AuthCodeURL(flow, opt.AuthCodeOptions...)
	fmt.Fprintf(opt.Out, "To sign in, open this address in a browser:\n\n    %s\n\n", authURL)
	if opt.OpenBrowser != nil {
		if err := opt.OpenBrowser(authURL); err != nil {
			fmt.Fprintf(opt.Out, "(Could not open a browser: %v)\n", err)
		}
	}
	fmt.Fprintf(opt.Out, "Waiting for the sign-in to finish (up to %s)...\n", opt.Timeout)
	select {
	case r := <-cb.done:
		return r.tokens, r.err
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, fmt.Errorf("no sign-in within %s: %w", opt.Timeout, ctx.Err())
		}
		return nil, fmt.Errorf("wait for the sign-in: %w", ctx.Err())
	}
}

type result struct {
	tokens *Tokens
	err    error
}

// callback serves the redirect URI. The first authorization response it
// receives decides the login; anything else is answered and ignored.
type callback struct {
	c    *Client
	ctx  context.Context
	flow *Flow
	path string
	done chan result // buffered: one result

	once sync.Once
}

func (cb *callback) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	// The URL holds the code: never send it on as a Referer.
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	h.Set("X-Content-Type-Options", "nosniff")
	switch {
	case r.URL.Path != cb.path:
		http.NotFound(w, r)
		return
	case r.Method != http.MethodGet:
		h.Set("Allow", http.MethodGet)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	q := r.URL.Query()
	if !q.Has("state") && !q.Has("code") && !q.Has("error") {
		renderPage(w, http.StatusBadRequest, "Not a sign-in response", "This address only receives the answer of the sign-in page.")
		return
	}
	handled := false
	cb.once.Do(func() {
		handled = true
		t, err := cb.c.Exchange(cb.ctx, cb.flow, q)
		cb.done <- result{t, err}
		var oe *Error
		switch {
		case err == nil:
			renderPage(w, http.StatusOK, "Signed in", "You can close this window and return to the command line.")
		case errors.As(err, &oe) && oe.Code == "access_denied":
			renderPage(w, http.StatusForbidden, "Sign-in cancelled", "The request was denied. You can close this window.")
		default:
			renderPage(w, http.StatusBadRequest, "Sign-in failed", err.Error())
		}
	})
	if !handled {
		renderPage(w, http.StatusConflict, "Already finished", "This sign-in has already finished. You can close this window.")
	}
}

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}</style>
</head><body><h1>{{.Title}}</h1><p>{{.Message}}</p></body></html>
`))

func renderPage(w http.ResponseWriter, status int, title, message string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = pageTmpl.Execute(w, struct{ Title, Message string }{title, message})
}
