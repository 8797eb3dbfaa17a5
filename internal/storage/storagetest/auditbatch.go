package storagetest

import (
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// auditBatchTests are Run's tests of AppendAuditBatch.
var auditBatchTests = []struct {
	name string
	fn   func(t *testing.T, s storage.Store)
}{
	{"AppendAuditBatch", testAppendAuditBatch},
	{"AppendAuditBatchUnstorable", testAppendAuditBatchUnstorable},
	{"AppendAuditBatchContention", func(t *testing.T, s storage.Store) { auditBatchRace(t, []storage.Store{s}) }},
}

// testAppendAuditBatch: a batch continues the chain where a single append
// left it, in order, stores and returns each record as AppendAudit would,
// and a single append continues after it. An empty batch stores nothing.
func testAppendAuditBatch(t *testing.T, s storage.Store) {
	ctx := t.Context()
	empty, err := s.AppendAuditBatch(ctx, nil)
	wantErr(t, "AppendAuditBatch of nothing", err, nil)
	if empty == nil || len(empty) != 0 {
		t.Fatalf("AppendAuditBatch of nothing = %#v, want an empty, non-nil slice", empty)
	}
	first, err := s.AppendAudit(ctx, auditRecord("login.success", 0))
	wantErr(t, "AppendAudit", err, nil)
	batch := []storage.AuditRecord{
		auditRecord("token.issued", time.Second),
		{Time: at(2 * time.Second), Action: "key.rotated", Actor: "cli", Details: "{}"},
		auditRecord("token.issued", -time.Minute),
	}
	out, err := s.AppendAuditBatch(ctx, batch)
	wantErr(t, "AppendAuditBatch", err, nil)
	if len(out) != len(batch) {
		t.Fatalf("AppendAuditBatch returned %d records, want %d", len(out), len(batch))
	}
	prev := first
	for i, in := range batch {
		want := in
		want.Time = micro(in.Time)
		want.Seq, want.PrevHash = prev.Seq+1, prev.Hash
		want.Hash = storage.AuditHash(want)
		if !reflect.DeepEqual(out[i], want) {
			t.Fatalf("AppendAuditBatch record %d returned\n%+v\nwant\n%+v", i, out[i], want)
		}
		prev = want
	}
	last, err := s.AppendAudit(ctx, auditRecord("logout", 0))
	wantErr(t, "AppendAudit after a batch", err, nil)
	if last.Seq != 5 || last.PrevHash != out[2].Hash {
		t.Errorf("append after a batch: Seq %d, PrevHash %q; want 5, %q", last.Seq, last.PrevHash, out[2].Hash)
	}
	stored, err := s.ListAudit(ctx, 0, 10)
	wantErr(t, "ListAudit", err, nil)
	want := append(append([]storage.AuditRecord{first}, out...), last)
	if !reflect.DeepEqual(stored, want) {
		t.Errorf("ListAudit =\n%+v\nwant\n%+v", stored, want)
	}
}

// testAppendAuditBatchUnstorable: one unstorable record fails the whole
// batch, and the trail is unchanged.
func testAppendAuditBatchUnstorable(t *testing.T, s storage.Store) {
	ctx := t.Context()
	head, err := s.AppendAudit(ctx, auditRecord("login.success", 0))
	wantErr(t, "AppendAudit", err, nil)
	bad := auditRecord("login.failure", 0)
	bad.Target = "\xff"
	for i, batch := range [][]storage.AuditRecord{
		{bad},
		{auditRecord("token.issued", 0), bad},
		{bad, auditRecord("token.issued", 0), auditRecord("token.issued", 0)},
	} {
		if _, err := s.AppendAuditBatch(ctx, batch); err == nil {
			t.Errorf("AppendAuditBatch #%d holding an unstorable record: got nil error", i)
		}
	}
	stored, err := s.ListAudit(ctx, 0, 10)
	wantErr(t, "ListAudit", err, nil)
	if len(stored) != 1 || !reflect.DeepEqual(stored[0], head) {
		t.Errorf("after refused batches the trail holds %d records, want only the first", len(stored))
	}
}

// auditBatchRace appends batches of 1 to 4 records and single records from
// goroutines spread over stores, as the group commits of several replicas
// would, and checks the trail is one unbroken chain holding every record
// once, each batch's records consecutive and in order.
func auditBatchRace(t *testing.T, stores []storage.Store) {
	const workers, perWorker = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers*perWorker)
	total := 0
	for w := range workers {
		s := stores[w%len(stores)]
		for i := range perWorker {
			total += 1 + (w+i)%4
		}
		wg.Go(func() {
			for i := range perWorker {
				n := 1 + (w+i)%4
				batch := make([]storage.AuditRecord, n)
				for j := range batch {
					batch[j] = auditRecord("race", 0)
					batch[j].Target = fmt.Sprintf("w%d-%d-%d", w, i, j)
				}
				var err error
				if i%3 == 0 && n == 1 {
					_, err = s.AppendAudit(t.Context(), batch[0])
				} else {
					_, err = s.AppendAuditBatch(t.Context(), batch)
				}
				if err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("append: %v", err)
	}
	list, err := stores[len(stores)-1].ListAudit(t.Context(), 0, total+10)
	wantErr(t, "ListAudit", err, nil)
	if len(list) != total {
		t.Fatalf("trail holds %d records, want %d", len(list), total)
	}
	seen := map[string]bool{}
	prev := ""
	for i, r := range list {
		if r.Seq != int64(i+1) || r.PrevHash != prev || r.Hash != storage.AuditHash(r) {
			t.Fatalf("record %d: Seq %d, PrevHash ok %v, Hash ok %v: the chain is broken",
				i+1, r.Seq, r.PrevHash == prev, r.Hash == storage.AuditHash(r))
		}
		if seen[r.Target] {
			t.Fatalf("record %q stored twice", r.Target)
		}
		var w, b, j int
		if _, err := fmt.Sscanf(r.Target, "w%d-%d-%d", &w, &b, &j); err != nil {
			t.Fatalf("record %d: target %q: %v", i+1, r.Target, err)
		}
		if j > 0 && (i == 0 || list[i-1].Target != fmt.Sprintf("w%d-%d-%d", w, b, j-1)) {
			t.Fatalf("record %q does not follow its batch's previous record", r.Target)
		}
		seen[r.Target] = true
		prev = r.Hash
	}
}
