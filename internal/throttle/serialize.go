package throttle

import (
	"context"
	"fmt"
	"sync"
)

// inFlight serializes attempts under one key within this process.
type inFlight struct {
	mu   sync.Mutex
	keys map[string]*turn
}

// turn is one key's lock: a one-slot semaphore and how many attempts hold
// or wait for it, so that the entry goes when the last leaves.
type turn struct {
	sem  chan struct{}
	refs int
}

// Serialize waits until no other attempt under key is in progress in this
// process and returns the function that ends this one. Check, verify and
// Fail are separate steps, so without it a burst of parallel guesses
// would all pass Check before any failure is counted; with it, each waits
// for the one before to be counted and is then refused once the free
// failures are used up. Replicas still check in parallel with each other,
// so a burst gains at most one guess per replica. It fails only when ctx
// ends while waiting.
func (l *Limiter) Serialize(ctx context.Context, key Key) (done func(), err error) {
	if l == nil || l.o.Rules[key.kind].Off() {
		return func() {}, nil
	}
	f := &l.inFlight
	f.mu.Lock()
	if f.keys == nil {
		f.keys = map[string]*turn{}
	}
	t := f.keys[key.name]
	if t == nil {
		t = &turn{sem: make(chan struct{}, 1)}
		f.keys[key.name] = t
	}
	t.refs++
	f.mu.Unlock()

	leave := func() {
		f.mu.Lock()
		if t.refs--; t.refs == 0 {
			delete(f.keys, key.name)
		}
		f.mu.Unlock()
	}
	select {
	case t.sem <- struct{}{}:
		return func() { <-t.sem; leave() }, nil
	case <-ctx.Done():
		leave()
		return nil, fmt.Errorf("throttle: waiting for an attempt in progress: %w", ctx.Err())
	}
}

// pending reports how many keys have attempts in progress or waiting.
func (l *Limiter) pending() int {
	l.inFlight.mu.Lock()
	defer l.inFlight.mu.Unlock()
	return len(l.inFlight.keys)
}
