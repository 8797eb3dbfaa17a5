package servertest

import "testing"

// BrowserFor is Browser for use in a subtest, or in any test other than
// the one that called New: the browser reports its failures on t. (The
// testing package forbids calling FailNow of a parent test from a
// subtest's goroutine, which is what a Browser from Env.Browser would do
// there.)
func (e *Env) BrowserFor(t testing.TB) *Browser {
	b := e.Browser()
	b.t = t
	return b
}

// For returns the same browser — same cookie jar and HTTP client — that
// reports its failures on t, so a subtest can continue a session begun by
// its parent.
func (b *Browser) For(t testing.TB) *Browser {
	c := *b
	c.t = t
	return &c
}
