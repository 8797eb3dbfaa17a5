package server_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/config"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
	"github.com/gatehouse-dev/gatehouse/internal/storage/postgres/pgtest"
)

// TestThrottleCacheAcrossReplicas: a replica that has just found a
// client_id without failures trusts that for --throttle-cache-ttl (on its
// monotonic clock) before it reads the shared counter again. With the
// cache off, failures counted on replica A throttle replica B at once;
// with a ttl longer than the test, B lets exactly one more guess through,
// which is counted on the shared counter, and refuses the next.
func TestThrottleCacheAcrossReplicas(t *testing.T) {
	type step struct {
		name          string
		onB           bool
		right         bool // the right secret, else a guess
		status        int
		retryOff      string // Retry-After with the cache off
		retryTTLCache string // with a ttl longer than the test
	}
	steps := []step{
		{"B authenticates the client", true, true, http.StatusOK, "", ""},
		{"guess 1 on A", false, false, http.StatusUnauthorized, "", ""},
		{"guess 2 on A", false, false, http.StatusUnauthorized, "", ""},
		{"guess 3 on A", false, false, http.StatusUnauthorized, "", ""},
		{"guess 4 on A", false, false, http.StatusUnauthorized, "", ""},
		{"guess 5 on A", false, false, http.StatusUnauthorized, "", ""},
		{"A delays", false, true, http.StatusUnauthorized, "1", "1"},
		// B believes the client clean: the guess is verified and fails,
		// and the failure is counted on the shared counter (6: 2s).
		{"guess on B", true, false, http.StatusUnauthorized, "1", ""},
		{"B delays after its own failure", true, true, http.StatusUnauthorized, "1", "2"},
		{"A sees B's failure", false, true, http.StatusUnauthorized, "1", "2"},
	}
	for _, tc := range []struct {
		name string
		ttl  time.Duration
	}{{"cache off", 0}, {"ttl longer than the test", time.Hour}} {
		t.Run(tc.name, func(t *testing.T) {
			clock := &servertest.Clock{}
			reps, adm := startReplicas(t, 2, pgtest.NewDatabase(t), clock.Now, func(c *config.Config) {
				c.Throttle.CacheTTL = tc.ttl
			})
			a, b := reps[0], reps[1]
			svc, secret, err := adm.CreateClient(context.Background(), admin.NewClient{Type: storage.ClientService, Name: "Job"})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range steps {
				on, pw, want := a, "guess", s.retryOff
				if s.onB {
					on = b
				}
				if s.right {
					pw = secret
				}
				if tc.ttl > 0 {
					want = s.retryTTLCache
				}
				if status, retry := on.token(t, svc.ID, pw); status != s.status || retry != want {
					t.Errorf("%s: status %d, Retry-After %q; want %d, %q", s.name, status, retry, s.status, want)
				}
			}
		})
	}
}
