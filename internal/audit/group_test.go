package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// batchTrail is a memTrail that also appends in batches. Each batch call
// is recorded; while gate is set, a batch first reports itself on entered
// and then waits for gate, so that a test can hold a commit in flight.
type batchTrail struct {
	memTrail
	bmu     sync.Mutex
	sizes   []int
	entered chan struct{}
	gate    chan struct{}
	failAt  string // a batch holding this target fails as a whole
}

func (b *batchTrail) AppendAuditBatch(ctx context.Context, rs []storage.AuditRecord) ([]storage.AuditRecord, error) {
	b.bmu.Lock()
	b.sizes = append(b.sizes, len(rs))
	gate := b.gate
	b.bmu.Unlock()
	if gate != nil {
		b.entered <- struct{}{}
		<-gate
	}
	for _, r := range rs {
		if r.Target == b.failAt && len(rs) > 1 {
			return nil, errors.New("batch refused")
		}
	}
	out := make([]storage.AuditRecord, 0, len(rs))
	for _, r := range rs {
		a, err := b.AppendAudit(ctx, r)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

func (b *batchTrail) queued(g *groupCommit) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.queue)
}

// checkChain fails unless trail holds one unbroken chain whose targets
// are exactly want.
func checkChain(t *testing.T, trail *batchTrail, want map[string]bool) {
	t.Helper()
	recs, _ := trail.ListAudit(t.Context(), 0, 1<<20)
	if len(recs) != len(want) {
		t.Fatalf("trail holds %d records, want %d", len(recs), len(want))
	}
	prev := ""
	for i, r := range recs {
		if r.Seq != int64(i+1) || r.PrevHash != prev || r.Hash != storage.AuditHash(r) {
			t.Fatalf("record %d breaks the chain", i+1)
		}
		if !want[r.Target] {
			t.Fatalf("record %d: unexpected or repeated target %q", i+1, r.Target)
		}
		delete(want, r.Target)
		prev = r.Hash
	}
}

// TestGroupCommit: records made while a commit is in flight are committed
// together in the next group, at most max at a time; each Record returns
// only once its record is stored; the chain is linear.
func TestGroupCommit(t *testing.T) {
	tests := []struct {
		name      string
		waiting   int   // callers queued behind the first commit
		max       int   // group bound
		wantSizes []int // batch sizes, in order
	}{
		{"one caller alone", 0, 256, []int{1}},
		{"followers form one group", 9, 256, []int{1, 9}},
		{"groups are bounded", 7, 3, []int{1, 3, 3, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			trail := &batchTrail{entered: make(chan struct{}), gate: make(chan struct{})}
			r := New(trail, Options{Now: func() time.Time { return t0 }})
			r.group.max = tt.max
			want := map[string]bool{}
			var wg sync.WaitGroup
			record := func(target string) {
				want[target] = true
				wg.Go(func() {
					r.Record(t.Context(), Event{Action: TokenIssued, Target: target})
					recs, _ := trail.ListAudit(context.Background(), 0, 1<<20)
					for _, s := range recs {
						if s.Target == target {
							return
						}
					}
					t.Errorf("Record(%s) returned before its record was stored", target)
				})
			}
			record("first")
			<-trail.entered // the first commit is in flight
			for i := range tt.waiting {
				record(fmt.Sprintf("w%d", i))
			}
			for trail.queued(r.group) != tt.waiting {
				runtime.Gosched()
			}
			trail.bmu.Lock()
			gate := trail.gate
			trail.gate = nil // later batches go straight through
			trail.bmu.Unlock()
			close(gate)
			wg.Wait()
			if fmt.Sprint(trail.sizes) != fmt.Sprint(tt.wantSizes) {
				t.Errorf("batch sizes %v, want %v", trail.sizes, tt.wantSizes)
			}
			checkChain(t, trail, want)
			if r.group.leading || len(r.group.queue) != 0 {
				t.Errorf("after all returned: leading %v, queue %d; want false, 0", r.group.leading, len(r.group.queue))
			}
		})
	}
}

// TestGroupCommitFailure: a record that makes its group fail is retried
// alone, and only its loss is logged.
func TestGroupCommitFailure(t *testing.T) {
	trail := &batchTrail{entered: make(chan struct{}), gate: make(chan struct{})}
	trail.failAt = "bad"
	var logs bytes.Buffer
	var lmu sync.Mutex
	r := New(trail, Options{Now: func() time.Time { return t0 }, Log: slog.New(slog.NewTextHandler(&lockedWriter{&lmu, &logs}, nil))})
	var wg sync.WaitGroup
	wg.Go(func() { r.Record(t.Context(), Event{Action: TokenIssued, Target: "first"}) })
	<-trail.entered
	for _, target := range []string{"a", "bad", "b"} {
		wg.Go(func() { r.Record(t.Context(), Event{Action: TokenIssued, Target: target}) })
	}
	for trail.queued(r.group) != 3 {
		runtime.Gosched()
	}
	trail.bmu.Lock()
	gate := trail.gate
	trail.gate = nil
	trail.bmu.Unlock()
	close(gate)
	wg.Wait()
	// "bad" is refused only in a batch; retried alone it is stored.
	checkChain(t, trail, map[string]bool{"first": true, "a": true, "bad": true, "b": true})
	if logs.Len() != 0 {
		t.Errorf("a record retried alone and stored was logged as lost: %s", logs.String())
	}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
