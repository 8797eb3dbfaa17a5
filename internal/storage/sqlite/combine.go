package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
)

// writer is what a combined write runs its statements on: the database
// itself when it runs alone and needs no transaction, or the group's
// transaction.
type writer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// writeFunc is one write of the hot path (a token, a code, an audit
// batch). It returns an error only when its own writes must be undone;
// an outcome whose writes stand (a token stored revoked, a code found
// consumed) goes back to its caller through the closure. So a group of
// writes commits exactly when every one returned nil.
type writeFunc func(ctx context.Context, w writer) error

// maxCombined bounds the writes of one transaction, so that the write lock
// is never held long.
const maxCombined = 64

// combiner runs concurrent writes in one transaction: SQLite has one
// writer at a time, and a commit (WAL frames for every page touched, a
// checkpoint now and then) costs more than the statements it commits.
// Writes queued while a transaction is being committed share the next
// one, so under load a token costs a fraction of a commit, and an idle
// server commits each write at once. It is the leader-and-followers scheme
// of the audit trail's group commit: no goroutine, no timer; the caller
// that finds no transaction under way commits the queue (its own write
// first) and hands the lead to the oldest waiting caller.
//
// The writes of a group run in arrival order, each seeing the ones before,
// exactly as if each had its own BEGIN IMMEDIATE transaction in that
// order. When any of them fails, or the commit does, the group is rolled
// back and each write runs again alone, so one failure is reported to its
// caller only and never takes the others' writes with it.
type combiner struct {
	db  *cachedDB
	max int

	mu      sync.Mutex
	queue   []*pendingWrite
	leading bool
}

// pendingWrite is one caller's write. ch receives once: true when the
// write was committed or failed (err says), false when the caller must
// lead the next group.
type pendingWrite struct {
	fn writeFunc
	// multi: fn runs several statements, so even alone it needs a
	// transaction to be atomic. A single statement is atomic by itself.
	multi bool
	err   error
	ch    chan bool
}

func newCombiner(db *cachedDB) *combiner {
	return &combiner{db: db, max: maxCombined}
}

// write runs fn, in a group with whatever else is queued, and returns its
// error once its writes are committed or undone. A group runs under its
// leader's context without its cancellation: fn sees the leader's context
// values, not its own caller's, and no caller's cancellation stops a group
// that others share (a group holds the write lock for a few milliseconds).
func (c *combiner) write(ctx context.Context, multi bool, fn writeFunc) error {
	me := &pendingWrite{fn: fn, multi: multi, ch: make(chan bool, 1)}
	c.mu.Lock()
	c.queue = append(c.queue, me)
	if c.leading {
		c.mu.Unlock()
		if done := <-me.ch; done {
			return me.err
		}
		// Handed the lead: me is first in the queue.
	} else {
		c.leading = true
		c.mu.Unlock()
		// SQLite with synchronous=NORMAL commits without waiting for the
		// disk, so a commit is pure CPU and few writers would arrive while
		// it runs. Yielding once lets the goroutines that are ready run
		// up to their own writes first and join this group. An idle
		// server has none ready: the yield returns at once.
		runtime.Gosched()
	}
	c.mu.Lock()
	n := min(len(c.queue), c.max)
	group := make([]*pendingWrite, n)
	copy(group, c.queue)
	c.queue = append(c.queue[:0], c.queue[n:]...)
	c.mu.Unlock()

	c.commit(context.WithoutCancel(ctx), group)

	c.mu.Lock()
	if len(c.queue) == 0 {
		c.leading = false
	} else {
		c.queue[0].ch <- false
	}
	c.mu.Unlock()
	for _, p := range group[1:] {
		p.ch <- true
	}
	return me.err
}

// commit runs group in one transaction and sets each write's error.
func (c *combiner) commit(ctx context.Context, group []*pendingWrite) {
	if len(group) == 1 {
		group[0].err = c.alone(ctx, group[0])
		return
	}
	failed, err := c.together(ctx, group)
	switch {
	case err == nil:
		return
	case failed == nil:
		// The transaction itself could not begin or commit (the write
		// lock held elsewhere past the busy timeout): running each write
		// alone would wait that long again for every one of them.
		for _, p := range group {
			p.err = err
		}
		return
	}
	for _, p := range group {
		p.err = c.alone(ctx, p)
	}
}

// together runs every write of group in one transaction and commits it
// only if all of them succeeded. Otherwise it rolls back and returns the
// error, with the write that failed, or nil when beginning or committing
// the transaction did.
func (c *combiner) together(ctx context.Context, group []*pendingWrite) (failed *pendingWrite, err error) {
	tx, err := c.db.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	for _, p := range group {
		if err := run(ctx, p, tx); err != nil {
			return p, err
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	for _, p := range group {
		p.err = nil
	}
	return nil, nil
}

// alone runs one write as it would run without the combiner: a single
// statement on the database, several in their own transaction.
func (c *combiner) alone(ctx context.Context, p *pendingWrite) error {
	if !p.multi {
		return run(ctx, p, c.db)
	}
	tx, err := c.db.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := run(ctx, p, tx); err != nil {
		return err
	}
	return tx.Commit()
}

// run calls p's write on w and turns a panic into its error: a panic
// unwinding through the leader would leave the combiner without one, and
// every later write waiting forever.
func run(ctx context.Context, p *pendingWrite, w writer) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("store write panicked: %v\n%s", r, debug.Stack())
		}
	}()
	return p.fn(ctx, w)
}
