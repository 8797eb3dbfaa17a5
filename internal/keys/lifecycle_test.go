package keys

import (
	"context"
	"errors"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// names gives the ring's keys readable names in order of activation (K1,
// K2, ...), remembered across calls so a test can follow a key through
// time. (A current and a next key are created in the same second.)
type names map[string]string

func (n names) of(t *testing.T, store *memStore) map[string]string {
	t.Helper()
	recs, _ := store.ListSigningKeys(context.Background())
	slices.SortStableFunc(recs, func(a, b storage.SigningKey) int { return a.ActivatesAt.Compare(b.ActivatesAt) })
	for _, rec := range recs {
		if _, ok := n[rec.ID]; !ok {
			n[rec.ID] = "K" + string(rune('1'+len(n)))
		}
	}
	return n
}

// snapshot is what a ring shows for one algorithm at one instant.
type snapshot struct {
	signer string
	jwks   []string         // published kids, by name, sorted
	states map[string]State // by name, keys still in the store
	stored []string         // names in the store, sorted
}

func snap(t *testing.T, r *Ring, store *memStore, n names) snapshot {
	t.Helper()
	ctx := context.Background()
	var s snapshot
	k, err := r.Signer(ctx, ES256)
	if err != nil {
		t.Fatal(err)
	}
	byID := n.of(t, store) // after Signer, which may create a key
	s.signer = byID[k.ID]
	set, err := r.JWKS(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range set.Keys {
		s.jwks = append(s.jwks, byID[k.KeyID])
	}
	slices.Sort(s.jwks)
	infos, err := r.Keys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s.states = map[string]State{}
	for _, i := range infos {
		s.states[byID[i.ID]] = i.State
	}
	recs, _ := store.ListSigningKeys(ctx)
	for _, rec := range recs {
		s.stored = append(s.stored, byID[rec.ID])
	}
	slices.Sort(s.stored)
	return s
}

func TestLifecycleOverTime(t *testing.T) {
	// One key ring over three periods, with the maintenance step run at
	// each instant as the server's loop would (maintain) or not (the
	// states then follow from the stored times alone).
	steps := []struct {
		name     string
		at       time.Duration
		maintain bool
		want     snapshot
	}{
		{"start", 0, true, snapshot{signer: "K1", jwks: []string{"K1", "K2"},
			states: map[string]State{"K1": StateCurrent, "K2": StateNext}, stored: []string{"K1", "K2"}}},
		{"last second of K1", testPeriod - time.Second, true, snapshot{signer: "K1", jwks: []string{"K1", "K2"},
			states: map[string]State{"K1": StateCurrent, "K2": StateNext}, stored: []string{"K1", "K2"}}},
		{"K2 activates on time alone", testPeriod, false, snapshot{signer: "K2", jwks: []string{"K1", "K2"},
			states: map[string]State{"K1": StatePrevious, "K2": StateCurrent}, stored: []string{"K1", "K2"}}},
		{"maintenance adds K3 as next", testPeriod + time.Minute, true, snapshot{signer: "K2", jwks: []string{"K1", "K2", "K3"},
			states: map[string]State{"K1": StatePrevious, "K2": StateCurrent, "K3": StateNext}, stored: []string{"K1", "K2", "K3"}}},
		{"K1 still verifies at the end of retention", testPeriod + effRetention - time.Second, true, snapshot{signer: "K2", jwks: []string{"K1", "K2", "K3"},
			states: map[string]State{"K1": StatePrevious, "K2": StateCurrent, "K3": StateNext}, stored: []string{"K1", "K2", "K3"}}},
		{"K1 retired: unpublished before deletion", testPeriod + effRetention, false, snapshot{signer: "K2", jwks: []string{"K2", "K3"},
			states: map[string]State{"K1": StateRetired, "K2": StateCurrent, "K3": StateNext}, stored: []string{"K1", "K2", "K3"}}},
		{"maintenance deletes K1", testPeriod + effRetention + time.Minute, true, snapshot{signer: "K2", jwks: []string{"K2", "K3"},
			states: map[string]State{"K2": StateCurrent, "K3": StateNext}, stored: []string{"K2", "K3"}}},
		{"K3 takes over", 2 * testPeriod, true, snapshot{signer: "K3", jwks: []string{"K2", "K3", "K4"},
			states: map[string]State{"K2": StatePrevious, "K3": StateCurrent, "K4": StateNext}, stored: []string{"K2", "K3", "K4"}}},
	}
	ctx := context.Background()
	store, clk := &memStore{}, newClock()
	r := newRing(t, store, clk, ES256)
	n := names{}
	for _, st := range steps {
		clk.Set(t0.Add(st.at))
		if st.maintain {
			if err := r.Ensure(ctx); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
		}
		got := snap(t, r, store, n)
		if got.signer != st.want.signer || !slices.Equal(got.jwks, st.want.jwks) ||
			!maps.Equal(got.states, st.want.states) || !slices.Equal(got.stored, st.want.stored) {
			t.Errorf("%s (t0+%v):\n got %+v\nwant %+v", st.name, st.at, got, st.want)
		}
	}
	// Every key's periods abut: K(n+1) activates when K(n) stops.
	recs, _ := store.ListSigningKeys(ctx)
	for i := 1; i < len(recs); i++ {
		if !recs[i].ActivatesAt.Equal(recs[i-1].NotAfter) {
			t.Errorf("gap or overlap between %s (until %v) and %s (from %v)", n[recs[i-1].ID], recs[i-1].NotAfter, n[recs[i].ID], recs[i].ActivatesAt)
		}
	}
}

func TestRotate(t *testing.T) {
	ctx := context.Background()
	store, clk := &memStore{}, newClock()
	r := newRing(t, store, clk, ES256, EdDSA)
	replica := newRing(t, store, clk, ES256, EdDSA)
	if err := r.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	at := t0.Add(10 * time.Minute)
	clk.Set(at)
	old, _ := r.Signer(ctx, ES256)
	oldReplica, _ := replica.Signer(ctx, ES256) // the replica's cache is fresh now
	oldEd, _ := r.Signer(ctx, EdDSA)
	if old.ID != oldReplica.ID {
		t.Fatalf("replicas disagree before rotation")
	}
	rot, err := r.Rotate(ctx, ES256)
	if err != nil {
		t.Fatal(err)
	}
	if rot.Alg != ES256 || rot.Previous.ID != old.ID || rot.Previous.State != StatePrevious || !rot.Previous.NotAfter.Equal(at) {
		t.Errorf("previous = %+v; want %s ending now", rot.Previous, old.ID)
	}
	if rot.Current.State != StateCurrent || !rot.Current.ActivatesAt.Equal(at) || !rot.Current.NotAfter.Equal(at.Add(testPeriod)) || !rot.Current.CreatedAt.Equal(t0) {
		t.Errorf("current = %+v; want the former next key, signing for a period from now", rot.Current)
	}
	if rot.Next.State != StateNext || !rot.Next.ActivatesAt.Equal(rot.Current.NotAfter) || !rot.Next.CreatedAt.Equal(at) {
		t.Errorf("next = %+v; want a new key activating when the current one stops", rot.Next)
	}
	k, _ := r.Signer(ctx, ES256)
	if k.ID != rot.Current.ID {
		t.Errorf("rotating ring signs with %s, want %s", k.ID, rot.Current.ID)
	}
	if k, _ := r.Signer(ctx, EdDSA); k.ID != oldEd.ID {
		t.Errorf("rotating ES256 changed the EdDSA key")
	}
	if store.count(ES256) != 3 || store.count(EdDSA) != 2 {
		t.Errorf("store has %d ES256 and %d EdDSA keys, want 3 and 2", store.count(ES256), store.count(EdDSA))
	}
	// The replica's cache is stale for up to a refresh interval; it keeps
	// signing with the old key, which is why retention includes Refresh.
	if k, _ := replica.Signer(ctx, ES256); k.ID != old.ID {
		t.Errorf("replica switched before its refresh: %s", k.ID)
	}
	clk.Set(at.Add(DefaultRefresh))
	if k, _ := replica.Signer(ctx, ES256); k.ID != rot.Current.ID {
		t.Errorf("replica signs with %s after its refresh, want %s", k.ID, rot.Current.ID)
	}
	// The old key verifies and is published until the retention ends.
	clk.Set(at.Add(effRetention - time.Second))
	if _, err := replica.Verifier(ctx, old.ID); err != nil {
		t.Errorf("previous key no longer verifies before its retention ends: %v", err)
	}
	clk.Set(at.Add(effRetention))
	if err := r.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := store.get(old.ID); ok {
		t.Errorf("retired key not deleted")
	}
	clk.Set(at.Add(effRetention + minForcedReload))
	if _, err := replica.Verifier(ctx, old.ID); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("deleted key still verifies: %v", err)
	}
	set, _ := replica.JWKS(ctx)
	for _, k := range set.Keys {
		if k.KeyID == old.ID {
			t.Errorf("deleted key still published")
		}
	}
	if _, err := r.Rotate(ctx, "HS256"); err == nil {
		t.Errorf("Rotate(HS256) succeeded")
	}
}

func TestRotateTwice(t *testing.T) {
	// Rotating again right away promotes the key created a moment ago and
	// keeps one next key; nothing is left without a signer.
	ctx := context.Background()
	store, clk := &memStore{}, newClock()
	r := newRing(t, store, clk, ES256)
	first, err := r.Rotate(ctx, ES256) // a fresh store: creates, then rotates
	if err != nil {
		t.Fatal(err)
	}
	clk.Set(t0.Add(time.Second))
	second, err := r.Rotate(ctx, ES256)
	if err != nil {
		t.Fatal(err)
	}
	if second.Previous.ID != first.Current.ID || second.Current.ID != first.Next.ID {
		t.Errorf("second rotation %+v does not follow the first %+v", second, first)
	}
	infos, _ := r.Keys(ctx)
	count := map[State]int{}
	for _, i := range infos {
		count[i.State]++
	}
	if count[StateCurrent] != 1 || count[StateNext] != 1 || count[StatePrevious] != 2 {
		t.Errorf("states after two rotations: %v", count)
	}
}

func TestEnsurePromotesPublishedNextKey(t *testing.T) {
	// When nothing may sign (here the current key was cut short by hand,
	// leaving a gap before the next key), maintenance promotes the next
	// key, which caches know, rather than creating an unpublished one.
	ctx := context.Background()
	store, clk := &memStore{}, newClock()
	r := newRing(t, store, clk, ES256)
	if err := r.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	cur, _ := r.Signer(ctx, ES256)
	if err := store.UpdateSigningKey(ctx, cur.ID, cur.ActivatesAt, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	clk.Set(t0.Add(2 * time.Minute))
	if err := r.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	n := names{}
	got := snap(t, r, store, n)
	want := snapshot{signer: "K2", jwks: []string{"K1", "K2", "K3"},
		states: map[string]State{"K1": StatePrevious, "K2": StateCurrent, "K3": StateNext}, stored: []string{"K1", "K2", "K3"}}
	if got.signer != want.signer || !slices.Equal(got.jwks, want.jwks) || !maps.Equal(got.states, want.states) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}
