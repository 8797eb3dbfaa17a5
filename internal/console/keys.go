package console

import (
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/keys"
)

// keysData fills the signing-keys page.
type keysData struct {
	Keys []keys.Info
	Algs []string // algorithms with a current key, which can be rotated
}

func (c *Console) keys(w http.ResponseWriter, r *http.Request, a *adminUser) {
	c.showKeys(w, r, a, http.StatusOK, "")
}

func (c *Console) showKeys(w http.ResponseWriter, r *http.Request, a *adminUser, status int, notice string) {
	ks, err := c.o.Admin.ListKeys(r.Context())
	if err != nil {
		c.serverError(w, r, a, err)
		return
	}
	d := keysData{Keys: ks}
	for _, k := range ks {
		if k.State == keys.StateCurrent && !slices.Contains(d.Algs, k.Alg) {
			d.Algs = append(d.Algs, k.Alg)
		}
	}
	c.renderView(w, r, status, "keys", view{Title: "Signing keys", User: a, Data: d, Notice: notice})
}

// rotateKey promotes an algorithm's next key (admin.Service.RotateKeys,
// which records it in the audit trail): tokens signed before keep
// verifying with the previous key.
func (c *Console) rotateKey(w http.ResponseWriter, r *http.Request, a *adminUser) {
	if !c.parseForm(w, r, a) {
		return
	}
	alg := r.PostForm.Get("alg")
	if !keys.SupportedAlg(alg) {
		c.fail(w, r, a, http.StatusBadRequest, "Unknown algorithm", "Choose one of the algorithms listed on the signing keys page.")
		return
	}
	rots, err := c.o.Admin.RotateKeys(r.Context(), alg)
	if errors.Is(err, keys.ErrCannotRotate) || errors.Is(err, admin.ErrNoKeyRing) {
		c.fail(w, r, a, http.StatusConflict, "Keys are managed elsewhere", "This server's signing keys are not managed by Gatehouse, so they cannot be rotated here.")
		return
	}
	if err != nil {
		c.serverError(w, r, a, err)
		return
	}
	if len(rots) != 1 {
		c.serverError(w, r, a, fmt.Errorf("rotate %s: %d rotations", alg, len(rots)))
		return
	}
	rot := rots[0]
	c.showKeys(w, r, a, http.StatusOK, "Rotated "+alg+": "+rot.Current.ID+" signs now; "+rot.Previous.ID+" keeps verifying.")
}
