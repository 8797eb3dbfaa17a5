package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/server"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
)

// TestRefresh_ConcurrentUseOneWins_RFC9700_4_14_2 sends one refresh token
// 20 times at once: exactly one request gets new tokens, the 19 others
// invalid_grant. The losers are reuse, so the grant is revoked — the
// winner's fresh tokens included (the documented choice in
// tokenapi/refresh.go: a double submit cannot be told from a thief's race).
func TestRefresh_ConcurrentUseOneWins_RFC9700_4_14_2(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, opt servertest.Options) {
		e := newRulesEnv(t, opt)
		r0 := grantWithRefresh(t, e, e.session(t), e.SPA, "", spaRedirect, offlineScope)
		body, _ := refreshRequest(e.SPA, "", r0.str("refresh_token"), "")

		const n = 20
		results := make([]tokenResponse, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				results[i] = postQuietly(e.Env, body)
			})
		}
		close(start)
		wg.Wait()
		var winner tokenResponse
		ok, refused := 0, 0
		for i, r := range results {
			switch {
			case r.Status == http.StatusOK && r.str("refresh_token") != "":
				ok++
				winner = r
			case r.Status == http.StatusBadRequest && r.str("error") == "invalid_grant":
				refused++
			default:
				t.Errorf("request %d: status %d, %v; want 200 or 400 invalid_grant", i, r.Status, r.JSON)
			}
		}
		if ok != 1 || refused != n-1 {
			t.Fatalf("%d succeeded and %d got invalid_grant; want exactly 1 and %d", ok, refused, n-1)
		}
		wantRevoked(t, e, winner.str("access_token"), "the winner's access token after the concurrent reuse")
		wantTokenError(t, refresh(t, e.Env, e.SPA, "", winner.str("refresh_token"), ""), 400, "invalid_grant")
	})
}

// postQuietly posts a form to /token without touching a *testing.T, for
// use off the test goroutine.
func postQuietly(env *servertest.Env, body string) tokenResponse {
	req, _ := http.NewRequest(http.MethodPost, env.URL+"/token", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := env.Server.Client().Do(req)
	if err != nil {
		return tokenResponse{JSON: map[string]any{"transport_error": err.Error()}}
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := tokenResponse{Status: resp.StatusCode, Header: resp.Header}
	_ = json.Unmarshal(raw, &r.JSON)
	return r
}

// TestRefresh_ReuseDuringRefreshRevokesItsTokens_RFC9700_4_14_2 forces
// the interleaving the concurrent test hits only by chance: a second use
// of a refresh token arrives after the first has rotated it but before the
// first has recorded its access token. The second is reuse and revokes the
// grant; the first still answers 200 (exactly one use succeeds), but the
// tokens it hands out were recorded revoked and are refused.
func TestRefresh_ReuseDuringRefreshRevokesItsTokens_RFC9700_4_14_2(t *testing.T) {
	t.Parallel()
	var hold *holdStore
	e := registerRules(servertest.New(t, servertest.Options{WrapStore: func(s server.Store) server.Store {
		hold = newHoldStore(s)
		return hold
	}}))
	r0 := grantWithRefresh(t, e, e.session(t), e.SPA, "", spaRedirect, offlineScope)
	body, _ := refreshRequest(e.SPA, "", r0.str("refresh_token"), "")
	hold.armed.Store(true)

	first := make(chan tokenResponse, 1)
	go func() { first <- postQuietly(e.Env, body) }()
	select {
	case <-hold.won:
	case <-time.After(10 * time.Second):
		t.Fatal("the first refresh never rotated the token")
	}
	wantTokenError(t, refresh(t, e.Env, e.SPA, "", r0.str("refresh_token"), ""), 400, "invalid_grant")
	r := <-first
	if r.Status != http.StatusOK {
		t.Fatalf("first refresh: status %d %v; want 200", r.Status, r.JSON)
	}
	wantRevoked(t, e, r.str("access_token"), "the access token of a refresh raced by a reuse")
	wantTokenError(t, refresh(t, e.Env, e.SPA, "", r.str("refresh_token"), ""), 400, "invalid_grant")
}
