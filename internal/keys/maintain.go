package keys

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/audit"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// spareMargin keeps maintenance from deleting a spare next key that is
// about to activate: a replica whose clock runs ahead might already sign
// with it. Such a key is retired like any other extra instead.
const spareMargin = time.Minute

// Ensure is the maintenance step a server runs when it starts and then
// every minute (Run). Any number of replicas may run it at once. For each
// algorithm it
//   - deletes retired keys (those past NotAfter plus the retention);
//   - makes sure a key signs: when none may, it promotes the oldest next
//     key (already published) or creates one;
//   - ends the signing period of younger keys that could sign too (two
//     replicas that started at once each created one), making them
//     previous keys: they may have signed, so they keep verifying;
//   - makes sure a next key exists, activating when the current key stops
//     signing, and deletes younger spare next keys, which never signed.
//
// Racing replicas may each create a next key. Ensure rereads the store
// afterwards and the oldest key wins every choice, so that is harmless;
// the next run deletes the spare.
func (r *Ring) Ensure(ctx context.Context) error {
	r.maintain.Lock()
	defer r.maintain.Unlock()
	return r.ensure(ctx, true)
}

// Run calls Ensure every interval until ctx is done, so that next keys
// appear and retired keys go even when no request comes. Failures are
// logged and retried at the next tick.
func (r *Ring) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := r.Ensure(ctx); err != nil && ctx.Err() == nil {
				r.log.Error("signing-key maintenance failed", "error", err)
			}
		}
	}
}

// ensure runs the maintenance step with r.maintain held; prune also
// deletes retired keys.
func (r *Ring) ensure(ctx context.Context, prune bool) error {
	if err := r.reload(ctx); err != nil {
		return err
	}
	changed := false
	for _, alg := range r.algs {
		c, err := r.ensureAlg(ctx, alg, prune)
		if err != nil {
			return err
		}
		changed = changed || c
	}
	if changed {
		return r.reload(ctx)
	}
	return nil
}

func (r *Ring) ensureAlg(ctx context.Context, alg string, prune bool) (bool, error) {
	now := r.now()
	stamp := now.UTC().Truncate(time.Second)
	r.mu.Lock()
	v := classify(r.keys, alg, now, r.retention)
	r.mu.Unlock()
	changed := false
	if prune && r.managed != nil {
		for _, k := range v.retired {
			if err := r.delete(ctx, k, "retired"); err != nil {
				return changed, err
			}
			changed = true
		}
	}
	cur := v.current
	if cur == nil {
		if len(v.pending) > 0 && r.managed != nil {
			n := v.pending[0]
			v.pending = v.pending[1:]
			if err := r.update(ctx, n.ID, stamp, n.NotAfter); err != nil {
				return changed, err
			}
			r.log.Info("signing key promoted: no key was signing", "kid", n.ID, "alg", alg)
			r.audit.Record(ctx, audit.Event{Action: audit.KeyPromoted, Target: n.ID, Details: map[string]any{"alg": alg}})
			n.ActivatesAt = stamp
			cur = &n
		} else {
			k, err := r.create(ctx, alg, stamp, stamp, stamp.Add(r.period), StateCurrent)
			if err != nil {
				return changed, err
			}
			cur = &k
		}
		changed = true
	}
	if r.managed != nil {
		for _, k := range v.extra {
			if err := r.update(ctx, k.ID, k.ActivatesAt, latest(stamp, k.ActivatesAt)); err != nil {
				return changed, err
			}
			r.log.Info("signing key retired early: an older key signs", "kid", k.ID, "alg", alg)
			r.audit.Record(ctx, audit.Event{Action: audit.KeyRetired, Target: k.ID, Details: map[string]any{"alg": alg}})
			changed = true
		}
	}
	if len(v.pending) == 0 {
		if _, err := r.create(ctx, alg, stamp, cur.NotAfter, cur.NotAfter.Add(r.period), StateNext); err != nil {
			return changed, err
		}
		return true, nil
	}
	if r.managed != nil {
		for _, k := range v.pending[1:] {
			if k.ActivatesAt.After(now.Add(spareMargin)) {
				if err := r.delete(ctx, k, "spare next key"); err != nil {
					return changed, err
				}
				changed = true
			}
		}
	}
	return changed, nil
}

// Rotation is what Rotate did to one algorithm's keys.
type Rotation struct {
	Alg      string
	Previous Info // stopped signing
	Current  Info // the former next key, signing from now
	Next     Info // created, signs one period from now
}

// ErrCannotRotate means the ring's store cannot update keys.
var ErrCannotRotate = errors.New("keys: store cannot update signing keys")

