package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/server"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// A code is single-use (RFC 6749 §4.1.2): of any number of redemptions
// exactly one succeeds, and a replay revokes what the code produced.

// TestToken_CodeSingleUseConcurrent_RFC6749_4_1_2 checks that of 20
// concurrent redemptions of one code exactly one succeeds and the 19
// others get invalid_grant ("The client MUST NOT use the authorization
// code more than once").
func TestToken_CodeSingleUseConcurrent_RFC6749_4_1_2(t *testing.T) {
	t.Parallel()
	e := newRulesEnv(t, servertest.Options{})
	_, code, pk := signedIn(t, e, e.SPA, spaRedirect)
	concurrentRedeem(t, e, code, pk.Verifier)
}

func concurrentRedeem(t *testing.T, e *rulesEnv, code, verifier string) {
	t.Helper()
	body := url.Values{"grant_type": {"authorization_code"}, "client_id": {e.SPA.ID}, "code": {code},
		"code_verifier": {verifier}, "redirect_uri": {spaRedirect}}.Encode()
	const n = 20
	type result struct {
		status int
		error  string
		err    error
	}
	results := make([]result, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			req, _ := http.NewRequest(http.MethodPost, e.URL+"/token", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := e.Server.Client().Do(req)
			if err != nil {
				results[i].err = err
				return
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			var m map[string]any
			_ = json.Unmarshal(raw, &m)
			s, _ := m["error"].(string)
			results[i] = result{status: resp.StatusCode, error: s}
		})
	}
	close(start)
	wg.Wait()
	ok, refused := 0, 0
	for i, r := range results {
		switch {
		case r.err != nil:
			t.Errorf("request %d: %v", i, r.err)
		case r.status == http.StatusOK:
			ok++
		case r.status == http.StatusBadRequest && r.error == "invalid_grant":
			refused++
		default:
			t.Errorf("request %d: status %d, error %q; want 200 or 400 invalid_grant", i, r.status, r.error)
		}
	}
	if ok != 1 || refused != n-1 {
		t.Errorf("%d succeeded and %d got invalid_grant; want exactly 1 and %d", ok, refused, n-1)
	}
}

// TestToken_CodeReplayRevokesTokens_RFC6749_4_1_2 checks that a second
// redemption is refused and revokes the tokens of the first ("SHOULD
// revoke (when possible) all tokens previously issued based on that
// authorization code"): the access token then fails at userinfo.
func TestToken_CodeReplayRevokesTokens_RFC6749_4_1_2(t *testing.T) {
	t.Parallel()
	e := newRulesEnv(t, servertest.Options{})
	replayScenario(t, e)
}

func replayScenario(t *testing.T, e *rulesEnv) {
	t.Helper()
	_, code, pk := signedIn(t, e, e.SPA, spaRedirect)
	first := exchange(t, e, e.SPA, "", code, spaRedirect, pk.Verifier)
	wantTokens(t, first)
	at := first.str("access_token")
	if r := userinfo(t, e, http.MethodGet, at); r.Status != http.StatusOK {
		t.Fatalf("userinfo with the fresh access token: status %d", r.Status)
	}
	wantTokenError(t, exchange(t, e, e.SPA, "", code, spaRedirect, pk.Verifier), 400, "invalid_grant")
	r := userinfo(t, e, http.MethodGet, at)
	if r.Status != http.StatusUnauthorized || bearerParam(r.Challenge, "error") != "invalid_token" {
		t.Errorf("userinfo after replay: status %d, WWW-Authenticate %q; want 401 error=\"invalid_token\"", r.Status, r.Challenge)
	}
}

// TestToken_ReplayDuringRedemptionRevokesTokens_RFC6749_4_1_2 forces the
// interleaving the concurrent test only hits by chance: a replay arrives
// while the first redemption is between consuming the code and recording
// its access token. The replay is refused and revokes the grant — but the
// token recorded just after must be revoked too, since it was "issued
// based on" the replayed code.
func TestToken_ReplayDuringRedemptionRevokesTokens_RFC6749_4_1_2(t *testing.T) {
	t.Parallel()
	var hold *holdStore
	e := registerRules(servertest.New(t, servertest.Options{WrapStore: func(s server.Store) server.Store {
		hold = newHoldStore(s)
		return hold
	}}))
	_, code, pk := signedIn(t, e, e.SPA, spaRedirect)
	hold.armed.Store(true)

	first := make(chan tokenResponse, 1)
	go func() {
		// postToken's checks may not run off the test goroutine: use a
		// throwaway T-free request and decode here.
		first <- redeemQuietly(e, code, pk.Verifier)
	}()
	select {
	case <-hold.won:
	case <-time.After(10 * time.Second):
		t.Fatal("the first redemption never consumed the code")
	}
	wantTokenError(t, exchange(t, e, e.SPA, "", code, spaRedirect, pk.Verifier), 400, "invalid_grant")
	r := <-first
	if r.Status != http.StatusOK {
		t.Fatalf("first redemption: status %d %v; want 200", r.Status, r.JSON)
	}
	at := r.str("access_token")
	if u := userinfo(t, e, http.MethodGet, at); u.Status != http.StatusUnauthorized || bearerParam(u.Challenge, "error") != "invalid_token" {
		t.Errorf("access token of a replayed code at userinfo: status %d, WWW-Authenticate %q; want 401 error=\"invalid_token\"", u.Status, u.Challenge)
	}
}

