package janitor_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/janitor"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
	"github.com/gatehouse-dev/gatehouse/internal/storage/postgres"
	"github.com/gatehouse-dev/gatehouse/internal/storage/postgres/pgtest"
	"github.com/gatehouse-dev/gatehouse/internal/storage/sqlite"
)

// now is the janitor's clock in these tests.
var now = time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)

// backends open a fresh migrated store of each kind.
var backends = []struct {
	name string
	open func(t *testing.T) storage.Store
}{
	{"sqlite", func(t *testing.T) storage.Store {
		s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "janitor.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if err := s.Migrate(t.Context()); err != nil {
			t.Fatal(err)
		}
		return s
	}},
	{"postgres", func(t *testing.T) storage.Store {
		s, err := postgres.Open(t.Context(), pgtest.NewDatabase(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if err := s.Migrate(t.Context()); err != nil {
			t.Fatal(err)
		}
		return s
	}},
}

// fixture is a database holding expired and live rows of every kind the
// janitor deletes.
type fixture struct {
	expired, live struct {
		tokens, codes, sessions, jtis []string
	}
	oldGrant    string // revoked two hours ago, its tokens all expired: goes
	recentGrant string // revoked ten minutes ago: stays for its hour
}

// Row counts: several batches of each kind, more of some than others.
const (
	nExpiredTokens   = 330
	nExpiredCodes    = 150
	nExpiredSessions = 140
	nExpiredJTIs     = 60
	nLive            = 12
	testBatch        = 50
)

func seed(t *testing.T, s storage.Store) *fixture {
	t.Helper()
	ctx := t.Context()
	f := &fixture{oldGrant: "grant-old", recentGrant: "grant-recent"}
	created := now.Add(-2 * time.Hour)
	user := storage.User{ID: "u1", Email: "ada@example.com", Name: "Ada", PasswordHash: "x", Groups: []string{}, CreatedAt: created, UpdatedAt: created}
	must(t, s.CreateUser(ctx, user))
	client := storage.Client{ID: "c1", Name: "App", Type: storage.ClientWeb, SecretHash: "h", RedirectURIs: []string{"https://app.example.com/cb"}, CreatedAt: created, UpdatedAt: created}
	must(t, s.CreateClient(ctx, client))

	// expiry of the i-th expired row: at or before now (a record is
	// invalid from its expiry on); live rows expire a minute from now.
	expiredAt := func(i int) time.Time { return now.Add(-time.Duration(i) * time.Second) }
	liveAt := now.Add(time.Minute)

	tok := func(id, grant string, kind storage.TokenKind, exp time.Time) storage.Token {
		tk := storage.Token{ID: id, Kind: kind, GrantID: grant, ClientID: client.ID, UserID: user.ID,
			Scopes: []string{"openid"}, AuthTime: created, CreatedAt: created, ExpiresAt: exp}
		if kind == storage.TokenRefresh {
			tk.GrantExpiresAt = exp.Add(time.Hour)
		}
		return tk
	}
	for i := range nExpiredTokens + nLive {
		kind := storage.TokenAccess
		if i%3 == 0 {
			kind = storage.TokenRefresh
		}
		id, grant, exp := fmt.Sprintf("tok-%04d", i), fmt.Sprintf("grant-%d", i%40), expiredAt(i)
		if i < 20 {
			grant = f.oldGrant
		}
		list := &f.expired.tokens
		if i >= nExpiredTokens {
			exp, grant, list = liveAt, fmt.Sprintf("grant-live-%d", i%4), &f.live.tokens
		}
		must(t, s.CreateToken(ctx, tok(id, grant, kind, exp)))
		*list = append(*list, id)
	}
	for i := range nExpiredCodes + nLive {
		hash, exp, list := fmt.Sprintf("code-%04d", i), expiredAt(i), &f.expired.codes
		if i >= nExpiredCodes {
			exp, list = liveAt, &f.live.codes
		}
		must(t, s.CreateAuthCode(ctx, storage.AuthCode{Hash: hash, GrantID: fmt.Sprintf("grant-code-%d", i), ClientID: client.ID,
			UserID: user.ID, SessionID: "s", Scopes: []string{"openid"}, CodeChallenge: "c", CodeChallengeMethod: "S256",
			AuthTime: created, CreatedAt: created, ExpiresAt: exp}))
		*list = append(*list, hash)
	}
	for i := range nExpiredSessions + nLive {
		id, exp, list := fmt.Sprintf("sess-%04d", i), expiredAt(i), &f.expired.sessions
		if i >= nExpiredSessions {
			exp, list = liveAt, &f.live.sessions
		}
		must(t, s.CreateSession(ctx, storage.Session{ID: id, UserID: user.ID, AuthTime: created, CreatedAt: created, ExpiresAt: exp}))
		*list = append(*list, id)
	}
	for i := range nExpiredJTIs + nLive {
		jti, exp, list := fmt.Sprintf("jti-%04d", i), expiredAt(i), &f.expired.jtis
		if i >= nExpiredJTIs {
			exp, list = liveAt, &f.live.jtis
		}
		must(t, s.UseAssertionID(ctx, client.ID, jti, exp))
		*list = append(*list, jti)
	}
	if _, err := s.RevokeGrant(ctx, f.oldGrant, now.Add(-2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RevokeGrant(ctx, f.recentGrant, now.Add(-10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	return f
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// check verifies that every expired row is gone and every live one stays.
func (f *fixture) check(t *testing.T, s storage.Store) {
	t.Helper()
	ctx := t.Context()
	before := now.Add(-3 * time.Hour) // GetSession before every expiry: only deletion hides a session
	gone := func(kind string, ids []string, get func(string) error) {
		t.Helper()
		for _, id := range ids {
			if err := get(id); !errors.Is(err, storage.ErrNotFound) {
				t.Errorf("expired %s %s: got %v, want it deleted", kind, id, err)
				return
			}
		}
	}
	kept := func(kind string, ids []string, get func(string) error) {
		t.Helper()
		for _, id := range ids {
			if err := get(id); err != nil {
				t.Errorf("live %s %s: %v, want it kept", kind, id, err)
				return
			}
		}
	}
	getToken := func(id string) error { _, err := s.GetToken(ctx, id); return err }
	getSession := func(id string) error { _, err := s.GetSession(ctx, id, before); return err }
	gone("token", f.expired.tokens, getToken)
	kept("token", f.live.tokens, getToken)
	gone("session", f.expired.sessions, getSession)
	kept("session", f.live.sessions, getSession)

	// Codes: the store has no plain lookup; consuming an unknown hash gives
	// ErrNotFound, a live one succeeds (and is used up, which ends the test).
	consume := func(hash string) error { _, err := s.ConsumeAuthCode(ctx, hash, now); return err }
	gone("code", f.expired.codes, consume)
	kept("code", f.live.codes, consume)

	// Assertion IDs: recording a jti again works only once it was deleted.
	for _, jti := range f.expired.jtis {
		if err := s.UseAssertionID(ctx, "c1", jti, now.Add(time.Minute)); err != nil {
			t.Errorf("expired jti %s: UseAssertionID = %v, want it deleted and reusable", jti, err)
			break
		}
	}
	for _, jti := range f.live.jtis {
		if err := s.UseAssertionID(ctx, "c1", jti, now.Add(time.Minute)); !errors.Is(err, storage.ErrAlreadyExists) {
			t.Errorf("live jti %s: UseAssertionID = %v, want ErrAlreadyExists", jti, err)
			break
		}
	}

	// Revoked grants: a token for a grant still marked revoked is stored
	// revoked with ErrGrantRevoked.
	fresh := func(id, grant string) storage.Token {
		return storage.Token{ID: id, Kind: storage.TokenAccess, GrantID: grant, ClientID: "c1", UserID: "u1",
			Scopes: []string{"openid"}, AuthTime: now, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	}
	if err := s.CreateToken(ctx, fresh("after-old", f.oldGrant)); err != nil {
		t.Errorf("grant revoked two hours ago with no tokens left: CreateToken = %v, want the revocation record deleted", err)
	}
	if err := s.CreateToken(ctx, fresh("after-recent", f.recentGrant)); !errors.Is(err, storage.ErrGrantRevoked) {
		t.Errorf("grant revoked ten minutes ago: CreateToken = %v, want ErrGrantRevoked (kept for an hour)", err)
	}
}

func TestSweepDeletesExpiredRows(t *testing.T) {
	t.Parallel()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := b.open(t)
			f := seed(t, s)
			n, err := janitor.Sweep(t.Context(), s, now, testBatch, time.Millisecond)
			if err != nil {
				t.Fatalf("Sweep: %v", err)
			}
			// Every expired row and the old grant's revocation record.
			if want := nExpiredTokens + nExpiredCodes + nExpiredSessions + nExpiredJTIs + 1; n != want {
				t.Errorf("Sweep removed %d rows, want %d", n, want)
			}
			if n, err := janitor.Sweep(t.Context(), s, now, testBatch, time.Millisecond); n != 0 || err != nil {
				t.Errorf("second Sweep = %d, %v; want nothing left", n, err)
			}
			f.check(t, s)
		})
	}
}

// syncBuffer is a log destination safe for the janitor's goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// TestRun runs the background loop until the rows are gone, then stops
// it. (The CLI tests cover Once.)
func TestRun(t *testing.T) {
	t.Parallel()
	for _, b := range backends[:1] { // the loop does not depend on the backend
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := b.open(t)
			f := seed(t, s)
			var logs syncBuffer
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			done := make(chan struct{})
			go func() {
				defer close(done)
				janitor.Run(ctx, s, janitor.Options{
					Interval: 20 * time.Millisecond, Batch: testBatch, Pause: time.Millisecond,
					Now: func() time.Time { return now }, Log: slog.New(slog.NewTextHandler(&logs, nil)),
				})
			}()
			deadline := time.Now().Add(20 * time.Second)
			for !strings.Contains(logs.String(), "removed=") {
				if time.Now().After(deadline) {
					t.Fatalf("the janitor logged no sweep: %q", logs.String())
				}
				time.Sleep(10 * time.Millisecond)
			}
			cancel()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("Run did not return after its context ended")
			}
			want := fmt.Sprintf("removed=%d", nExpiredTokens+nExpiredCodes+nExpiredSessions+nExpiredJTIs+1)
			if got := logs.String(); !strings.Contains(got, want) || strings.Contains(got, "tok-") || strings.Contains(got, "sess-") {
				t.Errorf("log %q: want %s and no row keys", got, want)
			}
			f.check(t, s)
		})
	}
}
