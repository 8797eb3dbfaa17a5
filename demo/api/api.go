package api

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse-dev/gatehouse/resource"
)

// The API's scopes.
const (
	ScopeModelsRead   = "models.read"
	ScopeFoldersRead  = "folders.read"
	ScopeFoldersWrite = "folders.write"
)

// Scopes lists every scope of the API, for registering clients.
var Scopes = []string{ScopeModelsRead, ScopeFoldersRead, ScopeFoldersWrite}

// The Gatehouse groups the API knows. Editors may change folders; viewers,
// and users in neither group, may only read.
const (
	GroupEditor = "editor"
	GroupViewer = "viewer"
)

// APIKeyHeader carries the calling application's client ID.
const APIKeyHeader = "x-api-key"

// Options configure the API.
type Options struct {
	// Issuer is the Gatehouse issuer whose tokens the API accepts.
	Issuer string
	// Audience must be in a token's aud; empty means Issuer, which is what
	// Gatehouse access tokens carry today.
	Audience string
	// AllowedOrigins are the web origins that may call the API from a
	// browser (CORS), e.g. http://localhost:8082.
	AllowedOrigins []string
	// HTTPClient fetches the issuer's discovery document and keys; nil
	// means the kit's default.
	HTTPClient *http.Client
	Log        *slog.Logger // nil: discard
	Now        func() time.Time
}

// API is the demo assets API; it is an http.Handler.
type API struct {
	handler http.Handler
	models  []Model
	folders *folders
	now     func() time.Time
	log     *slog.Logger
}

// New returns the API. It reads the issuer's discovery document, so the
// issuer must be serving.
func New(ctx context.Context, o Options) (*API, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Audience == "" {
		o.Audience = o.Issuer
	}
	v, err := resource.New(ctx, resource.Config{
		Issuer: o.Issuer, Audience: o.Audience, HTTPClient: o.HTTPClient, Realm: "assets", Logger: o.Log, Now: o.Now,
	})
	if err != nil {
		return nil, fmt.Errorf("token verifier: %w", err)
	}
	a := &API{models: catalog(), folders: &folders{}, now: o.Now, log: o.Log}
	for _, name := range []string{"Blog posts", "Product pages"} {
		if _, err := a.folders.create(name, "seed", o.Now()); err != nil {
			return nil, fmt.Errorf("seed folders: %w", err)
		}
	}

	read := func(scope string, h http.HandlerFunc) http.Handler {
		return v.Require(scope)(requireAPIKey(h))
	}
	write := func(h http.HandlerFunc) http.Handler {
		return v.Require(ScopeFoldersWrite)(requireAPIKey(requireGroup(GroupEditor, h)))
	}
	mux := http.NewServeMux()
	mux.Handle("GET /models", read(ScopeModelsRead, a.listModels))
	mux.Handle("GET /folders", read(ScopeFoldersRead, a.listFolders))
	mux.Handle("POST /folders", write(a.createFolder))
	mux.Handle("DELETE /folders/{id}", write(a.deleteFolder))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "no such resource; see GET /models and GET /folders")
	})
	cors := resource.CORS{
		AllowedOrigins: o.AllowedOrigins,
		AllowedMethods: []string{http.MethodGet, http.MethodPost, http.MethodDelete},
		AllowedHeaders: []string{"Authorization", "Content-Type", APIKeyHeader},
		ExposedHeaders: []string{"WWW-Authenticate", "Location"},
		MaxAge:         10 * time.Minute,
	}
	// CORS outside the token check: preflights carry no token, and the app
	// must be able to read a 401 or 403 to show it.
	a.handler = cors.Handler(mux)
	return a, nil
}

func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.handler.ServeHTTP(w, r) }

// requireAPIKey lets a request through only when x-api-key names the
// client the access token was issued to.
func requireAPIKey(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := resource.ClaimsFrom(r.Context())
		keys := r.Header.Values(APIKeyHeader)
		switch {
		case len(keys) == 0:
			writeError(w, http.StatusForbidden, "invalid_api_key", "the x-api-key header is missing: send your application's client ID")
		case len(keys) > 1 || c == nil || c.ClientID == "" || subtle.ConstantTimeCompare([]byte(keys[0]), []byte(c.ClientID)) != 1:
			writeError(w, http.StatusForbidden, "invalid_api_key", "the x-api-key header does not match the client the access token was issued to (its client_id)")
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// requireGroup lets a request through only for a user in group, per the
// token's groups claim.
func requireGroup(group string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, _ := resource.ClaimsFrom(r.Context())
		if c != nil && slices.Contains(c.Groups, group) {
			next.ServeHTTP(w, r)
			return
		}
		have := "none"
		if c != nil && len(c.Groups) > 0 {
			have = strings.Join(c.Groups, ", ")
		}
		writeError(w, http.StatusForbidden, "forbidden",
			fmt.Sprintf("creating and deleting folders needs the %s group; your groups: %s", group, have))
	})
}

func (a *API) listModels(w http.ResponseWriter, r *http.Request) {
	values, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", "the query string is not valid URL encoding")
		return
	}
	q, err := parseModelQuery(values)
	if err == nil {
		var p modelPage
		if p, err = page(a.models, q); err == nil {
			writeJSON(w, http.StatusOK, p)
			return
		}
	}
	writeError(w, http.StatusBadRequest, "invalid_request", err.Error())
}

func (a *API) listFolders(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"items": a.folders.list()})
}

// maxBody bounds a POST /folders body.
const maxBody = 4 << 10

func (a *API) createFolder(w http.ResponseWriter, r *http.Request) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, "invalid_request", `send the folder as JSON: Content-Type: application/json, {"name": "..."}`)
		return
	}
	var in struct {
		Name string `json:"name"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil || dec.Decode(&struct{}{}) != io.EOF {
		writeError(w, http.StatusBadRequest, "invalid_request", `the body must be one JSON object {"name": "..."} of at most 4 KiB`)
		return
	}
	name, err := folderName(in.Name)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	c, _ := resource.ClaimsFrom(r.Context())
	f, err := a.folders.create(name, c.Subject, a.now())
	switch {
	case errors.Is(err, errFolderExists), errors.Is(err, errTooManyFolders):
		writeError(w, http.StatusConflict, "conflict", err.Error())
		return
	case err != nil:
		writeError(w, http.StatusInternalServerError, "server_error", "the folder could not be created")
		return
	}
	a.log.Info("folder created", "id", f.ID, "sub", c.Subject)
	w.Header().Set("Location", "/folders/"+f.ID)
	writeJSON(w, http.StatusCreated, f)
}

func (a *API) deleteFolder(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := a.folders.delete(id); err != nil {
		writeError(w, http.StatusNotFound, "not_found", "no folder with this id")
		return
	}
	c, _ := resource.ClaimsFrom(r.Context())
	a.log.Info("folder deleted", "id", id, "sub", c.Subject)
	w.WriteHeader(http.StatusNoContent)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}
