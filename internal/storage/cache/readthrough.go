package cache

import "context"

// readThroughKey marks a context whose client and API reads skip the
// cache.
type readThroughKey struct{}

// ReadThrough returns ctx marked so that GetClient and GetAPI read the
// database, whatever is cached (and cache what they read). Administrative
// changes need it: they read a record, change it and write all of it
// back, so a cached copy older than a change made elsewhere (the CLI,
// another replica) would silently undo that change — a secret rotated out
// because it leaked would be restored for good, not just for the TTL.
func ReadThrough(ctx context.Context) context.Context {
	return context.WithValue(ctx, readThroughKey{}, true)
}

func readThrough(ctx context.Context) bool {
	v, _ := ctx.Value(readThroughKey{}).(bool)
	return v
}
