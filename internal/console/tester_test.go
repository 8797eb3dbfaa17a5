package console

import (
	"strings"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// TestTestMatch checks the pattern tester's verdicts and explanations
// against the authorization endpoint's matching rules.
func TestTestMatch(t *testing.T) {
	cl := storage.Client{
		RedirectURIs:        []string{"https://app.example.com/cb", "http://127.0.0.1/cb"},
		RedirectURIPatterns: []string{`https://pr-[0-9]+\.preview\.example\.com/.*`, `https://(broken`},
	}
	tests := []struct {
		url     string
		matched bool
		rule    string
		summary string
		whys    []string // each must explain some rule
	}{
		{"https://app.example.com/cb", true, "https://app.example.com/cb", "Allowed by the redirect URI", []string{"Identical"}},
		{"http://127.0.0.1:51234/cb", true, "http://127.0.0.1/cb", "any port", []string{"RFC 8252"}},
		{"https://pr-12.preview.example.com/deep/cb", true, `https://pr-[0-9]+\.preview\.example\.com/.*`, "Allowed by the pattern", []string{"matches the whole URL"}},
		{"https://pr-12.preview.example.com/a/../cb", false, "", "No rule matches", []string{"refused before any pattern", "RFC 9700"}},
		{"https://pr-12.preview.example.com/%2e%2e/cb", false, "", "No rule matches", []string{"refused before any pattern"}},
		{"https://app.example.com/cb?x=1", false, "", "No rule matches", []string{`goes on after the registered URI (extra "?x=1")`}},
		{"https://app.example.com/c", false, "", "No rule matches", []string{`stops short`}},
		{"https://app.example.org/cb", false, "", "No rule matches", []string{"Differs at character 21", "does not match the whole URL", "not valid and never matches"}},
		{"", false, "", "Paste a URL", nil},
	}
	for _, tc := range tests {
		res := testMatch(cl, tc.url)
		if res.Matched != tc.matched || res.Rule != tc.rule || !strings.Contains(res.Summary, tc.summary) {
			t.Errorf("%q: matched %v by %q (%s), want %v by %q (%s)", tc.url, res.Matched, res.Rule, res.Summary, tc.matched, tc.rule, tc.summary)
		}
		if len(res.Rules) != 4 {
			t.Errorf("%q: %d rule verdicts, want 4", tc.url, len(res.Rules))
		}
		for _, why := range tc.whys {
			found := false
			for _, r := range res.Rules {
				found = found || strings.Contains(r.Why, why)
			}
			if !found {
				t.Errorf("%q: no rule explains %q: %+v", tc.url, why, res.Rules)
			}
		}
	}
}

// TestSealer: sealed values open only with the same key and purpose.
func TestSealer(t *testing.T) {
	k1, k2 := []byte(strings.Repeat("a", 32)), []byte(strings.Repeat("b", 32))
	s1, _ := newSealer(k1)
	s2, _ := newSealer(k2)
	in := consoleSession{UserID: "u", TokenID: "t", Expires: 42}
	v, err := s1.seal(sessionCookie, in)
	if err != nil {
		t.Fatal(err)
	}
	var out consoleSession
	if err := s1.open(sessionCookie, v, &out); err != nil || out != in {
		t.Fatalf("open = %+v, %v", out, err)
	}
	tampered := []byte(v)
	tampered[len(tampered)/2] ^= 1
	for name, try := range map[string]func() error{
		"other key":     func() error { return s2.open(sessionCookie, v, &out) },
		"other purpose": func() error { return s1.open(pendingCookie, v, &out) },
		"tampered":      func() error { return s1.open(sessionCookie, string(tampered), &out) },
		"garbage":       func() error { return s1.open(sessionCookie, "%%%", &out) },
		"short":         func() error { return s1.open(sessionCookie, "AAAA", &out) },
	} {
		if try() == nil {
			t.Errorf("%s: opened", name)
		}
	}
	if _, err := newSealer([]byte("short")); err == nil {
		t.Error("a short key was accepted")
	}
}