// Rotate makes alg's next key sign now and creates a new next key; the
// key that signed until now keeps verifying as a previous key. Other
// replicas follow within their Refresh interval (until then they sign
// with the previous key, which the retention allows for). The promoted
// key has been published since it was created; Info.CreatedAt says how
// long relying parties have had to fetch it.
func (r *Ring) Rotate(ctx context.Context, alg string) (Rotation, error) {
	if !slices.Contains(r.algs, alg) {
		return Rotation{}, fmt.Errorf("unsupported signing algorithm %q", alg)
	}
	if r.managed == nil {
		return Rotation{}, ErrCannotRotate
	}
	r.maintain.Lock()
	defer r.maintain.Unlock()
	if err := r.ensure(ctx, false); err != nil {
		return Rotation{}, err
	}
	now := r.now()
	stamp := now.UTC().Truncate(time.Second)
	r.mu.Lock()
	v := classify(r.keys, alg, now, r.retention)
	r.mu.Unlock()
	if v.current == nil || len(v.pending) == 0 {
		return Rotation{}, fmt.Errorf("rotate %s: no current and next key", alg)
	}
	old, next := *v.current, v.pending[0]
	// Promote first: until the old key's period is ended, both may sign
	// and the older one does, so no replica ever sees no signing key.
	if err := r.update(ctx, next.ID, stamp, stamp.Add(r.period)); err != nil {
		return Rotation{}, err
	}
	for _, k := range append([]Key{old}, v.extra...) {
		if err := r.update(ctx, k.ID, k.ActivatesAt, latest(stamp, k.ActivatesAt)); err != nil {
			return Rotation{}, err
		}
	}
	for _, k := range v.pending[1:] {
		if k.ActivatesAt.After(now.Add(spareMargin)) {
			if err := r.delete(ctx, k, "spare next key"); err != nil {
				return Rotation{}, err
			}
		}
	}
	created, err := r.create(ctx, alg, stamp, stamp.Add(r.period), stamp.Add(2*r.period), StateNext)
	if err != nil {
		return Rotation{}, err
	}
	if err := r.reload(ctx); err != nil {
		return Rotation{}, err
	}
	r.log.Info("signing keys rotated", "alg", alg, "previous", old.ID, "current", next.ID, "next", created.ID)
	r.audit.Record(ctx, audit.Event{Action: audit.KeyRotated, Target: next.ID, Details: map[string]any{"alg": alg, "previous": old.ID, "next": created.ID}})
	rot := Rotation{Alg: alg}
	r.mu.Lock()
	for _, i := range describe(r.keys, now, r.retention) {
		switch i.ID {
		case old.ID:
			rot.Previous = i
		case next.ID:
			rot.Current = i
		case created.ID:
			rot.Next = i
		}
	}
	r.mu.Unlock()
	return rot, nil
}

// create generates and stores a key; it returns the key's times only.
func (r *Ring) create(ctx context.Context, alg string, now, activates, notAfter time.Time, as State) (Key, error) {
	rec, err := newRecord(alg, r.sealer, now, activates, notAfter)
	if err != nil {
		return Key{}, err
	}
	if err := r.store.CreateSigningKey(ctx, rec); err != nil {
		return Key{}, fmt.Errorf("store %s key: %w", alg, err)
	}
	r.log.Info("signing key created", "kid", rec.ID, "alg", alg, "state", as, "activates_at", activates, "not_after", notAfter)
	r.audit.Record(ctx, audit.Event{Action: audit.KeyCreated, Target: rec.ID, Details: map[string]any{"alg": alg, "state": as}})
	return keyTimes(rec), nil
}

func (r *Ring) update(ctx context.Context, id string, activates, notAfter time.Time) error {
	if err := r.managed.UpdateSigningKey(ctx, id, activates, notAfter); err != nil {
		return fmt.Errorf("update signing key %s: %w", id, err)
	}
	return nil
}

// delete removes a key; another replica deleting it first is fine.
func (r *Ring) delete(ctx context.Context, k Key, why string) error {
	err := r.managed.DeleteSigningKey(ctx, k.ID)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("delete signing key %s: %w", k.ID, err)
	}
	r.log.Info("signing key deleted", "kid", k.ID, "alg", k.Alg, "reason", why)
	if err == nil { // else another replica deleted it, and records that
		r.audit.Record(ctx, audit.Event{Action: audit.KeyDeleted, Target: k.ID, Details: map[string]any{"alg": k.Alg, "reason": why}})
	}
	return nil
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
