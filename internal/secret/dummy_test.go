package secret

import (
	"strings"
	"testing"
)

// TestDummyHashCostsARealCheck guards BurnPasswordCheck's timing: the dummy
// hash must parse (a malformed one returns before any argon2id work) and
// carry the same parameters as a fresh hash, so an unknown account costs
// what a wrong password costs.
func TestDummyHashCostsARealCheck(t *testing.T) {
	params := func(h string) string {
		parts := strings.Split(h, "$")
		if len(parts) != 6 {
			t.Fatalf("hash %q has %d parts", h, len(parts))
		}
		return strings.Join(parts[:4], "$")
	}
	if got, want := params(dummyHash), params(HashPassword("x")); got != want {
		t.Fatalf("dummy hash parameters %q, fresh hash %q", got, want)
	}
	for _, pw := range []string{"", "x", "gatehouse-dummy-password"} {
		ok, err := CheckPassword(dummyHash, pw)
		if err != nil {
			t.Fatalf("CheckPassword(dummyHash, %q) error: %v", pw, err)
		}
		if ok {
			t.Fatalf("CheckPassword(dummyHash, %q) matched", pw)
		}
	}
}
