package adminapi

import (
	"net/http"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

type apiScopeJSON struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

type apiJSON struct {
	ID         string         `json:"id"`
	ProjectID  string         `json:"project_id"`
	Name       string         `json:"name"`
	Identifier string         `json:"identifier"`
	Scopes     []apiScopeJSON `json:"scopes"`
	CreatedAt  time.Time      `json:"created_at"`
	UpdatedAt  time.Time      `json:"updated_at"`
}

func toAPI(a storage.API) apiJSON {
	out := apiJSON{ID: a.ID, ProjectID: a.ProjectID, Name: a.Name, Identifier: a.Identifier,
		Scopes: make([]apiScopeJSON, 0, len(a.Scopes)), CreatedAt: a.CreatedAt.UTC(), UpdatedAt: a.UpdatedAt.UTC()}
	for _, s := range a.Scopes {
		out.Scopes = append(out.Scopes, apiScopeJSON(s))
	}
	return out
}

// apiInput is the body of create and update. An update may repeat the
// project_id but not change it: an API stays in its project.
type apiInput struct {
	ProjectID  *string         `json:"project_id"`
	Name       *string         `json:"name"`
	Identifier *string         `json:"identifier"`
	Scopes     *[]apiScopeJSON `json:"scopes"`
}

func (in apiInput) apply(a admin.APIInput) admin.APIInput {
	setIf(&a.ProjectID, in.ProjectID)
	setIf(&a.Name, in.Name)
	setIf(&a.Identifier, in.Identifier)
	if in.Scopes != nil {
		a.Scopes = make([]storage.APIScope, 0, len(*in.Scopes))
		for _, s := range *in.Scopes {
			a.Scopes = append(a.Scopes, storage.APIScope(s))
		}
	}
	return a
}

func (h *Handler) listAPIs(w http.ResponseWriter, r *http.Request) {
	as, err := h.svc.ListAPIs(r.Context(), r.URL.Query().Get("project_id"))
	if err != nil {
		h.fail(w, err)
		return
	}
	out := make([]apiJSON, 0, len(as))
	for _, a := range as {
		out = append(out, toAPI(a))
	}
	writeJSON(w, http.StatusOK, map[string]any{"apis": out})
}

func (h *Handler) createAPI(w http.ResponseWriter, r *http.Request) {
	var in apiInput
	if err := decode(w, r, &in, false); err != nil {
		h.fail(w, err)
		return
	}
	a, err := h.svc.CreateAPI(r.Context(), in.apply(admin.APIInput{}))
	if err != nil {
		h.fail(w, err)
		return
	}
	created(w, "/apis/"+a.ID, toAPI(a))
}

func (h *Handler) getAPI(w http.ResponseWriter, r *http.Request) {
	a, err := h.svc.GetAPI(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, toAPI(a))
}

func (h *Handler) updateAPI(w http.ResponseWriter, r *http.Request) {
	var in apiInput
	if err := decode(w, r, &in, false); err != nil {
		h.fail(w, err)
		return
	}
	ctx := r.Context()
	old, err := h.svc.GetAPI(ctx, r.PathValue("id"))
	if err != nil {
		h.fail(w, err)
		return
	}
	if in.ProjectID != nil && *in.ProjectID != old.ProjectID {
		h.fail(w, badBody("project_id", "an API stays in the project it was created in"))
		return
	}
	a, err := h.svc.UpdateAPI(ctx, old.ID, in.apply(admin.APIInput{Name: old.Name, Identifier: old.Identifier, Scopes: old.Scopes}))
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, toAPI(a))
}

func (h *Handler) deleteAPI(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.DeleteAPI(r.Context(), r.PathValue("id")); err != nil {
		h.fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
