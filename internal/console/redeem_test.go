package console

import (
	"encoding/base64"
	"strings"
	"testing"
)

func fakeJWT(payload string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"RS256"}`)) + "." + enc([]byte(payload)) + ".sig"
}

// TestCheckIDToken: the ID token must carry our nonce, name the console
// as audience and the access token's subject.
func TestCheckIDToken(t *testing.T) {
	tests := []struct {
		name, token, err string
	}{
		{"ok, aud list", fakeJWT(`{"nonce":"n1","sub":"u1","aud":["gatehouse-console"]}`), ""},
		{"ok, aud string", fakeJWT(`{"nonce":"n1","sub":"u1","aud":"gatehouse-console"}`), ""},
		{"other nonce", fakeJWT(`{"nonce":"n2","sub":"u1","aud":"gatehouse-console"}`), "nonce"},
		{"no nonce", fakeJWT(`{"sub":"u1","aud":"gatehouse-console"}`), "nonce"},
		{"other audience", fakeJWT(`{"nonce":"n1","sub":"u1","aud":["someone-else"]}`), "not for the console"},
		{"bad audience", fakeJWT(`{"nonce":"n1","sub":"u1","aud":42}`), "bad aud"},
		{"other subject", fakeJWT(`{"nonce":"n1","sub":"u2","aud":"gatehouse-console"}`), "subject"},
		{"missing", "", "missing"},
		{"not base64", "a.%%%.c", "id token"},
		{"not json", fakeJWT(`nope`), "id token"},
	}
	for _, tc := range tests {
		err := checkIDToken(tc.token, "n1", "u1")
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: error %v, want one about %q", tc.name, err, tc.err)
		}
	}
}
