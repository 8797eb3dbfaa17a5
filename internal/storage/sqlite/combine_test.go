package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// combineFixture is a store with a scratch table for the combiner's tests.
func combineFixture(t *testing.T) (*Store, context.Context) {
	t.Helper()
	s := open(t, filepath.Join(t.TempDir(), "gatehouse.db"))
	t.Cleanup(func() { s.Close() })
	ctx := context.Background()
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE scratch (k TEXT PRIMARY KEY) STRICT`); err != nil {
		t.Fatal(err)
	}
	return s, ctx
}

func insertScratch(ctx context.Context, w writer, k string) error {
	_, err := w.ExecContext(ctx, `INSERT INTO scratch (k) VALUES (?)`, k)
	return err
}

func scratchRows(t *testing.T, s *Store) map[string]bool {
	t.Helper()
	rows, err := s.db.QueryContext(context.Background(), `SELECT k FROM scratch`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		out[k] = true
	}
	return out
}

// queueBehind starts a write that holds the lead until n more writes are
// queued behind it, then starts those n writes (fns[i] for the i-th) and
// returns their errors once all are done.
func queueBehind(t *testing.T, s *Store, ctx context.Context, fns []writeFunc, multi []bool) []error {
	t.Helper()
	release := make(chan struct{})
	leaderDone := make(chan error, 1)
	go func() {
		leaderDone <- s.w.write(ctx, false, func(ctx context.Context, w writer) error {
			<-release
			return insertScratch(ctx, w, "leader")
		})
	}()
	for !leading(s.w) {
		runtime.Gosched()
	}
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		// Queue in order: wait until the previous one is queued.
		for queued(s.w) != i {
			runtime.Gosched()
		}
		wg.Go(func() { errs[i] = s.w.write(ctx, multi[i], fn) })
	}
	for queued(s.w) != len(fns) {
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	if err := <-leaderDone; err != nil {
		t.Fatalf("leading write: %v", err)
	}
	return errs
}

func queued(c *combiner) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.queue)
}

func leading(c *combiner) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.leading
}

// TestCombinerSharesTransaction checks that writes queued behind a commit
// run together in one transaction, in arrival order, and all commit.
func TestCombinerSharesTransaction(t *testing.T) {
	s, ctx := combineFixture(t)
	const n = 5
	var mu sync.Mutex
	var order []string
	seen := map[writer]int{}
	fns := make([]writeFunc, n)
	multi := make([]bool, n)
	for i := range fns {
		k := fmt.Sprint("k", i)
		multi[i] = i%2 == 1
		fns[i] = func(ctx context.Context, w writer) error {
			mu.Lock()
			order = append(order, k)
			seen[w]++
			mu.Unlock()
			return insertScratch(ctx, w, k)
		}
	}
	for i, err := range queueBehind(t, s, ctx, fns, multi) {
		if err != nil {
			t.Errorf("write %d: %v", i, err)
		}
	}
	if len(seen) != 1 {
		t.Errorf("%d queued writes ran on %d different writers, want one shared transaction", n, len(seen))
	}
	for w := range seen {
		if _, ok := w.(*cachedTx); !ok {
			t.Errorf("queued writes ran on %T, want a transaction", w)
		}
	}
	if want := []string{"k0", "k1", "k2", "k3", "k4"}; fmt.Sprint(order) != fmt.Sprint(want) {
		t.Errorf("order %v, want %v", order, want)
	}
	if got := scratchRows(t, s); len(got) != n+1 {
		t.Errorf("stored %v, want leader and %d writes", got, n)
	}
}

// TestCombinerIsolatesFailure checks that a failing write in a group
// reports its error to its own caller only, that its partial writes are
// undone, and that the rest of the group still commits.
func TestCombinerIsolatesFailure(t *testing.T) {
	s, ctx := combineFixture(t)
	if err := insertScratch(ctx, s.db, "taken"); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	fns := []writeFunc{
		func(ctx context.Context, w writer) error { return insertScratch(ctx, w, "a") },
		// Several statements, the last fails on the primary key: the
		// first must not stay.
		func(ctx context.Context, w writer) error {
			if err := insertScratch(ctx, w, "partial"); err != nil {
				return err
			}
			return insertScratch(ctx, w, "taken")
		},
		func(ctx context.Context, w writer) error { return insertScratch(ctx, w, "b") },
		func(ctx context.Context, w writer) error {
			if err := insertScratch(ctx, w, "c"); err != nil {
				return err
			}
			return boom
		},
		func(ctx context.Context, w writer) error { return insertScratch(ctx, w, "d") },
	}
	errs := queueBehind(t, s, ctx, fns, []bool{false, true, false, true, false})
	for i, want := range []error{nil, nil, nil, boom, nil} {
		switch {
		case i == 1 && errs[i] == nil:
			t.Errorf("write 1 (duplicate key) succeeded")
		case i != 1 && !errors.Is(errs[i], want) && errs[i] != want:
			t.Errorf("write %d: error %v, want %v", i, errs[i], want)
		}
	}
	got := scratchRows(t, s)
	for _, k := range []string{"leader", "taken", "a", "b", "d"} {
		if !got[k] {
			t.Errorf("%q missing: a failing write took it with it", k)
		}
	}
	for _, k := range []string{"partial", "c"} {
		if got[k] {
			t.Errorf("%q stored by a write that failed", k)
		}
	}
}

// TestCombinerAloneNeedsNoTransaction checks that a lone single-statement
// write runs on the database and a lone multi-statement one in a
// transaction of its own, as they did before the combiner.
func TestCombinerAloneNeedsNoTransaction(t *testing.T) {
	s, ctx := combineFixture(t)
	for _, multi := range []bool{false, true} {
		var got writer
		err := s.w.write(ctx, multi, func(ctx context.Context, w writer) error {
			got = w
			return insertScratch(ctx, w, fmt.Sprint(multi))
		})
		if err != nil {
			t.Fatal(err)
		}
		_, isTx := got.(*cachedTx)
		if isTx != multi {
			t.Errorf("multi=%v ran in a transaction: %v", multi, isTx)
		}
	}
}

// TestCombinerSurvivesPanic checks that a write that panics fails alone,
// in a group and by itself, and that the combiner still takes writes
// afterwards instead of waiting forever for a leader that is gone.
func TestCombinerSurvivesPanic(t *testing.T) {
	s, ctx := combineFixture(t)
	panicky := func(ctx context.Context, w writer) error {
		if err := insertScratch(ctx, w, "before-panic"); err != nil {
			return err
		}
		panic("boom")
	}
	fns := []writeFunc{
		func(ctx context.Context, w writer) error { return insertScratch(ctx, w, "a") },
		panicky,
		func(ctx context.Context, w writer) error { return insertScratch(ctx, w, "b") },
	}
	errs := queueBehind(t, s, ctx, fns, []bool{false, true, false})
	if errs[0] != nil || errs[2] != nil {
		t.Errorf("writes beside the panicking one failed: %v, %v", errs[0], errs[2])
	}
	if errs[1] == nil || !strings.Contains(errs[1].Error(), "panicked: boom") {
		t.Errorf("panicking write: error %v, want the panic", errs[1])
	}
	if err := s.w.write(ctx, true, panicky); err == nil {
		t.Error("a lone panicking write succeeded")
	}
	if err := s.w.write(ctx, false, func(ctx context.Context, w writer) error { return insertScratch(ctx, w, "after") }); err != nil {
		t.Fatalf("write after the panics: %v", err)
	}
	got := scratchRows(t, s)
	for k, want := range map[string]bool{"a": true, "b": true, "after": true, "before-panic": false} {
		if got[k] != want {
			t.Errorf("%q stored: %v, want %v", k, got[k], want)
		}
	}
}
