package audit

import (
	"context"
	"sync"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// BatchAppender stores records several at a time; storage.Store is one.
// A Recorder over a BatchAppender commits concurrent records in groups.
type BatchAppender interface {
	Appender
	AppendAuditBatch(ctx context.Context, rs []storage.AuditRecord) ([]storage.AuditRecord, error)
}

// maxGroup bounds the records of one group commit, so that one commit's
// transaction (and the lock it holds on the trail) stays short.
const maxGroup = 256

// groupCommit appends records in groups: one transaction, one commit and,
// on PostgreSQL, one wait for the trail's lock for all the records queued
// while the previous group was being committed. It is the classic leader
// and followers scheme, with no goroutine of its own: a caller that finds
// no commit under way becomes the leader and commits the queue (its own
// record first); callers arriving meanwhile queue and wait. When a leader
// is done and the queue is not empty, it hands the lead to the oldest
// waiting caller, which commits everything queued up to then. So no
// caller waits for more than the commit under way plus its own, nothing is
// delayed when the server is idle (there is no timer: groups form exactly
// while a commit is in flight), and every Record returns only once its
// record is committed, or its loss is logged: nothing acknowledged to a
// client is missing from the trail after a crash.
//
// The chain stays linear: the store computes it in order inside each
// transaction, under the same serialization as single appends (also
// between replicas sharing a database).
type groupCommit struct {
	store BatchAppender
	max   int

	mu      sync.Mutex
	queue   []*queued
	leading bool // a caller is committing; the queue waits for it
}

// queued is one caller's record. ch receives once: true when the record's
// group was committed (or failed, err tells), false when the caller must
// lead the next group.
type queued struct {
	rec storage.AuditRecord
	err error
	ch  chan bool
}

// append stores rec, in a group with whatever else is queued, and returns
// when it is stored or lost.
func (g *groupCommit) append(ctx context.Context, rec storage.AuditRecord) error {
	me := &queued{rec: rec, ch: make(chan bool, 1)}
	g.mu.Lock()
	g.queue = append(g.queue, me)
	if g.leading {
		g.mu.Unlock()
		if done := <-me.ch; done {
			return me.err
		}
		// Handed the lead: me is first in the queue.
	} else {
		g.leading = true
		g.mu.Unlock()
	}
	g.mu.Lock()
	n := min(len(g.queue), g.max)
	group := make([]*queued, n)
	copy(group, g.queue)
	g.queue = append(g.queue[:0], g.queue[n:]...)
	g.mu.Unlock()

	g.commit(ctx, group)

	g.mu.Lock()
	if len(g.queue) == 0 {
		g.leading = false
	} else {
		g.queue[0].ch <- false
	}
	g.mu.Unlock()
	for _, q := range group[1:] {
		q.ch <- true
	}
	return me.err
}

// commit stores group in one transaction and sets each caller's error.
// When the transaction fails and the group holds more than one record,
// each is retried alone, so that one record the store refuses does not
// take the others with it.
func (g *groupCommit) commit(ctx context.Context, group []*queued) {
	recs := make([]storage.AuditRecord, len(group))
	for i, q := range group {
		recs[i] = q.rec
	}
	_, err := g.store.AppendAuditBatch(ctx, recs)
	if err == nil || len(group) == 1 {
		for _, q := range group {
			q.err = err
		}
		return
	}
	for _, q := range group {
		_, q.err = g.store.AppendAudit(ctx, q.rec)
	}
}
