package throttle

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage/sqlite"
)

var account = Rule{Free: 3, BaseDelay: time.Second, MaxDelay: 5 * time.Minute, Lock: 10, LockFor: 15 * time.Minute, Window: 15 * time.Minute}

func TestRuleWait(t *testing.T) {
	capped := Rule{Free: 1, BaseDelay: time.Second, MaxDelay: 10 * time.Second, Window: time.Minute}
	lockOnly := Rule{Lock: 2, LockFor: time.Hour, Window: time.Minute}
	tests := []struct {
		name  string
		rule  Rule
		count int
		want  time.Duration
	}{
		{"no failures", account, 0, 0},
		{"free", account, 2, 0},
		{"first delay", account, 3, time.Second},
		{"doubles", account, 4, 2 * time.Second},
		{"last delay", account, 9, 64 * time.Second},
		{"lock", account, 10, 15 * time.Minute},
		{"beyond lock", account, 11, 15 * time.Minute},
		{"capped", capped, 5, 10 * time.Second},
		{"capped far out", capped, 1000, 10 * time.Second},
		{"lock only, before", lockOnly, 1, 0},
		{"lock only, at", lockOnly, 2, time.Hour},
		{"off", Rule{}, 100, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.rule.Wait(tt.count); got != tt.want {
				t.Errorf("Wait(%d) = %v, want %v", tt.count, got, tt.want)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	for wait, want := range map[time.Duration]string{
		time.Second: "1", time.Second + time.Nanosecond: "2", 900 * time.Millisecond: "1", 15 * time.Minute: "900",
	} {
		if got := RetryAfter(wait); got != want {
			t.Errorf("RetryAfter(%v) = %q, want %q", wait, got, want)
		}
	}
}

// clock is a settable clock for the limiter.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newLimiter(t *testing.T, rules Rules) (*Limiter, *clock) {
	t.Helper()
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "gatehouse.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	return New(Options{Store: s, Rules: rules, Now: c.now}), c
}

// TestLimiter drives one account and one address through delays, a lock,
// its end and a reset, checking the wait after every step.
func TestLimiter(t *testing.T) {
	ipRule := Rule{Free: 5, BaseDelay: time.Second, MaxDelay: time.Minute, Window: time.Hour}
	l, c := newLimiter(t, Rules{LoginAccount: account, LoginIP: ipRule})
	ctx := t.Context()
	acct := AccountKey("Alice@Example.com ")
	ip := LoginIPKey(mustAddr(t, "192.0.2.1"))

	check := func(step string, want time.Duration) {
		t.Helper()
		st, err := l.Check(ctx, acct, ip)
		if err != nil {
			t.Fatalf("%s: Check: %v", step, err)
		}
		if st.Wait != want {
			t.Errorf("%s: wait = %v, want %v", step, st.Wait, want)
		}
	}
	fail := func(step string, want time.Duration) {
		t.Helper()
		st, err := l.Fail(ctx, acct, ip)
		if err != nil {
			t.Fatalf("%s: Fail: %v", step, err)
		}
		if st.Wait != want {
			t.Errorf("%s: wait after failure = %v, want %v", step, st.Wait, want)
		}
		check(step, want)
	}

	check("fresh", 0)
	fail("1st", 0)
	fail("2nd", 0)
	fail("3rd", time.Second)
	c.advance(time.Second)
	check("delay over", 0)
	fail("4th", 2*time.Second)
	c.advance(time.Second)
	check("half the delay", time.Second)
	c.advance(time.Second)
	for i, want := range []time.Duration{4, 8, 16, 32, 64} {
		fail("failure "+string(rune('5'+i)), want*time.Second)
		c.advance(want * time.Second)
	}
	// The address's own rule (5 free, then 1s doubling up to a minute)
	// never waits longer than the account's here; the 10th failure locks.
	fail("10th", 15*time.Minute)
	c.advance(15*time.Minute - time.Second)
	check("lock nearly over", time.Second)
	c.advance(time.Second)
	// The account's counter has run its window out: the first failure
	// after the lock counts from 1 again. The address's lasts an hour.
	st, err := l.Fail(ctx, acct, ip)
	if err != nil {
		t.Fatal(err)
	}
	if st.Counts[0] != 1 || st.Counts[1] != 11 {
		t.Errorf("counts after the lock = %v, want [1 11]", st.Counts)
	}
	if st.Wait != time.Minute {
		t.Errorf("wait after the lock = %v, want the address's capped minute", st.Wait)
	}
	// A success resets the account only; the address still waits.
	if err := l.Reset(ctx, acct); err != nil {
		t.Fatal(err)
	}
	st, err = l.Check(ctx, acct, ip)
	if err != nil {
		t.Fatal(err)
	}
	if st.Counts[0] != 0 || st.Counts[1] != 11 || st.Wait != time.Minute {
		t.Errorf("after reset: %+v, want counts [0 11], wait 1m", st)
	}
	// The same account by another spelling of the email shares the key;
	// another account does not.
	if AccountKey("alice@example.com") != acct || AccountKey("bob@example.com") == acct {
		t.Error("account keys do not follow the lower-cased, trimmed email")
	}
}

// TestLimiterOff checks a nil limiter and rules that are off neither
// wait nor touch the store.
func TestLimiterOff(t *testing.T) {
	var nilLimiter *Limiter
	l, _ := newLimiter(t, Rules{Client: account})
	ctx := t.Context()
	for name, l := range map[string]*Limiter{"nil": nilLimiter, "rule off": l} {
		t.Run(name, func(t *testing.T) {
			key := AccountKey("a@example.com") // LoginAccount's rule is off
			for range 20 {
				st, err := l.Fail(ctx, key)
				if err != nil || st.Wait != 0 || st.Counts[0] != 0 {
					t.Fatalf("Fail = %+v, %v; want no wait, no count", st, err)
				}
			}
			st, err := l.Check(ctx, key)
			if err != nil || st.Wait != 0 || len(st.Counts) != 1 || st.Counts[0] != 0 {
				t.Errorf("Check = %+v, %v; want no wait, one zero count", st, err)
			}
			if err := l.Reset(ctx, key); err != nil {
				t.Errorf("Reset: %v", err)
			}
		})
	}
}
