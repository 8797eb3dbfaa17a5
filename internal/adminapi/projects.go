package adminapi

import (
	"errors"
	"net/http"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
)

// fail answers err: a body that could not be read, or a service error.
func (h *Handler) fail(w http.ResponseWriter, err error) {
	var re *requestError
	if errors.As(err, &re) {
		writeError(w, re.status, re.code, re.field, re.message)
		return
	}
	writeServiceError(w, h.log, err)
}

// created answers 201 with the new resource and its Location.
func created(w http.ResponseWriter, path string, v any) {
	w.Header().Set("Location", Prefix+path)
	writeJSON(w, http.StatusCreated, v)
}

// projectInput is the body of create (name required) and update (members
// left out keep their values).
type projectInput struct {
	Name        *string `json:"name"`
	Description *string `json:"description"`
}

func (in projectInput) apply(p admin.ProjectInput) admin.ProjectInput {
	setIf(&p.Name, in.Name)
	setIf(&p.Description, in.Description)
	return p
}

// setIf sets *dst to *src when src is given.
func setIf[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

func (h *Handler) listProjects(w http.ResponseWriter, r *http.Request) {
	ps, err := h.svc.ListProjects(r.Context())
	if err != nil {
		h.fail(w, err)
		return
	}
	out := make([]admin.ProjectView, 0, len(ps))
	for _, p := range ps {
		out = append(out, admin.ProjectViewOf(p))
	}
	writeJSON(w, http.StatusOK, map[string]any{"projects": out})
}

func (h *Handler) createProject(w http.ResponseWriter, r *http.Request) {
	var in projectInput
	if err := decode(w, r, &in, false); err != nil {
		h.fail(w, err)
		return
	}
	p, err := h.svc.CreateProject(r.Context(), in.apply(admin.ProjectInput{}))
	if err != nil {
		h.fail(w, err)
		return
	}
	created(w, "/projects/"+p.ID, admin.ProjectViewOf(p))
}

func (h *Handler) getProject(w http.ResponseWriter, r *http.Request) {
	p, err := h.svc.GetProject(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, admin.ProjectViewOf(p))
}

func (h *Handler) updateProject(w http.ResponseWriter, r *http.Request) {
	var in projectInput
	if err := decode(w, r, &in, false); err != nil {
		h.fail(w, err)
		return
	}
	ctx := r.Context()
	old, err := h.svc.GetProject(ctx, r.PathValue("id"))
	if err != nil {
		h.fail(w, err)
		return
	}
	p, err := h.svc.UpdateProject(ctx, old.ID, in.apply(admin.ProjectInput{Name: old.Name, Description: old.Description}))
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, admin.ProjectViewOf(p))
}

func (h *Handler) deleteProject(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.DeleteProject(r.Context(), r.PathValue("id")); err != nil {
		h.fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
