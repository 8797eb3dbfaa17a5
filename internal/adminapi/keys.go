package adminapi

import (
	"net/http"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/keys"
)

// keyJSON is a signing key's public information; no key material.
type keyJSON struct {
	KID         string     `json:"kid"`
	Alg         string     `json:"alg"`
	State       string     `json:"state"`
	CreatedAt   time.Time  `json:"created_at"`
	ActivatesAt time.Time  `json:"activates_at"`
	NotAfter    time.Time  `json:"not_after"`
	RetiresAt   *time.Time `json:"retires_at,omitempty"`
}

func toKey(i keys.Info) keyJSON {
	k := keyJSON{KID: i.ID, Alg: i.Alg, State: string(i.State),
		CreatedAt: i.CreatedAt.UTC(), ActivatesAt: i.ActivatesAt.UTC(), NotAfter: i.NotAfter.UTC()}
	if !i.RetiresAt.IsZero() {
		t := i.RetiresAt.UTC()
		k.RetiresAt = &t
	}
	return k
}

type rotationJSON struct {
	Alg      string  `json:"alg"`
	Previous keyJSON `json:"previous"`
	Current  keyJSON `json:"current"`
	Next     keyJSON `json:"next"`
}

func (h *Handler) listKeys(w http.ResponseWriter, r *http.Request) {
	infos, err := h.svc.ListKeys(r.Context())
	if err != nil {
		h.fail(w, err)
		return
	}
	out := make([]keyJSON, 0, len(infos))
	for _, i := range infos {
		out = append(out, toKey(i))
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": out})
}

// rotateKeys rotates one algorithm's keys, or all for an empty body or
// alg: each next key signs from now (admin.Service.RotateKeys).
func (h *Handler) rotateKeys(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Alg string `json:"alg"`
	}
	if err := decode(w, r, &in, true); err != nil {
		h.fail(w, err)
		return
	}
	rots, err := h.svc.RotateKeys(r.Context(), in.Alg)
	if err != nil {
		h.fail(w, err)
		return
	}
	out := make([]rotationJSON, 0, len(rots))
	for _, rot := range rots {
		out = append(out, rotationJSON{Alg: rot.Alg, Previous: toKey(rot.Previous), Current: toKey(rot.Current), Next: toKey(rot.Next)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"rotations": out})
}