// holdStore forces the interleaving a replay race only hits by chance.
// Once armed, it signals won at the first successful ConsumeAuthCode or
// RotateRefreshToken (the winning use of a code or refresh token), and
// holds every CreateToken until a RevokeGrant has run (or 5 s passed), so a
// replay can revoke the grant between the win and the token records.
type holdStore struct {
	server.Store
	armed              atomic.Bool
	wonOnce, revokeOne sync.Once
	won, revoked       chan struct{}
}

func newHoldStore(s server.Store) *holdStore {
	return &holdStore{Store: s, won: make(chan struct{}), revoked: make(chan struct{})}
}

func (s *holdStore) signalWin(err error) {
	if err == nil && s.armed.Load() {
		s.wonOnce.Do(func() { close(s.won) })
	}
}

func (s *holdStore) ConsumeAuthCode(ctx context.Context, hash string, now time.Time) (storage.AuthCode, error) {
	c, err := s.Store.ConsumeAuthCode(ctx, hash, now)
	s.signalWin(err)
	return c, err
}

func (s *holdStore) RotateRefreshToken(ctx context.Context, oldID string, next storage.Token, now time.Time) (storage.Token, error) {
	old, err := s.Store.RotateRefreshToken(ctx, oldID, next, now)
	s.signalWin(err)
	return old, err
}

func (s *holdStore) CreateToken(ctx context.Context, tok storage.Token) error {
	if s.armed.Load() {
		select {
		case <-s.revoked:
		case <-time.After(5 * time.Second):
		}
	}
	return s.Store.CreateToken(ctx, tok)
}

func (s *holdStore) RevokeGrant(ctx context.Context, grantID string, now time.Time) (int, error) {
	n, err := s.Store.RevokeGrant(ctx, grantID, now)
	if s.armed.Load() {
		s.revokeOne.Do(func() { close(s.revoked) })
	}
	return n, err
}

// redeemQuietly redeems a code for the SPA without touching a *testing.T,
// for use off the test goroutine.
func redeemQuietly(e *rulesEnv, code, verifier string) tokenResponse {
	body := url.Values{"grant_type": {"authorization_code"}, "client_id": {e.SPA.ID}, "code": {code},
		"code_verifier": {verifier}, "redirect_uri": {spaRedirect}}.Encode()
	req, _ := http.NewRequest(http.MethodPost, e.URL+"/token", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := e.Server.Client().Do(req)
	if err != nil {
		return tokenResponse{JSON: map[string]any{"transport_error": err.Error()}}
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := tokenResponse{Status: resp.StatusCode, Header: resp.Header}
	_ = json.Unmarshal(raw, &r.JSON)
	return r
}

// TestToken_CodeOfAnotherClient_RFC6749_4_1_3 checks the code is bound to
// its client before anything else happens: another client presenting it,
// unused or used, gets invalid_grant and changes nothing — it can neither
// burn the victim's code nor, by "replaying" it, revoke the victim's
// tokens (a public client authenticates with its client_id alone).
func TestToken_CodeOfAnotherClient_RFC6749_4_1_3(t *testing.T) {
	t.Parallel()
	e := newRulesEnv(t, servertest.Options{})
	_, code, pk := signedIn(t, e, e.SPA, spaRedirect)

	// Unused: the other client is refused and the code still works.
	wantTokenError(t, exchange(t, e, e.SPAPlain, "", code, spaRedirect, pk.Verifier), 400, "invalid_grant")
	first := exchange(t, e, e.SPA, "", code, spaRedirect, pk.Verifier)
	wantTokens(t, first)

	// Used: the other client's "replay" revokes nothing.
	wantTokenError(t, exchange(t, e, e.SPAPlain, "", code, spaRedirect, pk.Verifier), 400, "invalid_grant")
	wantTokenError(t, exchange(t, e, e.Web, e.WebSecret, code, spaRedirect, pk.Verifier), 400, "invalid_grant")
	if r := userinfo(t, e, http.MethodGet, first.str("access_token")); r.Status != http.StatusOK {
		t.Errorf("another client presenting a used code revoked the owner's token: userinfo %d", r.Status)
	}
}
