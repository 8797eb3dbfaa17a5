package storagetest

import (
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// auditRecord is a record as a caller hands it to AppendAudit; Seq,
// PrevHash and Hash are junk that the store must overwrite.
func auditRecord(action string, d time.Duration) storage.AuditRecord {
	return storage.AuditRecord{
		Seq: 99, PrevHash: "junk", Hash: "junk",
		Time: at(d), Actor: "user-1", Action: action, UserID: "user-1", ClientID: "client-1",
		Target: "jti-1", RemoteIP: "192.0.2.7", Details: `{"scope":"openid","n":3}`,
	}
}

// testAppendAudit: the store numbers records from 1, chains them, hashes
// them with storage.AuditHash, stores every field exactly (times to the
// microsecond, in UTC) and lists them in order from any point.
func testAppendAudit(t *testing.T, s storage.Store) {
	ctx := t.Context()
	empty, err := s.ListAudit(ctx, 0, 10)
	wantErr(t, "ListAudit on an empty trail", err, nil)
	if empty == nil || len(empty) != 0 {
		t.Fatalf("ListAudit on an empty trail = %#v, want an empty, non-nil slice", empty)
	}

	ins := []storage.AuditRecord{
		auditRecord("login.success", 0),
		{Time: at(time.Second), Action: "key.rotated", Actor: "cli", Details: "{}"}, // empty fields
		func() storage.AuditRecord {
			r := auditRecord("client.created", -time.Hour) // times need not grow
			r.Actor, r.Target, r.Details = "admin:Zoë", "ключ 🔑", `{"name":"Zoë's \"app\""}`
			return r
		}(),
	}
	var got []storage.AuditRecord
	for i, in := range ins {
		out, err := s.AppendAudit(ctx, in)
		wantErr(t, "AppendAudit", err, nil)
		want := in
		want.Time = micro(in.Time)
		want.Seq = int64(i + 1)
		want.PrevHash = ""
		if i > 0 {
			want.PrevHash = got[i-1].Hash
		}
		want.Hash = storage.AuditHash(want)
		if !reflect.DeepEqual(out, want) {
			t.Fatalf("AppendAudit #%d returned\n%+v\nwant\n%+v", i+1, out, want)
		}
		got = append(got, out)
	}

	tests := []struct {
		after int64
		limit int
		want  []storage.AuditRecord
	}{
		{0, 10, got},
		{0, 2, got[:2]},
		{1, 10, got[1:]},
		{2, 1, got[2:]},
		{3, 10, []storage.AuditRecord{}},
		{0, 0, []storage.AuditRecord{}},
		{-5, 10, got},
	}
	for _, tt := range tests {
		list, err := s.ListAudit(ctx, tt.after, tt.limit)
		wantErr(t, "ListAudit", err, nil)
		if !reflect.DeepEqual(list, tt.want) {
			t.Errorf("ListAudit(%d, %d) =\n%+v\nwant\n%+v", tt.after, tt.limit, list, tt.want)
		}
	}
}

// testAppendAuditUnstorable: a field no backend can store (invalid UTF-8,
// NUL) fails the append and leaves the trail unchanged.
func testAppendAuditUnstorable(t *testing.T, s storage.Store) {
	ctx := t.Context()
	bad := []func(*storage.AuditRecord){
		func(r *storage.AuditRecord) { r.Actor = "a\x00b" },
		func(r *storage.AuditRecord) { r.Target = "\xff" },
		func(r *storage.AuditRecord) { r.Details = `{"x":"` + "\x00" + `"}` },
		func(r *storage.AuditRecord) { r.RemoteIP = "\xc0\x80" },
	}
	for i, edit := range bad {
		r := auditRecord("login.failure", 0)
		edit(&r)
		if _, err := s.AppendAudit(ctx, r); err == nil {
			t.Errorf("AppendAudit of unstorable record #%d: got nil error", i)
		}
	}
	out, err := s.AppendAudit(ctx, auditRecord("login.failure", 0))
	wantErr(t, "AppendAudit after refusals", err, nil)
	if out.Seq != 1 || out.PrevHash != "" {
		t.Errorf("first stored record has Seq %d, PrevHash %q; want 1 and \"\"", out.Seq, out.PrevHash)
	}
}

// auditRace appends from several goroutines spread over stores, as
// replicas would, and checks the trail is one unbroken chain holding every
// record once.
func auditRace(t *testing.T, stores []storage.Store) {
	const workers, perWorker = 8, 15
	var wg sync.WaitGroup
	errs := make(chan error, workers*perWorker)
	for w := range workers {
		s := stores[w%len(stores)]
		wg.Go(func() {
			for i := range perWorker {
				r := auditRecord("race", 0)
				r.Target = fmt.Sprintf("w%d-%d", w, i)
				if _, err := s.AppendAudit(t.Context(), r); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("AppendAudit: %v", err)
	}
	list, err := stores[len(stores)-1].ListAudit(t.Context(), 0, workers*perWorker+10)
	wantErr(t, "ListAudit", err, nil)
	if len(list) != workers*perWorker {
		t.Fatalf("trail holds %d records, want %d", len(list), workers*perWorker)
	}
	seen := map[string]bool{}
	prev := ""
	for i, r := range list {
		if r.Seq != int64(i+1) || r.PrevHash != prev || r.Hash != storage.AuditHash(r) {
			t.Fatalf("record %d: Seq %d, PrevHash %q (want %q), Hash ok %v: the chain is broken",
				i+1, r.Seq, r.PrevHash, prev, r.Hash == storage.AuditHash(r))
		}
		if seen[r.Target] {
			t.Fatalf("record %q stored twice", r.Target)
		}
		seen[r.Target] = true
		prev = r.Hash
	}
}
