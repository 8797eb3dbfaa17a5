package adminapi

import (
	"net/http"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// apiInput is the body of create and update. An update may repeat the
// project_id but not change it: an API stays in its project.
type apiInput struct {
	ProjectID  *string            `json:"project_id"`
	Name       *string            `json:"name"`
	Identifier *string            `json:"identifier"`
	Scopes     *[]admin.ScopeView `json:"scopes"`
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
	out := make([]admin.APIView, 0, len(as))
	for _, a := range as {
		out = append(out, admin.APIViewOf(a))
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
	created(w, "/apis/"+a.ID, admin.APIViewOf(a))
}

func (h *Handler) getAPI(w http.ResponseWriter, r *http.Request) {
	a, err := h.svc.GetAPI(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, admin.APIViewOf(a))
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
	writeJSON(w, http.StatusOK, admin.APIViewOf(a))
}

func (h *Handler) deleteAPI(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.DeleteAPI(r.Context(), r.PathValue("id")); err != nil {
		h.fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
