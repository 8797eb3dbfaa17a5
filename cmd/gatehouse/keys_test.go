package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-dev/gatehouse/internal/config"
	"github.com/gatehouse-dev/gatehouse/internal/server"
)

// keyOut and rotationOut are what `keys list --json` and `keys rotate
// --json` print.
type keyOut struct {
	KID         string    `json:"kid"`
	Alg         string    `json:"alg"`
	State       string    `json:"state"`
	CreatedAt   time.Time `json:"created_at"`
	ActivatesAt time.Time `json:"activates_at"`
	NotAfter    time.Time `json:"not_after"`
}

type rotationOut struct {
	Alg         string    `json:"alg"`
	PreviousKID string    `json:"previous_kid"`
	CurrentKID  string    `json:"current_kid"`
	NextKID     string    `json:"next_kid"`
	RotatedAt   time.Time `json:"rotated_at"`
	NextAt      time.Time `json:"next_activates_at"`
}

func listKeys(t *testing.T, db string) map[string]keyOut {
	t.Helper()
	r := runCLI(t, "", "keys", "list", "--db", db, "--json")
	mustCode(t, r, 0)
	var list []keyOut
	decodeOne(t, r.stdout, &list)
	byID := map[string]keyOut{}
	for _, k := range list {
		byID[k.KID] = k
	}
	if len(byID) != len(list) {
		t.Fatalf("keys list repeats a kid: %s", r.stdout)
	}
	return byID
}

func rotate(t *testing.T, db string, args ...string) ([]rotationOut, result) {
	t.Helper()
	r := runCLI(t, "", append([]string{"keys", "rotate", "--db", db, "--json"}, args...)...)
	mustCode(t, r, 0)
	var rots []rotationOut
	decodeOne(t, r.stdout, &rots)
	return rots, r
}

func TestKeysRotateAndList(t *testing.T) {
	t.Parallel()
	db := tempDB(t)
	if keys := listKeys(t, db); len(keys) != 0 {
		t.Fatalf("fresh database lists %d keys", len(keys))
	}
	// On a fresh database rotate first creates a current and a next key,
	// then rotates: the just-created next key signs, which it warns about.
	first, r := rotate(t, db)
	if !strings.Contains(r.stderr, "warning") {
		t.Errorf("no warning about promoting a key published moments ago: %q", r.stderr)
	}
	second, _ := rotate(t, db, "--alg", "EdDSA")
	if len(first) != 3 || len(second) != 1 || second[0].Alg != "EdDSA" {
		t.Fatalf("rotations: %+v then %+v; want every algorithm, then EdDSA", first, second)
	}
	keys := listKeys(t, db)
	for _, rot := range first {
		prev, cur, next := keys[rot.PreviousKID], keys[rot.CurrentKID], keys[rot.NextKID]
		wantCur, wantNext := "current", "next"
		if rot.Alg == "EdDSA" { // rotated again since
			wantCur, wantNext = "previous", "current"
		}
		if prev.State != "previous" || cur.State != wantCur || next.State != wantNext {
			t.Errorf("%s: states %q %q %q, want previous %s %s", rot.Alg, prev.State, cur.State, next.State, wantCur, wantNext)
		}
		if prev.Alg != rot.Alg || cur.Alg != rot.Alg || next.Alg != rot.Alg {
			t.Errorf("%s rotation lists keys of other algorithms: %+v %+v %+v", rot.Alg, prev, cur, next)
		}
		if rot.Alg != "EdDSA" && (!prev.NotAfter.Equal(rot.RotatedAt) || !cur.ActivatesAt.Equal(rot.RotatedAt) ||
			!next.ActivatesAt.Equal(cur.NotAfter) || !next.ActivatesAt.Equal(rot.NextAt) ||
			cur.NotAfter.Sub(cur.ActivatesAt) != config.Default().KeyRotationPeriod) {
			t.Errorf("%s: periods do not abut at the rotation: %+v %+v %+v", rot.Alg, prev, cur, next)
		}
	}
	ed := second[0]
	if ed.PreviousKID != first[2].CurrentKID || ed.CurrentKID != first[2].NextKID || keys[ed.NextKID].State != "next" {
		t.Errorf("second EdDSA rotation %+v does not follow the first %+v", ed, first[2])
	}
	if len(keys) != 3+3+3+1 {
		t.Errorf("%d keys listed, want 10", len(keys))
	}

	text := runCLI(t, "", "keys", "list", "--db", db)
	mustCode(t, text, 0)
	if !strings.HasPrefix(text.stdout, "KID") || !strings.Contains(text.stdout, first[0].CurrentKID) || strings.Count(text.stdout, "\n") != 11 {
		t.Errorf("text listing:\n%s", text.stdout)
	}
	plain := runCLI(t, "", "keys", "rotate", "--db", db, "--alg", "RS256")
	mustCode(t, plain, 0)
	if !strings.Contains(plain.stdout, "RS256: ") || !strings.Contains(plain.stdout, first[1].NextKID) {
		t.Errorf("text rotation output:\n%s", plain.stdout)
	}
}

