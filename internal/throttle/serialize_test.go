package throttle

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
)

func TestSerialize(t *testing.T) {
	l, _ := newLimiter(t, Rules{LoginAccount: account})
	ctx := t.Context()
	a, b := AccountKey("a@example.com"), AccountKey("b@example.com")

	doneA, err := l.Serialize(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	// Another key does not wait.
	doneB, err := l.Serialize(ctx, b)
	if err != nil {
		t.Fatalf("Serialize(other key) while one is held: %v", err)
	}
	doneB()
	// The same key waits; a waiter whose context ends gives up.
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := l.Serialize(cancelled, a); err == nil {
		t.Error("Serialize(held key, ended context): got nil error")
	}
	acquired := make(chan func())
	go func() {
		done, err := l.Serialize(ctx, a)
		if err != nil {
			t.Error(err)
		}
		acquired <- done
	}()
	doneA()
	(<-acquired)()
	if n := l.pending(); n != 0 {
		t.Errorf("%d keys left in progress, want 0", n)
	}

	// Under contention one attempt per key runs at a time.
	var running, most atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			done, err := l.Serialize(ctx, a)
			if err != nil {
				t.Error(err)
				return
			}
			n := running.Add(1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			running.Add(-1)
			done()
		})
	}
	wg.Wait()
	if most.Load() != 1 {
		t.Errorf("%d attempts ran at once, want 1", most.Load())
	}
	if n := l.pending(); n != 0 {
		t.Errorf("%d keys left in progress, want 0", n)
	}

	// A key whose rule is off, and a nil limiter, never wait.
	var nilLimiter *Limiter
	for _, l := range []*Limiter{l, nilLimiter} {
		off := ClientKey("c")
		d1, err1 := l.Serialize(ctx, off)
		d2, err2 := l.Serialize(ctx, off)
		if err1 != nil || err2 != nil {
			t.Fatalf("Serialize with the rule off: %v, %v", err1, err2)
		}
		d1()
		d2()
	}
}
