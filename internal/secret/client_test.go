package secret

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
)

func newClientSecrets(t *testing.T, master string) *ClientSecrets {
	t.Helper()
	k, err := NewClientSecrets([]byte(master))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestNewClientSecretsShortMaster(t *testing.T) {
	t.Parallel()
	if _, err := NewClientSecrets([]byte("too short")); err == nil {
		t.Fatal("a 9-byte master secret was accepted")
	}
}

func TestClientSecretHash(t *testing.T) {
	t.Parallel()
	k := newClientSecrets(t, strings.Repeat("m", 32))
	other := newClientSecrets(t, strings.Repeat("n", 32))
	const id, sec = "client-1", "s3cret-value"
	h := k.Hash(id, sec)
	if h != k.Hash(id, sec) {
		t.Fatal("hash is not deterministic")
	}
	if strings.Contains(h, sec) {
		t.Fatalf("hash %q contains the secret", h)
	}
	tests := []struct {
		name       string
		k          *ClientSecrets
		id, secret string
		hash       string
		want       bool
	}{
		{"right", k, id, sec, h, true},
		{"wrong secret", k, id, sec + "x", h, false},
		{"other client", k, "client-2", sec, h, false},
		{"id and secret boundary moved", k, "client-1s", "3cret-value", h, false},
		{"other master secret", other, id, sec, h, false},
		{"empty hash", k, id, sec, "", false},
		{"unkeyed SHA-256 from before", k, id, sec, Hash(sec), false},
		{"prefix only", k, id, sec, clientHashPrefix, false},
	}
	for _, tt := range tests {
		if got := tt.k.Verify(tt.id, tt.secret, tt.hash); got != tt.want {
			t.Errorf("%s: Verify = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestClientSecretSeal(t *testing.T) {
	t.Parallel()
	k := newClientSecrets(t, strings.Repeat("m", 32))
	want := []string{"current", "previous"}
	sealed, err := k.Seal("client-1", want)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("current")) {
		t.Fatal("sealed value contains the secret")
	}
	again, _ := k.Seal("client-1", want)
	if bytes.Equal(sealed, again) {
		t.Fatal("two seals are equal: nonce not random")
	}
	got, err := k.Open("client-1", sealed)
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("Open = %q, %v; want %q", got, err, want)
	}
	tampered := bytes.Clone(sealed)
	tampered[len(tampered)-1] ^= 1
	for name, tc := range map[string]struct {
		k      *ClientSecrets
		id     string
		sealed []byte
	}{
		"other client":        {k, "client-2", sealed},
		"other master secret": {newClientSecrets(t, strings.Repeat("n", 32)), "client-1", sealed},
		"tampered":            {k, "client-1", tampered},
		"truncated":           {k, "client-1", sealed[:10]},
		"empty":               {k, "client-1", nil},
	} {
		if _, err := tc.k.Open(tc.id, tc.sealed); !errors.Is(err, ErrSealedSecret) {
			t.Errorf("%s: Open error = %v, want ErrSealedSecret", name, err)
		}
	}
	if _, err := k.Seal("client-1", nil); err == nil {
		t.Error("sealing no secret succeeded")
	}
}
