package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/server"
)

// cliSecrets is the client-secret hasher of the master secret the CLI
// uses for db: secretFile, or the file beside the SQLite database.
func cliSecrets(t *testing.T, secretFile, db string) *secret.ClientSecrets {
	t.Helper()
	master, err := server.LoadMasterSecret(secretFile, db)
	if err != nil {
		t.Fatal(err)
	}
	k, err := secret.NewClientSecrets(master)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// rotatedOut is what rotate-secret --json prints.
type rotatedOut struct {
	ClientID                string     `json:"client_id"`
	ClientSecret            string     `json:"client_secret"`
	AuthMethod              string     `json:"token_endpoint_auth_method"`
	PreviousSecretExpiresAt *time.Time `json:"previous_secret_expires_at"`
}

func rotateSecret(t *testing.T, args ...string) rotatedOut {
	t.Helper()
	r := runCLI(t, "", append([]string{"client", "rotate-secret"}, args...)...)
	mustCode(t, r, 0)
	var out rotatedOut
	decodeOne(t, r.stdout, &out)
	return out
}

func TestClientRotateSecret(t *testing.T) {
	t.Parallel()
	db := tempDB(t)
	c := addClient(t, db, "--type", "service", "--name", "Job")
	keys := cliSecrets(t, "", db)

	before := time.Now()
	out := rotateSecret(t, c.ClientID, "--db", db, "--json")
	if out.ClientID != c.ClientID || !secretRE.MatchString(out.ClientSecret) || out.ClientSecret == c.ClientSecret || out.AuthMethod != "client_secret_basic" {
		t.Errorf("rotate-secret --json = %+v", out)
	}
	if exp := out.PreviousSecretExpiresAt; exp == nil || exp.Before(before.Add(24*time.Hour-time.Second)) || exp.After(time.Now().Add(24*time.Hour)) {
		t.Errorf("previous_secret_expires_at = %v, want 24h from now", exp)
	}
	stored, err := openStore(t, db).GetClient(t.Context(), c.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	if !keys.Verify(c.ClientID, out.ClientSecret, stored.SecretHash) || !keys.Verify(c.ClientID, c.ClientSecret, stored.PreviousSecretHash) {
		t.Errorf("stored hashes do not verify the new secret (current) and the old one (previous)")
	}

	out2 := rotateSecret(t, "--db", db, "--overlap", "0", "--json", c.ClientID)
	if out2.PreviousSecretExpiresAt != nil || out2.ClientSecret == out.ClientSecret {
		t.Errorf("rotate-secret --overlap 0 = %+v; want a new secret and no previous one", out2)
	}
	stored, _ = openStore(t, db).GetClient(t.Context(), c.ClientID)
	if stored.PreviousSecretHash != "" || !keys.Verify(c.ClientID, out2.ClientSecret, stored.SecretHash) {
		t.Errorf("after --overlap 0: previous hash %q", stored.PreviousSecretHash)
	}

	r := runCLI(t, "", "client", "rotate-secret", c.ClientID, "--db", db, "--overlap", "1h")
	mustCode(t, r, 0)
	for _, w := range []string{"client_secret:", "shown only now", "keeps working until"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("text output %q lacks %q", r.stdout, w)
		}
	}

	spa := addClient(t, db, "--type", "spa", "--name", "SPA", "--redirect-uri", "https://spa.example.com/cb")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"no-such-client"}, 1, "no client"},
		{[]string{spa.ClientID}, 1, "has no secret"},
		{[]string{c.ClientID, "--overlap", "-1h"}, 2, "--overlap"},
		{[]string{c.ClientID, "--overlap", "1000h"}, 2, "--overlap"},
		{[]string{}, 2, "client ID"},
	} {
		r := runCLI(t, "", append([]string{"client", "rotate-secret", "--db", db}, tc.args...)...)
		mustCode(t, r, tc.code)
		if !strings.Contains(r.stderr, tc.want) || r.stdout != "" {
			t.Errorf("rotate-secret %q: stderr %q, stdout %q; want %q on stderr only", tc.args, r.stderr, r.stdout, tc.want)
		}
	}
}

