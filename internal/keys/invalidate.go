package keys

import "time"

// Invalidate makes the next use of the ring reread the store, so that a
// rotation another replica or the CLI just committed is published and
// used at once rather than after Refresh. It does not block; servers call
// it when the database announces a signing-key change.
func (r *Ring) Invalidate() {
	r.mu.Lock()
	r.loadedAt = time.Time{}
	r.mu.Unlock()
}
