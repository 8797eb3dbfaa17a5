package adminapi

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// clientJSON is a client as the API shows it: never its secret hashes or
// sealed secret. ClientSecret is set only by create and rotate-secret.
type clientJSON struct {
	ClientID                string          `json:"client_id"`
	ClientSecret            string          `json:"client_secret,omitempty"`
	Name                    string          `json:"name"`
	Type                    string          `json:"type"`
	Public                  bool            `json:"public"`
	ProjectID               string          `json:"project_id"`
	APIs                    []string        `json:"apis"`
	RedirectURIs            []string        `json:"redirect_uris"`
	RedirectURIPatterns     []string        `json:"redirect_uri_patterns"`
	DefaultRedirectURI      string          `json:"default_redirect_uri"`
	PostLogoutRedirectURIs  []string        `json:"post_logout_redirect_uris"`
	Scopes                  []string        `json:"scopes"`
	AuthMethod              string          `json:"token_endpoint_auth_method"`
	JWKSURI                 string          `json:"jwks_uri,omitempty"`
	JWKS                    json.RawMessage `json:"jwks,omitempty"`
	PKCEOptional            bool            `json:"pkce_optional"`
	AllowPlainPKCE          bool            `json:"allow_plain_pkce"`
	IDTokenAlg              string          `json:"id_token_signed_response_alg"`
	IssueRefreshTokens      bool            `json:"issue_refresh_tokens"`
	RefreshIdleTTL          int64           `json:"refresh_idle_ttl_seconds"`
	RefreshAbsoluteTTL      int64           `json:"refresh_absolute_ttl_seconds"`
	PreviousSecretExpiresAt *time.Time      `json:"previous_secret_expires_at,omitempty"`
	CreatedAt               time.Time       `json:"created_at"`
	UpdatedAt               time.Time       `json:"updated_at"`
}

func toClient(c storage.Client, secret string) clientJSON {
	out := clientJSON{
		ClientID: c.ID, ClientSecret: secret, Name: c.Name, Type: string(c.Type), Public: c.Type.Public(),
		ProjectID: c.ProjectID, APIs: c.APIs,
		RedirectURIs: c.RedirectURIs, RedirectURIPatterns: c.RedirectURIPatterns, DefaultRedirectURI: c.DefaultRedirectURI,
		PostLogoutRedirectURIs: c.PostLogoutRedirectURIs, Scopes: c.Scopes,
		AuthMethod: admin.EffectiveAuthMethod(c), JWKSURI: c.JWKSURI,
		PKCEOptional: c.PKCEOptional, AllowPlainPKCE: c.AllowPlainPKCE, IDTokenAlg: c.IDTokenAlg,
		IssueRefreshTokens: c.IssueRefreshTokens,
		RefreshIdleTTL:     int64(c.RefreshIdleTTL / time.Second), RefreshAbsoluteTTL: int64(c.RefreshAbsoluteTTL / time.Second),
		CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(),
	}
	if len(c.JWKS) > 0 && json.Valid(c.JWKS) {
		out.JWKS = c.JWKS
	}
	if c.PreviousSecretHash != "" {
		t := c.PreviousSecretExpiresAt.UTC()
		out.PreviousSecretExpiresAt = &t
	}
	return out
}

// clientInput is the body of create and update: an update changes only
// the members it holds and is then validated as a whole, like a create.
type clientInput struct {
	Type                   *string          `json:"type"`
	Name                   *string          `json:"name"`
	ProjectID              *string          `json:"project_id"`
	APIs                   *[]string        `json:"apis"`
	RedirectURIs           *[]string        `json:"redirect_uris"`
	RedirectURIPatterns    *[]string        `json:"redirect_uri_patterns"`
	DefaultRedirectURI     *string          `json:"default_redirect_uri"`
	PostLogoutRedirectURIs *[]string        `json:"post_logout_redirect_uris"`
	Scopes                 *[]string        `json:"scopes"`
	AuthMethod             *string          `json:"token_endpoint_auth_method"`
	JWKSURI                *string          `json:"jwks_uri"`
	JWKS                   *json.RawMessage `json:"jwks"`
	PKCEOptional           *bool            `json:"pkce_optional"`
	AllowPlainPKCE         *bool            `json:"allow_plain_pkce"`
	IDTokenAlg             *string          `json:"id_token_signed_response_alg"`
	IssueRefreshTokens     *bool            `json:"issue_refresh_tokens"`
	RefreshIdleTTL         *int64           `json:"refresh_idle_ttl_seconds"`
	RefreshAbsoluteTTL     *int64           `json:"refresh_absolute_ttl_seconds"`
}

// maxTTLSeconds bounds lifetimes so that seconds convert to a Duration
// without overflow: ten years.
const maxTTLSeconds = 10 * 365 * 24 * 3600

