package secret

import (
	"strings"
	"testing"
)

func TestNewTokenIsUniqueAndURLSafe(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		tok := NewToken()
		if len(tok) != 43 {
			t.Fatalf("token %q has length %d, want 43 (32 bytes base64url)", tok, len(tok))
		}
		if strings.ContainsAny(tok, "+/=") {
			t.Fatalf("token %q is not URL-safe", tok)
		}
		if seen[tok] {
			t.Fatalf("duplicate token %q", tok)
		}
		seen[tok] = true
	}
}

func TestHash(t *testing.T) {
	if Hash("a") == Hash("b") {
		t.Fatal("different tokens hash the same")
	}
	if a := "a"; Hash(a) != Hash("a") {
		t.Fatal("hash is not deterministic")
	}
	if strings.Contains(Hash("secret"), "secret") {
		t.Fatal("hash contains the secret")
	}
}

func TestEqual(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"abc", "abc", true},
		{"abc", "abd", false},
		{"abc", "ab", false},
		{"", "", true},
	}
	for _, tt := range tests {
		if got := Equal(tt.a, tt.b); got != tt.want {
			t.Errorf("Equal(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestPassword(t *testing.T) {
	h := HashPassword("correct horse")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("unexpected hash format %q", h)
	}
	if h == HashPassword("correct horse") {
		t.Fatal("two hashes of one password are equal: salt missing")
	}
	ok, err := CheckPassword(h, "correct horse")
	if err != nil || !ok {
		t.Fatalf("CheckPassword(right) = %v, %v", ok, err)
	}
	ok, err = CheckPassword(h, "correct horsE")
	if err != nil || ok {
		t.Fatalf("CheckPassword(wrong) = %v, %v", ok, err)
	}
	if BurnPasswordCheck("x") {
		t.Fatal("BurnPasswordCheck returned true")
	}
}

func TestCheckPasswordMalformed(t *testing.T) {
	for _, h := range []string{
		"",
		"plain",
		"$argon2i$v=19$m=19456,t=2,p=1$c2FsdA$a2V5",
		"$argon2id$v=18$m=19456,t=2,p=1$c2FsdA$a2V5",
		"$argon2id$v=19$m=0,t=2,p=1$c2FsdA$a2V5",
		"$argon2id$v=19$m=19456,t=2,p=1$!!$a2V5",
		"$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$",
	} {
		if _, err := CheckPassword(h, "x"); err == nil {
			t.Errorf("CheckPassword(%q) accepted a malformed hash", h)
		}
	}
}

func TestHashForBindsTheOwner(t *testing.T) {
	if HashFor("client-a", "code") == HashFor("client-b", "code") {
		t.Fatal("one token hashes the same for two owners")
	}
	if HashFor("a", "bc") == HashFor("ab", "c") {
		t.Fatal("owner and token are not separated")
	}
	if owner := "client-a"; HashFor(owner, "code") != HashFor("client-a", "code") {
		t.Fatal("HashFor is not deterministic")
	}
}

func TestPublicTagHidesTheKey(t *testing.T) {
	key := Hash(NewToken()) // a session's storage key
	tag := PublicTag("sid", key)
	if tag == key || strings.Contains(key, tag) || len(tag) != 22 {
		t.Fatalf("PublicTag(%q) = %q: must differ from the key", key, tag)
	}
	if PublicTag("other", key) == tag {
		t.Fatal("purposes do not separate tags")
	}
}
