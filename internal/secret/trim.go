package secret

import (
	"runtime/debug"
	"sync"
	"time"
)

// argonIdleRelease is how long no argon2id check must have finished before
// the memory of the last ones goes back to the OS.
const argonIdleRelease = 5 * time.Second

// argonRelease hands the argon2id working memory back once password checks
// stop. Each check allocates its memory cost (19 MiB) and drops it; the Go
// runtime keeps the freed pages mapped, so a single sign-in left an idle
// server about 20 MB above its start (BENCHMARKS.md, "Idle memory"). Under a
// steady stream of sign-ins the timer keeps being pushed back and never
// fires, so the release costs nothing at load. Process-wide like argonSlots:
// the memory it releases is the process's.
var argonRelease = newIdleTrigger(argonIdleRelease, debug.FreeOSMemory)

// idleTrigger calls fn once after d has passed without a touch.
type idleTrigger struct {
	mu    sync.Mutex
	d     time.Duration
	fn    func()
	timer *time.Timer
}

func newIdleTrigger(d time.Duration, fn func()) *idleTrigger {
	return &idleTrigger{d: d, fn: fn}
}

// touch (re)starts the countdown to fn.
func (t *idleTrigger) touch() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.timer == nil {
		t.timer = time.AfterFunc(t.d, t.fn)
		return
	}
	t.timer.Reset(t.d)
}