func (in clientInput) apply(c admin.NewClient) (admin.NewClient, error) {
	if in.Type != nil {
		c.Type = storage.ClientType(*in.Type)
	}
	setIf(&c.Name, in.Name)
	setIf(&c.ProjectID, in.ProjectID)
	setIf(&c.APIs, in.APIs)
	setIf(&c.RedirectURIs, in.RedirectURIs)
	setIf(&c.RedirectURIPatterns, in.RedirectURIPatterns)
	setIf(&c.DefaultRedirectURI, in.DefaultRedirectURI)
	setIf(&c.PostLogoutRedirectURIs, in.PostLogoutRedirectURIs)
	setIf(&c.Scopes, in.Scopes)
	setIf(&c.AuthMethod, in.AuthMethod)
	setIf(&c.JWKSURI, in.JWKSURI)
	if in.JWKS != nil {
		c.JWKS = []byte(*in.JWKS)
		if string(c.JWKS) == "null" {
			c.JWKS = nil
		}
	}
	setIf(&c.PKCEOptional, in.PKCEOptional)
	setIf(&c.AllowPlainPKCE, in.AllowPlainPKCE)
	setIf(&c.IDTokenAlg, in.IDTokenAlg)
	setIf(&c.IssueRefreshTokens, in.IssueRefreshTokens)
	for _, ttl := range []struct {
		field string
		in    *int64
		out   *time.Duration
	}{
		{"refresh_idle_ttl_seconds", in.RefreshIdleTTL, &c.RefreshIdleTTL},
		{"refresh_absolute_ttl_seconds", in.RefreshAbsoluteTTL, &c.RefreshAbsoluteTTL},
	} {
		if ttl.in == nil {
			continue
		}
		if *ttl.in < 0 || *ttl.in > maxTTLSeconds {
			return c, badBody(ttl.field, "must be between 0 (the server's default) and %d seconds", maxTTLSeconds)
		}
		*ttl.out = time.Duration(*ttl.in) * time.Second
	}
	return c, nil
}

func (h *Handler) listClients(w http.ResponseWriter, r *http.Request) {
	cs, err := h.svc.ListClients(r.Context())
	if err != nil {
		h.fail(w, err)
		return
	}
	project, filter := r.URL.Query().Get("project_id"), r.URL.Query().Has("project_id")
	out := make([]clientJSON, 0, len(cs))
	for _, c := range cs {
		if !filter || c.ProjectID == project {
			out = append(out, toClient(c, ""))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"clients": out})
}

func (h *Handler) createClient(w http.ResponseWriter, r *http.Request) {
	var body clientInput
	if err := decode(w, r, &body, false); err != nil {
		h.fail(w, err)
		return
	}
	in, err := body.apply(admin.NewClient{})
	if err != nil {
		h.fail(w, err)
		return
	}
	c, secret, err := h.svc.CreateClient(r.Context(), in)
	if err != nil {
		h.fail(w, err)
		return
	}
	created(w, "/clients/"+c.ID, toClient(c, secret))
}

func (h *Handler) getClient(w http.ResponseWriter, r *http.Request) {
	c, err := h.svc.GetClient(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, toClient(c, ""))
}

func (h *Handler) updateClient(w http.ResponseWriter, r *http.Request) {
	var body clientInput
	if err := decode(w, r, &body, false); err != nil {
		h.fail(w, err)
		return
	}
	ctx := r.Context()
	old, err := h.svc.GetClient(ctx, r.PathValue("id"))
	if err != nil {
		h.fail(w, err)
		return
	}
	in, err := body.apply(admin.ClientInput(old))
	if err != nil {
		h.fail(w, err)
		return
	}
	c, err := h.svc.UpdateClient(ctx, old.ID, in)
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, toClient(c, ""))
}

func (h *Handler) deleteClient(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.DeleteClient(r.Context(), r.PathValue("id")); err != nil {
		h.fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// rotateSecret gives the client a new secret, shown in this response only.
// overlap_seconds (default admin.DefaultSecretOverlap) is how long the old
// one keeps working; 0 ends it at once.
func (h *Handler) rotateSecret(w http.ResponseWriter, r *http.Request) {
	var body struct {
		OverlapSeconds *int64 `json:"overlap_seconds"`
	}
	if err := decode(w, r, &body, true); err != nil {
		h.fail(w, err)
		return
	}
	overlap := admin.DefaultSecretOverlap
	if body.OverlapSeconds != nil {
		if *body.OverlapSeconds < 0 || *body.OverlapSeconds > maxTTLSeconds {
			h.fail(w, badBody("overlap_seconds", "must be between 0 and %d seconds", int64(admin.MaxSecretOverlap/time.Second)))
			return
		}
		overlap = time.Duration(*body.OverlapSeconds) * time.Second
	}
	c, secret, err := h.svc.RotateSecret(r.Context(), r.PathValue("id"), overlap)
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, toClient(c, secret))
}
