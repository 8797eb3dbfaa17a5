package admin

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// jwksJSON renders keys as a JWK set document.
func jwksJSON(t *testing.T, keys ...jose.JSONWebKey) []byte {
	t.Helper()
	b, err := json.Marshal(jose.JSONWebKeySet{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func ecKey(t *testing.T, curve elliptic.Curve) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(curve, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestCreateClientAuthMethodInvalid(t *testing.T) {
	t.Parallel()
	svc, st := newService(t)
	p256 := ecKey(t, elliptic.P256())
	pub := jose.JSONWebKey{Key: p256.Public(), KeyID: "k1", Algorithm: "ES256", Use: "sig"}
	rsa1024, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	svcClient := func(method string, jwks []byte, uri string) NewClient {
		return NewClient{Type: storage.ClientService, Name: "Svc", AuthMethod: method, JWKS: jwks, JWKSURI: uri}
	}
	tests := []struct {
		name  string
		in    NewClient
		field string
		msg   string
	}{
		{"spa with a secret method", NewClient{Type: storage.ClientSPA, Name: "SPA", RedirectURIs: []string{"https://a.example.com/cb"}, AuthMethod: oauth.AuthClientSecretBasic}, "auth_method", "public"},
		{"native with private_key_jwt", NewClient{Type: storage.ClientNative, Name: "N", RedirectURIs: []string{"com.example:/cb"}, AuthMethod: oauth.AuthPrivateKeyJWT, JWKS: jwksJSON(t, pub)}, "auth_method", "public"},
		{"web with none", NewClient{Type: storage.ClientWeb, Name: "W", RedirectURIs: []string{"https://w.example.com/cb"}, AuthMethod: oauth.AuthNone}, "auth_method", "must authenticate"},
		{"unknown method", svcClient("tls_client_auth", nil, ""), "auth_method", "not supported"},
		{"keys without private_key_jwt", svcClient(oauth.AuthClientSecretPost, jwksJSON(t, pub), ""), "jwks", "only for private_key_jwt"},
		{"jwks_uri with default method", svcClient("", nil, "https://keys.example.com/jwks"), "jwks", "only for private_key_jwt"},
		{"private_key_jwt without keys", svcClient(oauth.AuthPrivateKeyJWT, nil, ""), "jwks", "needs its public keys"},
		{"both jwks and jwks_uri", svcClient(oauth.AuthPrivateKeyJWT, jwksJSON(t, pub), "https://keys.example.com/jwks"), "jwks", "not both"},
		{"jwks_uri over http", svcClient(oauth.AuthPrivateKeyJWT, nil, "http://keys.example.com/jwks"), "jwks_uri", "https"},
		{"jwks_uri relative", svcClient(oauth.AuthPrivateKeyJWT, nil, "/jwks"), "jwks_uri", "absolute"},
		{"jwks_uri with fragment", svcClient(oauth.AuthPrivateKeyJWT, nil, "https://keys.example.com/jwks#x"), "jwks_uri", "fragment"},
		{"jwks not JSON", svcClient(oauth.AuthPrivateKeyJWT, []byte("{"), ""), "jwks", "not a JWK set"},
		{"empty jwks", svcClient(oauth.AuthPrivateKeyJWT, []byte(`{"keys":[]}`), ""), "jwks", "no public signing key"},
		{"private key", svcClient(oauth.AuthPrivateKeyJWT, jwksJSON(t, jose.JSONWebKey{Key: p256, KeyID: "k1", Algorithm: "ES256"}), ""), "jwks", "private key material"},
		{"symmetric key", svcClient(oauth.AuthPrivateKeyJWT, []byte(`{"keys":[{"kty":"oct","k":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0","kid":"h","alg":"HS256"}]}`), ""), "jwks", "private key material"},
		{"no kid", svcClient(oauth.AuthPrivateKeyJWT, jwksJSON(t, jose.JSONWebKey{Key: p256.Public(), Algorithm: "ES256"}), ""), "jwks", "kid is required"},
		{"no alg or use", svcClient(oauth.AuthPrivateKeyJWT, jwksJSON(t, jose.JSONWebKey{Key: p256.Public(), KeyID: "k1"}), ""), "jwks", "alg or use"},
		{"encryption key", svcClient(oauth.AuthPrivateKeyJWT, jwksJSON(t, jose.JSONWebKey{Key: p256.Public(), KeyID: "k1", Use: "enc"}), ""), "jwks", "use is"},
		{"HMAC alg on an EC key", svcClient(oauth.AuthPrivateKeyJWT, jwksJSON(t, jose.JSONWebKey{Key: p256.Public(), KeyID: "k1", Algorithm: "HS256"}), ""), "jwks", "alg"},
		{"P-384 key", svcClient(oauth.AuthPrivateKeyJWT, jwksJSON(t, jose.JSONWebKey{Key: ecKey(t, elliptic.P384()).Public(), KeyID: "k1", Use: "sig"}), ""), "jwks", "not supported"},
		{"short RSA key", svcClient(oauth.AuthPrivateKeyJWT, jwksJSON(t, jose.JSONWebKey{Key: rsa1024.Public(), KeyID: "k1", Use: "sig"}), ""), "jwks", "not supported"},
		{"duplicate kid", svcClient(oauth.AuthPrivateKeyJWT, jwksJSON(t, pub, jose.JSONWebKey{Key: ecKey(t, elliptic.P256()).Public(), KeyID: "k1", Use: "sig"}), ""), "jwks", "used twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := svc.CreateClient(t.Context(), tt.in)
			wantField(t, err, tt.field, tt.msg)
		})
	}
	if all, err := st.ListClients(t.Context()); err != nil || len(all) != 0 {
		t.Errorf("rejected registrations stored %d clients (%v)", len(all), err)
	}
}

func TestCreateClientAuthMethods(t *testing.T) {
	t.Parallel()
	svc, _ := newService(t)
	ctx := t.Context()
	pub := jose.JSONWebKey{Key: ecKey(t, elliptic.P256()).Public(), KeyID: "k1", Use: "sig"}

	c, plain, err := svc.CreateClient(ctx, NewClient{Type: storage.ClientService, Name: "Keys", AuthMethod: oauth.AuthPrivateKeyJWT, JWKS: jwksJSON(t, pub)})
	if err != nil {
		t.Fatal(err)
	}
	if plain != "" || c.SecretHash != "" || c.SealedSecret != nil || c.AuthMethod != oauth.AuthPrivateKeyJWT {
		t.Errorf("private_key_jwt client got secret %q, hash %q, sealed %x, method %q", plain, c.SecretHash, c.SealedSecret, c.AuthMethod)
	}
	set, err := oauth.ParseClientJWKS(c.JWKS, true)
	if err != nil || len(set.Keys) != 1 || set.Keys[0].KeyID != "k1" {
		t.Errorf("stored JWKS %s does not parse back to the key: %v", c.JWKS, err)
	}
	if got := EffectiveAuthMethod(c); got != oauth.AuthPrivateKeyJWT {
		t.Errorf("EffectiveAuthMethod = %q", got)
	}

	c, _, err = svc.CreateClient(ctx, NewClient{Type: storage.ClientWeb, Name: "URI", RedirectURIs: []string{"https://w.example.com/cb"},
		AuthMethod: oauth.AuthPrivateKeyJWT, JWKSURI: "http://127.0.0.1:8443/jwks"})
	if err != nil || c.JWKSURI != "http://127.0.0.1:8443/jwks" || c.JWKS != nil {
		t.Errorf("jwks_uri client = %+v, %v", c, err)
	}

	c, plain, err = svc.CreateClient(ctx, NewClient{Type: storage.ClientService, Name: "HMAC", AuthMethod: oauth.AuthClientSecretJWT})
	if err != nil {
		t.Fatal(err)
	}
	if !secretRE.MatchString(plain) || !svc.secrets.Verify(c.ID, plain, c.SecretHash) {
		t.Errorf("client_secret_jwt secret %q / hash %q", plain, c.SecretHash)
	}
	if got, err := svc.secrets.Open(c.ID, c.SealedSecret); err != nil || !slices.Equal(got, []string{plain}) {
		t.Errorf("sealed secret opens to %q, %v; want the secret", got, err)
	}

	c, _, err = svc.CreateClient(ctx, NewClient{Type: storage.ClientWeb, Name: "Default", RedirectURIs: []string{"https://w.example.com/cb"}})
	if err != nil || c.AuthMethod != "" || c.SealedSecret != nil || EffectiveAuthMethod(c) != oauth.AuthClientSecretBasic {
		t.Errorf("default web client = %+v, %v", c, err)
	}
	c, _, err = svc.CreateClient(ctx, NewClient{Type: storage.ClientNative, Name: "Native", RedirectURIs: []string{"com.example:/cb"}, AuthMethod: oauth.AuthNone})
	if err != nil || EffectiveAuthMethod(c) != oauth.AuthNone {
		t.Errorf("native client with none = %+v, %v", c, err)
	}
}

func TestCreateClientWithoutMasterSecret(t *testing.T) {
	t.Parallel()
	_, st := newService(t)
	users := New(st, nil, nil)
	if _, _, err := users.CreateClient(t.Context(), NewClient{Type: storage.ClientService, Name: "S"}); err == nil {
		t.Error("a confidential client was registered without the master secret")
	}
	if _, _, err := users.CreateClient(t.Context(), NewClient{Type: storage.ClientSPA, Name: "SPA", RedirectURIs: []string{"https://a.example.com/cb"}}); err != nil {
		t.Errorf("public client: %v", err)
	}
}

func TestRotateSecret(t *testing.T) {
	t.Parallel()
	svc, st := newService(t)
	ctx := t.Context()
	now := clock.UTC().Truncate(time.Microsecond)
	for _, method := range []string{"", oauth.AuthClientSecretPost, oauth.AuthClientSecretJWT} {
		t.Run("method "+method, func(t *testing.T) {
			c, first, err := svc.CreateClient(ctx, NewClient{Type: storage.ClientService, Name: "S", AuthMethod: method})
			if err != nil {
				t.Fatal(err)
			}
			r, second, err := svc.RotateSecret(ctx, c.ID, 24*time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			if !secretRE.MatchString(second) || second == first {
				t.Fatalf("new secret %q (old %q)", second, first)
			}
			stored, err := st.GetClient(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !svc.secrets.Verify(c.ID, second, stored.SecretHash) || svc.secrets.Verify(c.ID, first, stored.SecretHash) {
				t.Error("current hash is not the new secret's")
			}
			if !svc.secrets.Verify(c.ID, first, stored.PreviousSecretHash) || !stored.PreviousSecretExpiresAt.Equal(now.Add(24*time.Hour)) {
				t.Errorf("previous hash/expiry = %q/%v; want the old secret until %v", stored.PreviousSecretHash, stored.PreviousSecretExpiresAt, now.Add(24*time.Hour))
			}
			if !stored.UpdatedAt.Equal(now) || r.SecretHash != stored.SecretHash {
				t.Errorf("returned %+v, stored %+v", r, stored)
			}
			wantSealed := func(c storage.Client, want ...string) {
				t.Helper()
				if method != oauth.AuthClientSecretJWT {
					if len(c.SealedSecret) != 0 {
						t.Errorf("a %q client has a sealed secret", method)
					}
					return
				}
				got, err := svc.secrets.Open(c.ID, c.SealedSecret)
				if err != nil || !slices.Equal(got, want) {
					t.Errorf("sealed secrets = %q, %v; want %q", got, err, want)
				}
			}
			wantSealed(stored, second, first)

			_, third, err := svc.RotateSecret(ctx, c.ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			stored, _ = st.GetClient(ctx, c.ID)
			if stored.PreviousSecretHash != "" || !stored.PreviousSecretExpiresAt.IsZero() || !svc.secrets.Verify(c.ID, third, stored.SecretHash) {
				t.Errorf("overlap 0 kept a previous secret: %q until %v", stored.PreviousSecretHash, stored.PreviousSecretExpiresAt)
			}
			wantSealed(stored, third)
		})
	}
}

func TestRotateSecretRefused(t *testing.T) {
	t.Parallel()
	svc, _ := newService(t)
	ctx := t.Context()
	spa, _, err := svc.CreateClient(ctx, NewClient{Type: storage.ClientSPA, Name: "SPA", RedirectURIs: []string{"https://a.example.com/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	keys, _, err := svc.CreateClient(ctx, NewClient{Type: storage.ClientService, Name: "K", AuthMethod: oauth.AuthPrivateKeyJWT, JWKSURI: "https://keys.example.com/jwks"})
	if err != nil {
		t.Fatal(err)
	}
	web, _, err := svc.CreateClient(ctx, NewClient{Type: storage.ClientService, Name: "S"})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{spa.ID, keys.ID} {
		if _, _, err := svc.RotateSecret(ctx, id, time.Hour); !errors.Is(err, ErrNoSecret) {
			t.Errorf("RotateSecret(%s) error = %v, want ErrNoSecret", id, err)
		}
	}
	if _, _, err := svc.RotateSecret(ctx, "no-such-client", time.Hour); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("unknown client: %v, want ErrNotFound", err)
	}
	for _, d := range []time.Duration{-time.Second, MaxSecretOverlap + time.Hour} {
		_, _, err := svc.RotateSecret(ctx, web.ID, d)
		wantField(t, err, "overlap", "between")
	}
	if EffectiveAuthMethod(spa) != oauth.AuthNone {
		t.Errorf("EffectiveAuthMethod(spa) = %q", EffectiveAuthMethod(spa))
	}
}
