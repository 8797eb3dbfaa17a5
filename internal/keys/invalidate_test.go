package keys

import (
	"context"
	"testing"
)

func TestInvalidateRereadsAtOnce(t *testing.T) {
	ctx := context.Background()
	store, clk := &memStore{}, newClock()
	a, b := newRing(t, store, clk, ES256), newRing(t, store, clk, ES256)
	if err := a.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := b.JWKS(ctx); err != nil { // b loads the keys now
		t.Fatal(err)
	}
	rot, err := a.Rotate(ctx, ES256)
	if err != nil {
		t.Fatal(err)
	}
	has := func(r *Ring, kid string) bool {
		set, err := r.JWKS(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return len(set.Key(kid)) > 0
	}
	if has(b, rot.Next.ID) {
		t.Fatal("b published the new next key before rereading: the test shows nothing")
	}
	b.Invalidate()
	if !has(b, rot.Next.ID) {
		t.Error("after Invalidate b does not publish the key a just created")
	}
	if k, err := b.Signer(ctx, ES256); err != nil || k.ID != rot.Current.ID {
		t.Errorf("after Invalidate b signs with %s (%v), want the promoted %s", k.ID, err, rot.Current.ID)
	}
}
