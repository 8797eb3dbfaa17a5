package storagetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// newCode returns an unconsumed code with every field set.
func newCode(hash, clientID, userID, grantID string) storage.AuthCode {
	return storage.AuthCode{
		Hash:                hash,
		GrantID:             grantID,
		ClientID:            clientID,
		UserID:              userID,
		SessionID:           "session-" + userID,
		RedirectURI:         "https://app.example.com/cb?from=gatehouse",
		Scopes:              []string{"openid", "profile", "offline_access"},
		Nonce:               "n-0S6_WzA2Mj",
		CodeChallenge:       "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
		CodeChallengeMethod: "S256",
		AuthTime:            at(-time.Minute),
		CreatedAt:           base,
		ExpiresAt:           at(time.Minute),
	}
}

func testCreateAuthCode(t *testing.T, s storage.Store) {
	ctx := t.Context()
	mustUser(t, s, "u1")
	mustClient(t, s, "c1", base)
	consumedAt := at(30 * time.Second)
	now := at(40 * time.Second)

	// A code has no getter; ConsumeAuthCode returns the stored record.
	codes := []struct {
		name string
		in   storage.AuthCode
		err  error
	}{
		{"every field", newCode("code-full", "c1", "u1", "grant-full"), nil},
		{"optional fields empty", storage.AuthCode{
			Hash:      "code-min",
			GrantID:   "grant-min",
			ClientID:  "c1",
			UserID:    "u1",
			AuthTime:  base,
			CreatedAt: base,
			ExpiresAt: at(time.Minute),
		}, nil},
		{"created consumed", func() storage.AuthCode {
			c := newCode("code-consumed", "c1", "u1", "grant-consumed")
			c.ConsumedAt = &consumedAt
			return c
		}(), storage.ErrAlreadyConsumed},
	}
	for _, tt := range codes {
		t.Run(tt.name, func(t *testing.T) {
			wantErr(t, "CreateAuthCode", s.CreateAuthCode(ctx, tt.in), nil)
			got, err := s.ConsumeAuthCode(ctx, tt.in.Hash, now)
			wantErr(t, "ConsumeAuthCode", err, tt.err)
			want := tt.in
			if want.ConsumedAt == nil {
				want.ConsumedAt = &now
			}
			checkRecord(t, "ConsumeAuthCode", want, got)
		})
	}

	t.Run("same hash", func(t *testing.T) {
		dup := newCode("code-full", "c1", "u1", "grant-other")
		wantErr(t, "CreateAuthCode", s.CreateAuthCode(ctx, dup), storage.ErrAlreadyExists)
		got, err := s.ConsumeAuthCode(ctx, dup.Hash, now)
		wantErr(t, "ConsumeAuthCode", err, storage.ErrAlreadyConsumed)
		if got.GrantID != "grant-full" {
			t.Errorf("code overwritten by conflicting create: GrantID = %q", got.GrantID)
		}
	})
}

func testConsumeAuthCode(t *testing.T, s storage.Store) {
	ctx := t.Context()
	mustUser(t, s, "u1")
	mustClient(t, s, "c1", base)
	in := newCode("code-1", "c1", "u1", "grant-1")
	wantErr(t, "CreateAuthCode", s.CreateAuthCode(ctx, in), nil)
	// Expiry is the caller's check: a code past ExpiresAt still consumes.
	first := in.ExpiresAt.Add(time.Hour)
	want := in
	want.ConsumedAt = &first

	calls := []struct {
		name string
		hash string
		now  time.Time
		want error
	}{
		{"first use", in.Hash, first, nil},
		{"second use", in.Hash, first.Add(time.Second), storage.ErrAlreadyConsumed},
		{"same instant", in.Hash, first, storage.ErrAlreadyConsumed},
		{"absent", "code-absent", first, storage.ErrNotFound},
	}
	for _, tt := range calls {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.ConsumeAuthCode(ctx, tt.hash, tt.now)
			wantErr(t, "ConsumeAuthCode", err, tt.want)
			if tt.want != storage.ErrNotFound {
				checkRecord(t, "ConsumeAuthCode", want, got)
			}
		})
	}
}

// consumeAuthCodeRace races goroutines consuming one code, each with its own
// now, spread over stores that share one database, and checks exactly one
// wins and the others all see the winner's record.
func consumeAuthCodeRace(t *testing.T, stores []storage.Store) {
	const (
		rounds     = 5
		goroutines = 20
	)
	ctx := t.Context()
	s := stores[0]
	mustUser(t, s, "u1")
	mustClient(t, s, "c1", base)

	for round := range rounds {
		in := newCode(fmt.Sprintf("code-%d", round), "c1", "u1", "grant")
		wantErr(t, "CreateAuthCode", s.CreateAuthCode(ctx, in), nil)

		type result struct {
			code storage.AuthCode
			err  error
		}
		results := make([]result, goroutines)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range goroutines {
			wg.Go(func() {
				<-start
				s := stores[i%len(stores)]
				code, err := s.ConsumeAuthCode(ctx, in.Hash, at(time.Duration(i)*time.Second))
				results[i] = result{code, err}
			})
		}
		close(start)
		wg.Wait()

		winner := -1
		for i, r := range results {
			switch {
			case r.err == nil && winner >= 0:
				t.Fatalf("round %d: goroutines %d and %d both consumed the code", round, winner, i)
			case r.err == nil:
				winner = i
			case !errors.Is(r.err, storage.ErrAlreadyConsumed):
				t.Fatalf("round %d: goroutine %d: got error %v, want nil or ErrAlreadyConsumed", round, i, r.err)
			}
		}
		if winner < 0 {
			t.Fatalf("round %d: no goroutine consumed the code", round)
		}
		won := at(time.Duration(winner) * time.Second)
		want := in
		want.ConsumedAt = &won
		for i, r := range results {
			checkRecord(t, fmt.Sprintf("round %d: result of goroutine %d", round, i), want, r.code)
		}

		got, err := stores[len(stores)-1].ConsumeAuthCode(ctx, in.Hash, at(time.Hour))
		wantErr(t, "ConsumeAuthCode after the race", err, storage.ErrAlreadyConsumed)
		checkRecord(t, "ConsumeAuthCode after the race", want, got)
	}
}
