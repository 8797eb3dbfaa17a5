package proctest

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// Crash-test shape: agents run flows until there is traffic worth judging
// (at least crashMinFlows flows and as many refreshes, and crashBefore),
// the server is killed with SIGKILL mid-run and restarted on the same
// database, and the agents carry on (retrying what got no answer) until
// as much happened again.
const (
	crashAgents   = 8
	crashBefore   = 1500 * time.Millisecond
	crashMinFlows = 30
	crashTimeout  = 15 * time.Second // a hang guard per phase
)

// TestCrashSafety is issue 6 §3 on both backends.
func TestCrashSafety(t *testing.T) {
	onEachBackend(t, func(t *testing.T, name string, f fixture) {
		db, secret, ap := f.db, f.secret, f.ap
		lb := newBalancer(t)
		first := serve(t, db, secret, lb.URL)
		lb.route(first.URL)

		led := newLedger()
		ctx, stop := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for i := range crashAgents {
			wg.Go(func() { runAgent(ctx, ap.agent(lb.URL), lb.URL, led, uint64(i)) })
		}
		defer func() { stop(); wg.Wait() }() // also when a check fails early
		waitTraffic(t, led, figures{}, crashBefore)
		first.kill()
		lb.route()
		before := led.figures()
		second := serve(t, db, secret, lb.URL)
		lb.route(second.URL)
		waitTraffic(t, led, before, crashBefore)
		stop()
		wg.Wait()

		fg := led.figures()
		t.Logf("%s: %d agents; before the kill %d flows, %d refreshes; in all %d flows (successful code exchanges), %d refresh rotations; "+
			"%d flows replayed on purpose, %d flows with an unanswered request (%d unanswered attempts, retried), %d authorizations failed while down",
			name, crashAgents, before.flows, before.refreshes, fg.flows, fg.refreshes, fg.replays, fg.uncertain, fg.noAnswer, fg.fail)
		if fg.codeDuplicates != 0 || fg.refreshDuplicates != 0 {
			t.Errorf("duplicates: %d codes redeemed twice, %d refresh tokens rotated twice", fg.codeDuplicates, fg.refreshDuplicates)
		}
		lost, unrevoked, checked := checkTokens(t, ap.agent(second.URL), second.URL, led)
		t.Logf("%s: %d tokens introspected after the restart; lost %d, replayed grants left active %d, duplicates %d",
			name, checked, lost, unrevoked, fg.codeDuplicates+fg.refreshDuplicates)
		second.kill()
		checkStore(t, db)
	})
}

// waitTraffic waits at least d, and until crashMinFlows more flows and
// refreshes than since succeeded.
func waitTraffic(t *testing.T, led *ledger, since figures, d time.Duration) {
	t.Helper()
	start := time.Now()
	time.Sleep(d)
	for {
		fg := led.figures()
		if fg.flows-since.flows >= crashMinFlows && fg.refreshes-since.refreshes >= crashMinFlows {
			return
		}
		if time.Since(start) > crashTimeout {
			t.Fatalf("after %v only %+v (since %+v); first failed authorization: %v", crashTimeout, fg, since, led.firstFail)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// runAgent signs in and redeems codes and rotates refresh tokens until ctx
// ends. Now and then it redeems a code or rotates a token twice at once
// (only one may succeed, and reuse detection must revoke the grant). A
// request that gets no answer is retried until it does, as a client
// whose connection broke would.
func runAgent(ctx context.Context, ag *agent, base string, led *ledger, seed uint64) {
	rnd := rand.New(rand.NewPCG(seed, 42))
	for ctx.Err() == nil {
		az, err := ag.authorize("openid offline_access")
		if err != nil {
			led.authorizeFailed(err)
			time.Sleep(20 * time.Millisecond)
			continue
		}
		f := led.newFlow()
		twice := rnd.IntN(12) == 0
		results := attempt(ctx, twice, func() tokens {
			t, _ := ag.exchange(base, az)
			led.recordExchange(f, az.code, t)
			return t
		})
		if twice {
			led.markReplayed(f)
			continue
		}
		rt := results[0].RefreshToken
		for range 3 {
			if rt == "" || ctx.Err() != nil {
				break
			}
			twice := rnd.IntN(15) == 0
			old := rt
			results := attempt(ctx, twice, func() tokens {
				t, _ := ag.refresh(base, old)
				led.recordRotation(f, old, t)
				return t
			})
			if twice {
				led.markReplayed(f)
				break
			}
			rt = results[0].RefreshToken
		}
	}
}

// attempt runs req once, or twice concurrently; each run is repeated
// while it gets no answer (until ctx ends, then for up to 5 more seconds)
// and returns the last answers.
func attempt(ctx context.Context, twice bool, req func() tokens) []tokens {
	n := 1
	if twice {
		n = 2
	}
	out := make([]tokens, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			give := time.Time{}
			for {
				out[i] = req()
				if answered(out[i].Status) {
					return
				}
				if ctx.Err() != nil {
					if give.IsZero() {
						give = time.Now().Add(5 * time.Second)
					} else if time.Now().After(give) {
						return
					}
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
	wg.Wait()
	return out
}

// checkTokens introspects every token the clients received. A flow with
// no deliberate replay and no unanswered request must have kept every
// token active but the refresh tokens it rotated (those must be
// inactive); a deliberately replayed flow must have every token revoked.
// It returns how many tokens broke each rule, and how many it checked.
func checkTokens(t *testing.T, ag *agent, base string, led *ledger) (lost, unrevoked, checked int) {
	t.Helper()
	type job struct {
		f   *flow
		tok issued
	}
	jobs := make(chan job)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for j := range jobs {
				on, err := ag.active(base, j.tok.value)
				mu.Lock()
				checked++
				switch {
				case err != nil:
					t.Errorf("introspect: %v", err)
				case j.f.uncertain:
					// Retried after no answer: either outcome is right.
				case j.f.replayed && on:
					unrevoked++
					report(t, &unrevoked, "a token of a replayed grant (%s) is still active", j.tok.kind)
				case !j.f.replayed && j.f.rotated[j.tok.value] && on:
					lost++
					report(t, &lost, "a refresh token rotated with a 200 answer is still active")
				case !j.f.replayed && !j.f.rotated[j.tok.value] && !on:
					lost++
					report(t, &lost, "a token of an untouched grant (%s) is no longer active", j.tok.kind)
				}
				mu.Unlock()
			}
		})
	}
	for _, f := range led.flows {
		for _, tok := range f.tokens {
			jobs <- job{f, tok}
		}
	}
	close(jobs)
	wg.Wait()
	return lost, unrevoked, checked
}

// report fails the test, writing out only the first few of a kind.
func report(t *testing.T, n *int, format string, args ...any) {
	t.Helper()
	if *n <= 3 {
		t.Errorf(format, args...)
	} else if *n == 4 {
		t.Error("(more like this not shown)")
	}
}
