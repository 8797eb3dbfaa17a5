package adminapi

import (
	"errors"
	"net/http"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

type memberJSON struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
}

// groupJSON is a group: derived from the users' groups, it exists while it
// has members.
type groupJSON struct {
	Name        string       `json:"name"`
	MemberCount int          `json:"member_count"`
	Members     []memberJSON `json:"members"`
}

func toGroup(g admin.Group) groupJSON {
	out := groupJSON{Name: g.Name, MemberCount: len(g.Members), Members: make([]memberJSON, 0, len(g.Members))}
	for _, m := range g.Members {
		out.Members = append(out.Members, memberJSON(m))
	}
	return out
}

func isAlreadyExists(err error) bool { return errors.Is(err, storage.ErrAlreadyExists) }

func (h *Handler) listGroups(w http.ResponseWriter, r *http.Request) {
	gs, err := h.svc.ListGroups(r.Context())
	if err != nil {
		h.fail(w, err)
		return
	}
	out := make([]groupJSON, 0, len(gs))
	for _, g := range gs {
		out = append(out, toGroup(g))
	}
	writeJSON(w, http.StatusOK, map[string]any{"groups": out})
}

func (h *Handler) getGroup(w http.ResponseWriter, r *http.Request) {
	g, err := h.svc.GetGroup(r.Context(), r.PathValue("name"))
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, toGroup(g))
}

// addMember puts the user in the group (idempotent) and returns the group.
func (h *Handler) addMember(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	name := r.PathValue("name")
	_, err := h.svc.AddToGroup(ctx, name, r.PathValue("user_id"))
	if ve := (*admin.ValidationError)(nil); errors.As(err, &ve) {
		writeError(w, http.StatusBadRequest, codeInvalid, "name", ve.Message) // the path's group name
		return
	}
	if err != nil {
		h.fail(w, err)
		return
	}
	g, err := h.svc.GetGroup(ctx, name)
	if err != nil {
		h.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, toGroup(g))
}

// removeMember takes the user out of the group; 404 if not a member.
func (h *Handler) removeMember(w http.ResponseWriter, r *http.Request) {
	if _, err := h.svc.RemoveFromGroup(r.Context(), r.PathValue("name"), r.PathValue("user_id")); err != nil {
		h.fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
