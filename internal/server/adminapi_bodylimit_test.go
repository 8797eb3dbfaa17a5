package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
)

// TestAdminAPIBodyLimit: the admin API accepts a private_key_jwt client
// whose inline JWK set is just under the admin service's 64 KiB limit
// (the whole request is then over the server's 64 KiB limit for other
// endpoints), and answers a body over its own 256 KiB limit with its 413
// request_too_large error. The bad-input sweep found the first refused
// by the server-wide limit.
func TestAdminAPIBodyLimit(t *testing.T) {
	env := servertest.New(t, servertest.Options{})
	_, tok := serviceToken(t, env, oauth.ScopeAdmin)

	set := jwkSet(t, newECKey(t, "k1").public())
	const jwksSize = 65520 // under the service's 65536 bytes
	padded := append(bytes.TrimSuffix(set, []byte("}")), []byte(strings.Repeat(" ", jwksSize-len(set))+"}")...)
	if !json.Valid(padded) || len(padded) != jwksSize {
		t.Fatalf("the padded JWK set is %d bytes, valid %v", len(padded), json.Valid(padded))
	}
	// By hand: json.Marshal would compact the padding away.
	body := `{"type":"service","name":"Big keys","token_endpoint_auth_method":"` + oauth.AuthPrivateKeyJWT + `","jwks":` +
		string(padded) + `}`
	if len(body) <= 64<<10 {
		t.Fatalf("the body is %d bytes: the test needs one over 64 KiB", len(body))
	}
	r := callAdmin(t, env, tok, http.MethodPost, "/clients", body)
	r.want(t, http.StatusCreated)
	if got := r.str(t, "client_id"); got == "" {
		t.Errorf("created client without a client_id: %s", r.Body)
	}

	huge := `{"name":"` + strings.Repeat("n", 300<<10) + `"}`
	callAdmin(t, env, tok, http.MethodPost, "/projects", huge).wantError(t, http.StatusRequestEntityTooLarge, "request_too_large", "")
}
