package keys

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/audit"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// trail collects audit records.
type trail struct {
	mu   sync.Mutex
	recs []storage.AuditRecord
}

func (tr *trail) AppendAudit(_ context.Context, r storage.AuditRecord) (storage.AuditRecord, error) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.recs = append(tr.recs, r)
	return r, nil
}

// take returns the records since the last call and forgets them.
func (tr *trail) take() []storage.AuditRecord {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	out := tr.recs
	tr.recs = nil
	return out
}

// TestAuditKeyChanges: the ring records each key it creates, the
// rotation, and each key it deletes, with the context's actor.
func TestAuditKeyChanges(t *testing.T) {
	ctx := audit.WithActor(context.Background(), audit.ActorCLI)
	store, clk, tr := &memStore{}, newClock(), &trail{}
	r := newRing(t, store, clk, ES256)
	r.audit = audit.New(tr, audit.Options{Now: clk.Now})
	want := func(step string, actions ...string) []storage.AuditRecord {
		t.Helper()
		got := tr.take()
		if len(got) != len(actions) {
			t.Fatalf("%s: %d records %+v, want %v", step, len(got), got, actions)
		}
		for i, a := range actions {
			if got[i].Action != a || got[i].Actor != audit.ActorCLI || got[i].Target == "" {
				t.Errorf("%s: record %d = %s %q by %s, want %s of a key by cli", step, i, got[i].Action, got[i].Target, got[i].Actor, a)
			}
		}
		return got
	}

	if err := r.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	created := want("first Ensure", audit.KeyCreated, audit.KeyCreated)
	if err := r.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	want("second Ensure")
	rot, err := r.Rotate(ctx, ES256)
	if err != nil {
		t.Fatal(err)
	}
	got := want("Rotate", audit.KeyCreated, audit.KeyRotated)
	if got[1].Target != created[1].Target || got[1].Target != rot.Current.ID || got[0].Target != rot.Next.ID {
		t.Errorf("Rotate recorded %s then %s; want the new next key %s, then the rotation to %s", got[0].Target, got[1].Target, rot.Next.ID, rot.Current.ID)
	}
	clk.Set(clk.Now().Add(effRetention + time.Minute))
	if err := r.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	if got := want("Ensure after the retention", audit.KeyDeleted); got[0].Target != created[0].Target {
		t.Errorf("deleted %s, want the rotated-out key %s", got[0].Target, created[0].Target)
	}
}
