package secret

import (
	"sync/atomic"
	"testing"
	"time"
)

// TestIdleTriggerFiresOnceAfterTouches checks that touches coalesce into
// one call after the last of them, and that a later touch arms it again.
func TestIdleTriggerFiresOnceAfterTouches(t *testing.T) {
	var calls atomic.Int32
	fired := make(chan struct{}, 4)
	tr := newIdleTrigger(10*time.Millisecond, func() {
		calls.Add(1)
		fired <- struct{}{}
	})
	for round := 1; round <= 2; round++ {
		for range 3 {
			tr.touch()
		}
		select {
		case <-fired:
		case <-time.After(10 * time.Second):
			t.Fatalf("round %d: trigger never fired", round)
		}
		if got := calls.Load(); got != int32(round) {
			t.Fatalf("round %d: %d calls, want %d", round, got, round)
		}
	}
}
