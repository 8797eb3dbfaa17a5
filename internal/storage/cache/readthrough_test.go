package cache_test

import (
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/storage/cache"
)

// TestReadThrough: a context marked with cache.ReadThrough reads another
// process's change at once, within the TTL, and what it read is then
// served to unmarked reads too; unmarked reads before it got the cached
// copy. No listener, so only the marking can explain the fresh read.
func TestReadThrough(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			e := newEnv(t, b, false)
			ctx := t.Context()
			c := newClient("c1", "https://app.example/one")
			if err := e.other.CreateClient(ctx, c); err != nil {
				t.Fatal(err)
			}
			redirectOf(t, e.cached, "c1") // cached now
			c.RedirectURIs = []string{"https://app.example/two"}
			if err := e.other.UpdateClient(ctx, c); err != nil {
				t.Fatal(err)
			}
			for _, step := range []struct {
				name        string
				readThrough bool
				want        string
			}{
				{"cached read", false, "https://app.example/one"},
				{"read through", true, "https://app.example/two"},
				{"cached read after", false, "https://app.example/two"},
			} {
				rctx := ctx
				if step.readThrough {
					rctx = cache.ReadThrough(ctx)
				}
				got, err := e.cached.GetClient(rctx, "c1")
				if err != nil {
					t.Fatalf("%s: %v", step.name, err)
				}
				if got.RedirectURIs[0] != step.want {
					t.Errorf("%s: %s, want %s", step.name, got.RedirectURIs[0], step.want)
				}
			}
		})
	}
}