// TestClientSecretFile: --secret-file (and GATEHOUSE_SECRET_FILE) names the
// master secret the hashes are keyed with, as for `serve`.
func TestClientSecretFile(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "g.db")
	file := filepath.Join(dir, "master.secret")
	if err := os.WriteFile(file, []byte(strings.Repeat("q", 40)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := addClient(t, db, "--type", "web", "--name", "W", "--redirect-uri", "https://w.example.com/cb", "--secret-file", file)
	stored, err := openStore(t, db).GetClient(t.Context(), c.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	if !cliSecrets(t, file, db).Verify(c.ClientID, c.ClientSecret, stored.SecretHash) {
		t.Error("the hash is not keyed with --secret-file")
	}
	t.Setenv("GATEHOUSE_SECRET_FILE", file)
	out := rotateSecret(t, c.ClientID, "--db", db, "--json")
	stored, _ = openStore(t, db).GetClient(t.Context(), c.ClientID)
	if !cliSecrets(t, file, db).Verify(c.ClientID, out.ClientSecret, stored.SecretHash) {
		t.Error("the hash is not keyed with GATEHOUSE_SECRET_FILE")
	}
	if _, err := os.Stat(filepath.Join(dir, "g.db.secret")); err == nil {
		t.Error("a default master secret was created although one was named")
	}
}

func TestClientAddAuthMethods(t *testing.T) {
	t.Parallel()
	db := tempDB(t)
	dir := t.TempDir()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	writeJWKS := func(name string, k jose.JSONWebKey) string {
		b, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{k}})
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	pubFile := writeJWKS("pub.json", jose.JSONWebKey{Key: key.Public(), KeyID: "k1", Use: "sig"})
	privFile := writeJWKS("priv.json", jose.JSONWebKey{Key: key, KeyID: "k1", Use: "sig"})

	r := runCLI(t, "", "client", "add", "--db", db, "--json", "--type", "service", "--name", "Keys", "--auth-method", "private_key_jwt", "--jwks-file", pubFile)
	mustCode(t, r, 0)
	var obj map[string]any
	decodeOne(t, r.stdout, &obj)
	if _, ok := obj["client_secret"]; ok || obj["token_endpoint_auth_method"] != "private_key_jwt" || obj["jwks"] == nil {
		t.Errorf("private_key_jwt client add --json = %v", obj)
	}
	r = runCLI(t, "", "client", "add", "--db", db, "--json", "--type", "service", "--name", "URI", "--auth-method", "private_key_jwt", "--jwks-uri", "https://keys.example.com/jwks")
	mustCode(t, r, 0)
	decodeOne(t, r.stdout, &obj)
	if obj["jwks_uri"] != "https://keys.example.com/jwks" {
		t.Errorf("jwks_uri client add --json = %v", obj)
	}

	c := addClient(t, db, "--type", "service", "--name", "HMAC", "--auth-method", "client_secret_jwt")
	stored, err := openStore(t, db).GetClient(t.Context(), c.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := cliSecrets(t, "", db).Open(c.ClientID, stored.SealedSecret); err != nil || !slices.Equal(got, []string{c.ClientSecret}) {
		t.Errorf("client_secret_jwt: sealed secret opens to %q, %v", got, err)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--type", "service", "--auth-method", "private_key_jwt", "--jwks-file", privFile}, "--jwks-file: key 0 holds private key material"},
		{[]string{"--type", "service", "--auth-method", "private_key_jwt", "--jwks-uri", "http://keys.example.com/jwks"}, "--jwks-uri"},
		{[]string{"--type", "service", "--auth-method", "private_key_jwt"}, "--jwks-file"},
		{[]string{"--type", "spa", "--redirect-uri", "https://a.example.com/cb", "--auth-method", "client_secret_basic"}, "--auth-method"},
		{[]string{"--type", "service", "--auth-method", "magic"}, "--auth-method"},
	} {
		r := runCLI(t, "", append([]string{"client", "add", "--db", db, "--name", "Bad"}, tc.args...)...)
		mustCode(t, r, 2)
		if !strings.Contains(r.stderr, tc.want) {
			t.Errorf("client add %q: stderr %q, want %q", tc.args, r.stderr, tc.want)
		}
	}
	r = runCLI(t, "", "client", "add", "--db", db, "--name", "Missing", "--type", "service", "--auth-method", "private_key_jwt", "--jwks-file", filepath.Join(dir, "absent.json"))
	mustCode(t, r, 1)

	r = runCLI(t, "", "client", "add", "--help")
	for _, w := range []string{"-auth-method", "-jwks-file", "-jwks-uri", "-secret-file", "GATEHOUSE_SECRET_FILE"} {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("client add --help lacks %q", w)
		}
	}
	r = runCLI(t, "", "client", "rotate-secret", "--help")
	mustCode(t, r, 0)
	if !strings.Contains(r.stderr, "-overlap") || !strings.Contains(r.stderr, "rotate-secret ID") {
		t.Errorf("rotate-secret --help = %q", r.stderr)
	}
}
