package postgres

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
	"github.com/gatehouse-dev/gatehouse/internal/storage/postgres/pgtest"
)

// event is what the listener reported: a key, or a flush (with its reason).
type event struct {
	key   string
	flush bool
	err   error
}

// TestListenerReconnectsAndFlushes cuts the listening connection from the
// server side: the listener must report the loss (so caches drop
// everything), listen again, report that too, and deliver what is
// committed afterwards. The triggers must notify for every kind of row.
func TestListenerReconnectsAndFlushes(t *testing.T) {
	s := open(t, pgtest.NewDatabase(t))
	defer s.Close()
	ctx, cancel := context.WithCancel(t.Context())
	events := make(chan event, 64)
	l := &listener{config: s.pool.Config().ConnConfig}
	done := make(chan struct{})
	go func() {
		defer close(done)
		l.run(ctx, func(k string) { events <- event{key: k} }, func(err error) { events <- event{flush: true, err: err} })
	}()
	defer func() { cancel(); <-done }()

	// Other tests share the database and its notification channel: their
	// writes arrive here too. IDs carry a suffix of this test's own, and
	// next(want) skips every key but want ("" waits for a flush), so
	// another test's write can neither fail nor satisfy an expectation
	// (but for "keys", which names no row).
	sfx := strconv.FormatInt(time.Now().UnixNano(), 36)
	next := func(want string) event {
		t.Helper()
		for {
			select {
			case e := <-events:
				if e.flush || e.key == want {
					return e
				}
			case <-time.After(15 * time.Second): // a hang guard, not a bound
				t.Fatalf("the listener reported nothing (waiting for %q)", want)
				return event{}
			}
		}
	}
	if e := next(""); !e.flush || e.err != nil {
		t.Fatalf("first event %+v, want a flush without error (listening)", e)
	}
	at := time.Now().UTC().Truncate(time.Microsecond)
	writes := []struct {
		name  string
		write func() error
		want  string
	}{
		{"client", func() error {
			return s.CreateClient(ctx, storage.Client{ID: "c1" + sfx, Name: "c", Type: storage.ClientSPA, CreatedAt: at, UpdatedAt: at})
		}, "client:c1" + sfx},
		{"client deleted", func() error { return s.DeleteClient(ctx, "c1"+sfx) }, "client:c1" + sfx},
		{"project and api", func() error {
			if err := s.CreateProject(ctx, storage.Project{ID: "p1" + sfx, Name: "p", CreatedAt: at, UpdatedAt: at}); err != nil {
				return err
			}
			return s.CreateAPI(ctx, storage.API{ID: "a1" + sfx, ProjectID: "p1" + sfx, Name: "a", Identifier: "https://api.example/" + sfx, CreatedAt: at, UpdatedAt: at})
		}, "api:a1" + sfx},
		{"signing key", func() error {
			return s.CreateSigningKey(ctx, storage.SigningKey{ID: "k1" + sfx, Alg: "ES256", PublicJWK: []byte("{}"), PrivateKey: []byte("x"),
				CreatedAt: at, ActivatesAt: at, NotAfter: at.Add(time.Hour)})
		}, "keys"},
	}
	for _, w := range writes {
		if err := w.write(); err != nil {
			t.Fatalf("%s: %v", w.name, err)
		}
		if e := next(w.want); e.key != w.want {
			t.Fatalf("%s: event %+v, want key %q", w.name, e, w.want)
		}
	}

	pid := l.pid.Load()
	if pid == 0 {
		t.Fatal("no listening backend")
	}
	var ok bool
	if err := s.pool.QueryRow(ctx, "SELECT pg_terminate_backend($1)", int32(pid)).Scan(&ok); err != nil || !ok {
		t.Fatalf("terminate the listener's backend %d: %v %v", pid, ok, err)
	}
	if e := next(""); !e.flush || e.err == nil {
		t.Fatalf("after the cut: %+v, want a flush with the reason", e)
	}
	if e := next(""); !e.flush || e.err != nil {
		t.Fatalf("after reconnecting: %+v, want a flush without error", e)
	}
	if l.pid.Load() == pid {
		t.Fatal("still the terminated backend")
	}
	if err := s.UpdateSigningKey(ctx, "k1"+sfx, at, at.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if e := next("keys"); e.key != "keys" {
		t.Fatalf("after reconnecting: event %+v, want key keys", e)
	}
}
