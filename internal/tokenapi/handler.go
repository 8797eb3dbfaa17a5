package tokenapi

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/audit"
	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
	"github.com/gatehouse-dev/gatehouse/internal/token"
)

// Paths this package serves.
const (
	PathToken      = "/token"
	PathRevoke     = "/revoke"     // RFC 7009
	PathIntrospect = "/introspect" // RFC 7662
)

// maxBodyBytes bounds a token request body.
const maxBodyBytes = 64 << 10

// Store is the part of storage.Store the token endpoint uses.
type Store interface {
	GetClient(ctx context.Context, id string) (storage.Client, error)
	GetUser(ctx context.Context, id string) (storage.User, error)
	ConsumeAuthCode(ctx context.Context, hash string, now time.Time) (storage.AuthCode, error)
	CreateToken(ctx context.Context, t storage.Token) error
	RevokeGrant(ctx context.Context, grantID string, now time.Time) (int, error)
	GetAPI(ctx context.Context, id string) (storage.API, error) // audience.go
	refreshStore                                                // refresh.go
	revocationStore                                             // revoke.go, introspect.go
}

// Options configure a Handler.
type Options struct {
	Store          Store
	Tokens         *token.Service
	AccessTokenTTL time.Duration
	IDTokenTTL     time.Duration
	// Refresh-token lifetimes for clients that set none (mint.go).
	RefreshIdleTTL     time.Duration
	RefreshAbsoluteTTL time.Duration
	ClientAuth         *ClientAuth // authenticates clients (clientauth.go)
	Now                func() time.Time
	Log                *slog.Logger
	Audit              *audit.Recorder // issuance, revocation, reuse; nil records nothing
}

// Handler serves the token endpoint.
type Handler struct {
	Options
	grants map[string]grant
}

// grant runs one grant type for an authenticated client.
type grant struct {
	// allowed reports whether a client of this type may use the grant.
	allowed func(storage.Client) bool
	run     func(ctx context.Context, c storage.Client, p map[string]string, t target) (*Response, error)
}

// New returns a Handler.
func New(o Options) *Handler {
	if o.Now == nil {
		o.Now = time.Now
	}
	h := &Handler{Options: o}
	h.grants = map[string]grant{
		"authorization_code": {allowed: interactive, run: h.authorizationCode},
		"refresh_token":      {allowed: interactive, run: h.refreshToken},
		"client_credentials": {allowed: service, run: h.clientCredentials},
	}
	return h
}

// GrantTypes lists the supported grant types, for discovery.
func GrantTypes() []string {
	return []string{"authorization_code", "refresh_token", "client_credentials"}
}

// Register mounts the endpoint on mux.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST "+PathToken, h.serveToken)
	mux.HandleFunc("POST "+PathRevoke, h.serveRevoke)
	mux.HandleFunc("POST "+PathIntrospect, h.serveIntrospect)
	for _, path := range []string{PathToken, PathRevoke, PathIntrospect} {
		mux.HandleFunc(path, postOnly)
	}
}

// Response is a successful token response (RFC 6749 §5.1, OIDC Core §3.1.3.3).
type Response struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	Scope        string `json:"scope,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
}

func (h *Handler) serveToken(w http.ResponseWriter, r *http.Request) {
	resp, err := h.pipeline(w, r)
	if err != nil {
		oauth.WriteError(w, h.Log, err)
		return
	}
	if resp == nil {
		oauth.WriteJSON(w, http.StatusOK, resp) // null, as before
		return
	}
	oauth.WriteJSONBody(w, http.StatusOK, resp.appendJSON(make([]byte, 0, 1024+len(resp.AccessToken)+len(resp.IDToken))))
}

// appendJSON appends the response as encoding/json would encode it
// (fields in order, omitempty), without reflection.
func (r *Response) appendJSON(b []byte) []byte {
	b = append(b, `{"access_token":`...)
	b = oauth.AppendJSONString(b, r.AccessToken)
	b = append(b, `,"token_type":`...)
	b = oauth.AppendJSONString(b, r.TokenType)
	b = append(b, `,"expires_in":`...)
	b = strconv.AppendInt(b, r.ExpiresIn, 10)
	for _, f := range [...]struct{ name, v string }{
		{`,"scope":`, r.Scope}, {`,"id_token":`, r.IDToken}, {`,"refresh_token":`, r.RefreshToken},
	} {
		if f.v != "" {
			b = append(b, f.name...)
			b = oauth.AppendJSONString(b, f.v)
		}
	}
	return append(b, '}')
}

// pipeline is the fixed sequence every token request goes through.
func (h *Handler) pipeline(w http.ResponseWriter, r *http.Request) (*Response, error) {
	form, err := readForm(w, r)
	if err != nil {
		return nil, err
	}
	p, resources, err := oauth.SplitResource(form)
	if err != nil {
		return nil, err
	}
	creds, err := oauth.ParseClientCredentials(r.Header.Get("Authorization"), p)
	if err != nil {
		return nil, err
	}
	client, err := h.authenticate(r, creds)
	if err != nil {
		h.auditAuthFailure(r.Context(), PathToken, creds, err)
		return nil, err
	}
	gt := p["grant_type"]
	if gt == "" {
		return nil, oauth.Errorf(oauth.InvalidRequest, "grant_type is required")
	}
	g, ok := h.grants[gt]
	if !ok {
		return nil, oauth.Errorf(oauth.UnsupportedGrantType, "grant_type %q is not supported", truncate(gt, 40))
	}
	if !g.allowed(client) {
		return nil, oauth.Errorf(oauth.UnauthorizedClient, "this client may not use grant_type %q", gt)
	}
	t, err := h.loadTarget(r.Context(), client, resources)
	if err != nil {
		return nil, err
	}
	return g.run(audit.WithGrantType(r.Context(), gt), client, p, t)
}

// postOnly answers other methods on the back-channel endpoints (RFC 6749
// §3.2, RFC 7009 §2.1, RFC 7662 §2.1 all say POST) with a JSON error.
func postOnly(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Allow", http.MethodPost)
	oauth.WriteError(w, nil, oauth.Errorf(oauth.InvalidRequest, "this endpoint accepts POST only").WithStatus(http.StatusMethodNotAllowed))
}

func interactive(c storage.Client) bool { return c.Type != storage.ClientService }

func service(c storage.Client) bool { return c.Type == storage.ClientService }

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
