package spa

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed static
var static embed.FS

// Options configure the app: where Gatehouse and the API are, and the
// OAuth client the app is registered as.
type Options struct {
	Issuer   string   // Gatehouse, e.g. http://127.0.0.1:8080
	API      string   // the demo API's origin, e.g. http://127.0.0.1:8081
	Origin   string   // the app's own origin, e.g. http://localhost:8082
	ClientID string   // the app's client ID (type spa)
	Scopes   []string // what the app asks for at sign-in
}

// config is /config.json: what app.js needs to create the SDK client.
type config struct {
	Issuer                string `json:"issuer"`
	API                   string `json:"api"`
	ClientID              string `json:"client_id"`
	RedirectURI           string `json:"redirect_uri"`
	PostLogoutRedirectURI string `json:"post_logout_redirect_uri"`
	Scope                 string `json:"scope"`
}

// CallbackPath is the app's redirect URI path; register Origin+CallbackPath.
const CallbackPath = "/callback"

// RedirectURI is the redirect URI of an app served at origin.
func RedirectURI(origin string) string { return origin + CallbackPath }

// PostLogoutRedirectURI is where Gatehouse sends the browser after sign-out.
func PostLogoutRedirectURI(origin string) string { return origin + "/" }

// Handler serves the app. Both "/" and the callback path answer with the
// app's page: app.js looks at the path to know it is handling a redirect.
func Handler(o Options) (http.Handler, error) {
	files, err := fs.Sub(static, "static")
	if err != nil {
		return nil, fmt.Errorf("spa files: %w", err)
	}
	index, err := fs.ReadFile(files, "index.html")
	if err != nil {
		return nil, fmt.Errorf("spa files: %w", err)
	}
	cfg, err := json.Marshal(config{
		Issuer: o.Issuer, API: o.API, ClientID: o.ClientID,
		RedirectURI: RedirectURI(o.Origin), PostLogoutRedirectURI: PostLogoutRedirectURI(o.Origin),
		Scope: strings.Join(o.Scopes, " "),
	})
	if err != nil {
		return nil, fmt.Errorf("spa config: %w", err)
	}
	mux := http.NewServeMux()
	page := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(index)
	}
	mux.HandleFunc("GET /{$}", page)
	mux.HandleFunc("GET "+CallbackPath, page)
	mux.HandleFunc("GET /config.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(cfg)
	})
	fileServer := http.FileServerFS(files)
	for _, name := range []string{"app.js", "app.css", "favicon.svg"} {
		mux.Handle("GET /"+name, fileServer)
	}
	return secureHeaders(o, mux), nil
}

// secureHeaders sets the app's own policy: Gatehouse's CSP protects
// Gatehouse's pages only, so the app states what it loads and calls.
func secureHeaders(o Options, next http.Handler) http.Handler {
	csp := strings.Join([]string{
		"default-src 'none'",
		"script-src 'self' " + o.Issuer, // app.js, and the SDK from the issuer
		"connect-src 'self' " + o.Issuer + " " + o.API,
		"style-src 'self'",
		"img-src 'self'",
		"form-action 'self'",
		"base-uri 'none'",
		"frame-ancestors 'none'",
	}, "; ")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer") // the callback URL holds the code
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cache-Control", "no-store") // a demo: edits show at once
		next.ServeHTTP(w, r)
	})
}
