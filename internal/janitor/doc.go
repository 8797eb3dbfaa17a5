// Package janitor deletes what has expired: authorization codes, tokens,
// sessions and client-assertion IDs past their expiry, and revoked grants
// that no longer have tokens (storage.Store.DeleteExpired says exactly
// which). Nothing depends on these rows being gone, since every lookup
// checks expiry itself; the janitor only keeps the tables small.
//
// It works in small batches with a pause between them, so that on a busy
// database it never holds locks for long or starves requests, and several
// replicas may run it at once (a delete of what another replica already
// deleted does nothing). The server runs it in the background every
// --janitor-interval; `gatehouse janitor` runs it once or in a loop from
// the command line, for example from cron.
//
// It logs counts only, never what it deleted.
package janitor
