package server_test

import (
	"slices"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/servertest"
)

// TestBadInputSweepThrottled runs a smaller sweep of every endpoint with
// brute-force protection on, as in production (issue 6 §1): the failed
// logins and client authentications of the sweep fill the throttle's
// counters, so later requests meet delays and locks. The rules are the
// same (no 5xx, no panic, spec-shaped answers, the database unchanged),
// except that a throttled login or password change may answer 429 with
// Retry-After (RFC 6585 §4) and the throttle table may change. The
// out-of-order cases are left out: their exact answers assume no lock.
func TestBadInputSweepThrottled(t *testing.T) {
	plan := sweepPlan{
		endpoints: slices.Concat(coreEndpoints, adminEndpoints, consoleEndpoints, opsEndpoints),
		rounds:    max(sweepRounds/7, 3),
		throttle:  true,
		mayChange: append(slices.Clone(sweepMayChange),
			// Only for this variant: the counters of failed logins and
			// client authentications, shared by replicas through the store.
			tableAllowance{prefix: "throttle", reason: "brute-force counters of the refused logins and client authentications"}),
	}
	for _, backend := range []struct {
		name string
		opt  servertest.Options
	}{{"sqlite", servertest.Options{}}, {"postgres", servertest.Options{Postgres: true}}} {
		t.Run(backend.name, func(t *testing.T) { runSweep(t, backend.opt, plan) })
	}
}
