package loadgen

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// ScaleOptions size a bulk fill.
type ScaleOptions struct {
	Users, Clients, Tokens int
	Workers                int // concurrent writers; 0 means 8
	// Progress, when set, is told every 10% of each kind.
	Progress func(what string, done int)
}

// ScalePassword is the password of every bulk user. They share one
// argon2id hash (and salt): hashing 10^5 passwords would take an hour,
// and these users exist to make tables large, not to sign in.
const ScalePassword = "scale-test-password"

// SeedScale adds opt.Users users, opt.Clients service clients and
// opt.Tokens unexpired tokens (half access, half refresh, spread over the
// users and clients) through the store, with opt.Workers concurrent
// writers. Names carry a random run tag, so it can run again on the same
// database.
func SeedScale(ctx context.Context, store storage.Store, opt ScaleOptions) error {
	if opt.Workers <= 0 {
		opt.Workers = 8
	}
	if opt.Tokens > 0 && (opt.Users == 0 || opt.Clients == 0) {
		return fmt.Errorf("tokens need at least one user and one client")
	}
	tag := secret.NewID()[:8]
	now := time.Now().UTC().Truncate(time.Microsecond)
	hash := secret.HashPassword(ScalePassword)
	userIDs := make([]string, opt.Users)
	clientIDs := make([]string, opt.Clients)
	for i := range userIDs {
		userIDs[i] = secret.NewID()
	}
	for i := range clientIDs {
		clientIDs[i] = secret.NewID()
	}
	err := parallel(ctx, opt, "users", opt.Users, func(ctx context.Context, i int) error {
		return store.CreateUser(ctx, storage.User{
			ID: userIDs[i], Email: fmt.Sprintf("scale-%s-%d@loadtest.example", tag, i), Name: fmt.Sprintf("Scale User %d", i),
			PasswordHash: hash, Groups: []string{}, CreatedAt: now, UpdatedAt: now,
		})
	})
	if err != nil {
		return err
	}
	err = parallel(ctx, opt, "clients", opt.Clients, func(ctx context.Context, i int) error {
		return store.CreateClient(ctx, storage.Client{
			ID: clientIDs[i], Name: fmt.Sprintf("Scale client %s %d", tag, i), Type: storage.ClientService,
			SecretHash: secret.Hash(clientIDs[i]), Scopes: []string{"load:read"}, CreatedAt: now, UpdatedAt: now,
		})
	})
	if err != nil {
		return err
	}
	token := func(i int) storage.Token {
		t := storage.Token{
			ID: secret.NewID(), Kind: storage.TokenAccess, GrantID: secret.NewID(),
			ClientID: clientIDs[i%len(clientIDs)], UserID: userIDs[i%len(userIDs)],
			Scopes: []string{"openid", "profile"}, AuthTime: now, CreatedAt: now, ExpiresAt: now.Add(24 * time.Hour),
		}
		if i%2 == 1 {
			t.Kind = storage.TokenRefresh
			t.ExpiresAt = now.Add(30 * 24 * time.Hour)
			t.GrantExpiresAt = now.Add(90 * 24 * time.Hour)
		}
		return t
	}
	bulk, ok := store.(bulkTokenStore)
	if !ok {
		return parallel(ctx, opt, "tokens", opt.Tokens, func(ctx context.Context, i int) error {
			return store.CreateToken(ctx, token(i))
		})
	}
	batches := (opt.Tokens + tokenBatch - 1) / tokenBatch
	batchOpt := opt
	if opt.Progress != nil {
		batchOpt.Progress = func(_ string, done int) { opt.Progress("tokens", min(done*tokenBatch, opt.Tokens)) }
	}
	return parallel(ctx, batchOpt, "token batch", batches, func(ctx context.Context, b int) error {
		ts := make([]storage.Token, 0, tokenBatch)
		for i := b * tokenBatch; i < min((b+1)*tokenBatch, opt.Tokens); i++ {
			ts = append(ts, token(i))
		}
		return bulk.BulkCreateTokens(ctx, ts)
	})
}

// bulkTokenStore is implemented by the backends that can insert many
// tokens in one transaction (both do); the scale fill uses it when there.
type bulkTokenStore interface {
	BulkCreateTokens(ctx context.Context, tokens []storage.Token) error
}

// tokenBatch is how many tokens one bulk transaction inserts.
const tokenBatch = 2000

// parallel calls fn for 0..n-1 on opt.Workers goroutines and stops at the
// first error.
func parallel(ctx context.Context, opt ScaleOptions, what string, n int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next, done atomic.Int64
	step := int64(max(n/10, 1))
	var wg sync.WaitGroup
	for range opt.Workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				if err := fn(ctx, int(i)); err != nil {
					cancel(fmt.Errorf("%s %d: %w", what, i, err))
					return
				}
				if d := done.Add(1); opt.Progress != nil && (d%step == 0 || d == int64(n)) {
					opt.Progress(what, int(d))
				}
			}
		})
	}
	wg.Wait()
	return context.Cause(ctx)
}
