package server_test

import (
	"encoding/base64"
	"net/http"
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

// guessingCases are password and client secret guesses beyond the
// default free failures (config.DefaultThrottle): wrong passwords for
// the user on a loaded login form and wrong secrets for the service, so
// that the throttled sweep surely meets delays and locks.
func guessingCases(fx *sweepFixture) []sweepReq {
	authz, _ := authorizeBase(fx)
	var out []sweepReq
	for i := range 12 {
		out = append(out, sweepReq{endpoint: "guessing", what: "a wrong password", method: http.MethodPost, path: "/login",
			shape: shapeFrontChannel, header: [][2]string{{"Content-Type", "application/x-www-form-urlencoded"},
				{"Cookie", fx.csrfCk.Name + "=" + fx.csrfCk.Value}},
			body: []byte(encodePairs(pairs("csrf_token", fx.csrfToken, "authz", encodePairs(authz), "email", ruleEmail,
				"password", "wrong guess "+string(rune('a'+i)))))})
		basic := base64.StdEncoding.EncodeToString([]byte(fx.e.Service.ID + ":wrong guess " + string(rune('a'+i))))
		out = append(out, sweepReq{endpoint: "guessing", what: "a wrong client secret", method: http.MethodPost, path: "/token",
			shape: shapeBackChannel, authSent: true, header: [][2]string{{"Content-Type", "application/x-www-form-urlencoded"},
				{"Authorization", "Basic " + basic}},
			body: []byte("grant_type=client_credentials")})
	}
	return out
}

// checkThrottled fails unless brute-force protection engaged: some
// answer carried Retry-After and the throttle's counters changed.
func checkThrottled(t *testing.T, results []sweepResp, before, after map[string]tableSnapshot) {
	t.Helper()
	delayed := 0
	for _, r := range results {
		if r.header.Get("Retry-After") != "" {
			delayed++
		}
	}
	t.Logf("throttled sweep: %d answers with Retry-After", delayed)
	if delayed == 0 {
		t.Error("no answer carried Retry-After: brute-force protection never engaged")
	}
	if slices.Equal(before["throttle_failures"].rows, after["throttle_failures"].rows) {
		t.Error("the throttle_failures table did not change: brute-force protection never counted")
	}
}
