package oauth

import (
	"encoding/json"
	"testing"
)

// FuzzAppendJSONString checks that the hand-written fast path writes every
// string byte for byte as encoding/json does (escaping, invalid UTF-8).
func FuzzAppendJSONString(f *testing.F) {
	for _, seed := range []string{"", "plain", `quo"te`, `back\slash`, "<script>&", "\x00\x1f\x7f", "é", "\xff\xfe", "\u2028"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendJSONString([]byte("x"), s); string(got) != "x"+string(want) {
			t.Fatalf("%q: %s, want %s", s, got[1:], want)
		}
	})
}
