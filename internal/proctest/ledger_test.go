package proctest

import (
	"net/http"
	"sync"
)

// ledger records every answer the virtual clients got in a crash test, so
// that the checks afterwards judge the server by what it told its clients.
type ledger struct {
	mu        sync.Mutex
	exchanges map[string][]int // code → status of each redemption (0: no answer)
	rotations map[string][]int // refresh token → status of each rotation
	flows     []*flow
	failures  int   // authorizations that did not reach a code (server down)
	firstFail error // the first reason, for messages
}

// flow is one authorization: its code, every token it yielded, and what
// may have revoked them.
type flow struct {
	tokens  []issued
	rotated map[string]bool // refresh tokens rotated with a 200
	// replayed: the client itself redeemed the code or rotated a refresh
	// token twice, so reuse detection must have revoked the whole grant.
	replayed bool
	// uncertain: some request got no answer (the server died under it)
	// and was retried, so the grant may rightly be revoked or not.
	uncertain bool
}

// issued is a token a client received in a 200 answer.
type issued struct {
	kind  string // "access" or "refresh"
	value string
}

func newLedger() *ledger {
	return &ledger{exchanges: map[string][]int{}, rotations: map[string][]int{}}
}

func (l *ledger) newFlow() *flow {
	f := &flow{rotated: map[string]bool{}}
	l.mu.Lock()
	l.flows = append(l.flows, f)
	l.mu.Unlock()
	return f
}

func (l *ledger) authorizeFailed(err error) {
	l.mu.Lock()
	if l.failures == 0 {
		l.firstFail = err
	}
	l.failures++
	l.mu.Unlock()
}

// answered reports whether a status is a real answer of Gatehouse rather
// than a dead connection (0) or the balancer's 502.
func answered(status int) bool { return status != 0 && status < 500 }

// recordExchange notes the answer to redeeming code within f.
func (l *ledger) recordExchange(f *flow, code string, t tokens) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.exchanges[code] = append(l.exchanges[code], t.Status)
	l.noteTokens(f, t)
}

// recordRotation notes the answer to rotating rt within f.
func (l *ledger) recordRotation(f *flow, rt string, t tokens) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.rotations[rt] = append(l.rotations[rt], t.Status)
	if t.Status == http.StatusOK {
		f.rotated[rt] = true
	}
	l.noteTokens(f, t)
}

func (l *ledger) noteTokens(f *flow, t tokens) {
	if !answered(t.Status) {
		f.uncertain = true
	}
	if t.Status != http.StatusOK {
		return
	}
	f.tokens = append(f.tokens, issued{"access", t.AccessToken})
	if t.RefreshToken != "" {
		f.tokens = append(f.tokens, issued{"refresh", t.RefreshToken})
	}
}

func (l *ledger) markReplayed(f *flow) {
	l.mu.Lock()
	f.replayed = true
	l.mu.Unlock()
}

// figures summarises the ledger.
type figures struct {
	flows, refreshes   int // successful code exchanges and rotations
	codeDuplicates     int // codes redeemed successfully more than once
	refreshDuplicates  int // refresh tokens rotated successfully more than once
	noAnswer           int // attempts that got no answer (killed, or down)
	replays, uncertain int // flows replayed on purpose; flows with an unanswered request
	fail               int // authorizations that failed (server down)
}

func (l *ledger) figures() figures {
	l.mu.Lock()
	defer l.mu.Unlock()
	var fg figures
	count := func(m map[string][]int, total, dup *int) {
		for _, statuses := range m {
			ok := 0
			for _, s := range statuses {
				if s == http.StatusOK {
					ok++
				}
				if !answered(s) {
					fg.noAnswer++
				}
			}
			*total += ok
			if ok > 1 {
				*dup++
			}
		}
	}
	count(l.exchanges, &fg.flows, &fg.codeDuplicates)
	count(l.rotations, &fg.refreshes, &fg.refreshDuplicates)
	for _, f := range l.flows {
		if f.replayed {
			fg.replays++
		}
		if f.uncertain {
			fg.uncertain++
		}
	}
	fg.fail = l.failures
	return fg
}
