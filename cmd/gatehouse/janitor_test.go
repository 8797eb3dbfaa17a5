package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// seedAssertionIDs records jtis that expired an hour ago and ones that
// expire in an hour: the simplest rows the janitor deletes, needing no
// user or client.
func seedAssertionIDs(t *testing.T, s storage.Store, expired, live int) {
	t.Helper()
	now := time.Now()
	for i := range expired + live {
		exp := now.Add(-time.Hour)
		if i >= expired {
			exp = now.Add(time.Hour)
		}
		if err := s.UseAssertionID(t.Context(), "client", "jti-"+string(rune('a'+i)), exp); err != nil {
			t.Fatal(err)
		}
	}
}

func TestJanitorOnce(t *testing.T) {
	t.Parallel()
	db := tempDB(t)
	store := openStore(t, db)
	seedAssertionIDs(t, store, 5, 2)

	r := runCLI(t, "", "janitor", "--once", "--db", db, "--json")
	mustCode(t, r, 0)
	var out struct{ Removed int }
	decodeOne(t, r.stdout, &out)
	if out.Removed != 5 {
		t.Errorf("removed %d, want the 5 expired rows", out.Removed)
	}
	// The expired jtis are gone (recording one again works), the live stay.
	if err := store.UseAssertionID(t.Context(), "client", "jti-a", time.Now().Add(time.Hour)); err != nil {
		t.Errorf("expired jti still recorded: %v", err)
	}
	if err := store.UseAssertionID(t.Context(), "client", "jti-f", time.Now().Add(time.Hour)); !errors.Is(err, storage.ErrAlreadyExists) {
		t.Errorf("live jti: %v, want it kept", err)
	}

	r = runCLI(t, "", "janitor", "--once", "--db", db)
	mustCode(t, r, 0)
	if r.stdout != "removed 0 expired rows\n" {
		t.Errorf("second run stdout %q", r.stdout)
	}
}

func TestJanitorLoop(t *testing.T) {
	t.Parallel()
	db := tempDB(t)
	store := openStore(t, db)
	seedAssertionIDs(t, store, 3, 0)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	done := make(chan result, 1)
	go func() { done <- runCLICtx(ctx, "", "janitor", "--db", db, "--janitor-interval", "1h") }()
	// The loop sweeps at once; wait for the rows to go, then stop it as a
	// signal would.
	for store.UseAssertionID(t.Context(), "client", "jti-a", time.Now().Add(time.Hour)) != nil {
		if ctx.Err() != nil {
			t.Fatal("the janitor loop did not sweep")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	r := <-done
	mustCode(t, r, 0)
	if !strings.Contains(r.stderr, "janitor running") || !strings.Contains(r.stderr, "removed=3") || r.stdout != "" {
		t.Errorf("stdout %q, stderr %q", r.stdout, r.stderr)
	}
}

func TestJanitorUsage(t *testing.T) {
	t.Parallel()
	db := tempDB(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"janitor", "--json"}, "--json needs --once"},
		{[]string{"janitor", "--janitor-interval", "0"}, "--janitor-interval must be positive"},
		{[]string{"janitor", "--once", "extra"}, `unexpected argument "extra"`},
	} {
		r := runCLI(t, "", append(tc.args, "--db", db)...)
		mustCode(t, r, 2)
		if !strings.Contains(r.stderr, tc.want) || r.stdout != "" {
			t.Errorf("%v: stderr %q, stdout %q; want %q", tc.args, r.stderr, r.stdout, tc.want)
		}
	}
}
