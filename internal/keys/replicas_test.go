package keys

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestReplicasRacingAgreeAndTidyUp(t *testing.T) {
	ctx := context.Background()
	store, clk := &memStore{}, newClock()
	// Hold every create until both replicas have read the empty store, so
	// that each creates a current and a next key of its own.
	gate := make(chan struct{})
	var arrived atomic.Int32
	store.beforeCreate = func() {
		if arrived.Add(1) == 2 {
			close(gate)
		}
		select {
		case <-gate:
		case <-time.After(5 * time.Second):
			t.Error("the other replica never created a key")
		}
	}
	a, b := newRing(t, store, clk, ES256, EdDSA), newRing(t, store, clk, ES256, EdDSA)
	var wg sync.WaitGroup
	for _, r := range []*Ring{a, b} {
		wg.Go(func() {
			if err := r.Ensure(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	store.beforeCreate = nil
	for _, alg := range []string{ES256, EdDSA} {
		if n := store.count(alg); n != 4 {
			t.Fatalf("%s: %d keys after the race, want 4 (a current and a next per replica)", alg, n)
		}
	}
	agree := func(when string) {
		t.Helper()
		for _, r := range []*Ring{a, b} {
			if err := r.reload(ctx); err != nil {
				t.Fatal(err)
			}
		}
		for _, alg := range []string{ES256, EdDSA} {
			ka, errA := a.Signer(ctx, alg)
			kb, errB := b.Signer(ctx, alg)
			if errA != nil || errB != nil || ka.ID != kb.ID {
				t.Errorf("%s, %s: replicas sign with %s (%v) and %s (%v)", when, alg, ka.ID, errA, kb.ID, errB)
			}
		}
		ia, _ := a.Keys(ctx)
		ib, _ := b.Keys(ctx)
		if !slices.Equal(ia, ib) {
			t.Errorf("%s: replicas classify keys differently:\n%+v\n%+v", when, ia, ib)
		}
	}
	agree("after the race")

	// Maintenance ends the younger current key's period (it may have
	// signed, so it stays published) and deletes the spare next key
	// (which never signed). Running it again, on either replica, creates
	// nothing more.
	clk.Set(t0.Add(time.Minute))
	for _, r := range []*Ring{a, b, a, b} {
		if err := r.Ensure(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for _, alg := range []string{ES256, EdDSA} {
		if n := store.count(alg); n != 3 {
			t.Errorf("%s: %d keys after maintenance, want 3", alg, n)
		}
	}
	infos, _ := a.Keys(ctx)
	count := map[State]int{}
	for _, i := range infos {
		count[i.State]++
	}
	if count[StateCurrent] != 2 || count[StateNext] != 2 || count[StatePrevious] != 2 {
		t.Errorf("states after maintenance: %v; want one current, next and previous per algorithm", count)
	}
	agree("after maintenance")
	clk.Set(t0.Add(testPeriod))
	agree("at the first rotation")
}

func TestConcurrentSignersCreateOneSet(t *testing.T) {
	// Requests arriving together at a fresh store must not each create keys.
	ctx := context.Background()
	store, clk := &memStore{}, newClock()
	r := newRing(t, store, clk, ES256)
	ids := make([]string, 8)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Go(func() {
			k, err := r.Signer(ctx, ES256)
			if err != nil {
				t.Error(err)
			}
			ids[i] = k.ID
		})
	}
	wg.Wait()
	if n := store.count(ES256); n != 2 {
		t.Errorf("store has %d keys, want a current and a next", n)
	}
	if ids[0] == "" || slices.ContainsFunc(ids, func(id string) bool { return id != ids[0] }) {
		t.Errorf("concurrent signers used different keys: %v", ids)
	}
}

func TestRunMaintainsInTheBackground(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	store, clk := &memStore{}, newClock()
	r := newRing(t, store, clk, ES256)
	if err := r.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		r.Run(ctx, 5*time.Millisecond)
		close(done)
	}()
	clk.Set(t0.Add(testPeriod)) // the next key signs; a new next is due
	deadline := time.Now().Add(5 * time.Second)
	for store.count(ES256) < 3 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := store.count(ES256); n != 3 {
		t.Errorf("the loop did not create the next key: %d keys", n)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}

func TestDescribe(t *testing.T) {
	store, clk := &memStore{}, newClock()
	r := newRing(t, store, clk, ES256)
	if err := r.Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
	late := t0.Add(testPeriod + effRetention)
	tests := []struct {
		name      string
		now       time.Time
		retention time.Duration
		want      []State
	}{
		{"start", t0, effRetention, []State{StateCurrent, StateNext}},
		{"retention unknown: never retired", late, 0, []State{StatePrevious, StateCurrent}},
		{"retention known", late, effRetention, []State{StateRetired, StateCurrent}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			infos := Describe(store.keys, tt.now, tt.retention)
			var got []State
			for _, i := range infos {
				got = append(got, i.State)
				if tt.retention == 0 && !i.RetiresAt.IsZero() || tt.retention > 0 && !i.RetiresAt.Equal(i.NotAfter.Add(tt.retention)) {
					t.Errorf("RetiresAt = %v with retention %v", i.RetiresAt, tt.retention)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("states = %v, want %v", got, tt.want)
			}
		})
	}
}