func TestKeysUsageAndFailures(t *testing.T) {
	t.Parallel()
	db := tempDB(t)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no subcommand", []string{"keys"}, 2, "list or rotate"},
		{"unknown subcommand", []string{"keys", "burn"}, 2, "burn"},
		{"unsupported algorithm", []string{"keys", "rotate", "--db", db, "--alg", "HS256"}, 2, "--alg"},
		{"period too short", []string{"keys", "rotate", "--db", db, "--key-rotation-period", "5m"}, 2, "--key-rotation-period"},
		{"stray argument", []string{"keys", "list", "--db", db, "now"}, 2, "unexpected argument"},
		{"missing secret file", []string{"keys", "rotate", "--db", db, "--secret-file", filepath.Join(t.TempDir(), "none")}, 1, "master secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, "", tt.args...)
			mustCode(t, r, tt.code)
			if !strings.Contains(r.stderr, tt.want) {
				t.Errorf("stderr %q, want it to mention %q", r.stderr, tt.want)
			}
		})
	}
	// Keys made under one master secret cannot be rotated with another.
	rotate(t, db, "--alg", "ES256")
	other := filepath.Join(t.TempDir(), "other.secret")
	if err := os.WriteFile(other, []byte(strings.Repeat("o", 32)), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, "", "keys", "rotate", "--db", db, "--secret-file", other)
	mustCode(t, r, 1)
	if !strings.Contains(r.stderr, "master secret") {
		t.Errorf("stderr %q, want it to blame the master secret", r.stderr)
	}
}

func TestServeRejectsBadKeySettings(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--signing-alg", "HS256"}, {"--key-rotation-period", "59m"}} {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		r := runCLICtx(ctx, "", append([]string{"serve", "--db", tempDB(t), "--addr", "127.0.0.1:0"}, args...)...)
		mustCode(t, r, 2)
		if !strings.Contains(r.stderr, args[0]) {
			t.Errorf("stderr %q, want it to name %s", r.stderr, args[0])
		}
	}
}

// testClock is a settable clock for a server started by a test.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func TestRunningServerPicksUpRotation(t *testing.T) {
	// A server and the CLI share the database and the master secret file
	// beside it: the server publishes the CLI's new next key within its
	// one-minute refresh, and keeps publishing the key it signed with.
	t.Parallel()
	db := tempDB(t)
	cfg := config.Default()
	cfg.DB, cfg.Issuer = db, "http://127.0.0.1:1"
	master, err := server.LoadMasterSecret("", db)
	if err != nil {
		t.Fatal(err)
	}
	clk := &testClock{t: time.Now()}
	srv, err := server.New(t.Context(), cfg, master, slog.New(slog.DiscardHandler), server.Deps{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	jwks := func() []string {
		t.Helper()
		resp, err := http.Get(ts.URL + "/jwks")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		var set jose.JSONWebKeySet
		if err := json.Unmarshal(body, &set); err != nil {
			t.Fatalf("JWKS: %v\n%s", err, body)
		}
		var kids []string
		for _, k := range set.Keys {
			kids = append(kids, k.KeyID)
		}
		slices.Sort(kids)
		return kids
	}
	before := jwks()
	if len(before) != 6 {
		t.Fatalf("JWKS at start has %d keys, want a current and a next per algorithm", len(before))
	}
	rots, _ := rotate(t, db, "--alg", "ES256")
	if got := jwks(); !slices.Equal(got, before) {
		t.Errorf("JWKS changed before the server's refresh: %v", got)
	}
	clk.Add(time.Minute)
	after := jwks()
	want := slices.Sorted(slices.Values(append(slices.Clone(before), rots[0].NextKID)))
	if !slices.Equal(after, want) {
		t.Errorf("JWKS after the refresh = %v, want %v (the old keys plus the new next key)", after, want)
	}
}
