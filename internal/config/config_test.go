package config

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

func TestValidateIssuer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		issuer string
		want   string // substring of the error; "" means valid
	}{
		{"https://id.example.com", ""},
		{"https://id.example.com/tenant/a", ""},
		{"https://id.example.com:8443", ""},
		{"https://localhost", ""},
		{"http://localhost:8080", ""},
		{"http://LOCALHOST:8080", ""},
		{"http://127.0.0.1:8080", ""},
		{"http://127.1.2.3", ""},
		{"http://[::1]:8080", ""},
		{"http://example.com", "http is allowed only on loopback hosts"},
		{"http://10.0.0.1:8080", "http is allowed only on loopback hosts"},
		{"http://localhost.example.com", "http is allowed only on loopback hosts"},
		{"http://0.0.0.0:8080", "http is allowed only on loopback hosts"},
		{"ftp://id.example.com", "scheme must be https"},
		{"https://id.example.com/?tenant=a", "must not have a query"},
		{"https://id.example.com#frag", "fragment"},
		{"https://id.example.com#", "fragment"},
		{"https://user@id.example.com", "user info"},
		{"https://user:pw@id.example.com", "user info"},
		{"/relative/path", "absolute URL"},
		{"id.example.com", "absolute URL"},
		{"//id.example.com", "absolute URL"},
		{"https://", "absolute URL"},
		{"", "absolute URL"},
		{"https://id.example.com:port", "absolute URL"},
	}
	for _, tt := range tests {
		t.Run(tt.issuer, func(t *testing.T) {
			t.Parallel()
			err := ValidateIssuer(tt.issuer)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("ValidateIssuer(%q) = %v, want nil", tt.issuer, err)
			case tt.want != "" && err == nil:
				t.Errorf("ValidateIssuer(%q) = nil, want an error about %q", tt.issuer, tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Errorf("ValidateIssuer(%q) = %v, want it to mention %q", tt.issuer, err, tt.want)
			case err != nil && !strings.Contains(err.Error(), "--issuer"):
				t.Errorf("ValidateIssuer(%q) = %v, want it to name --issuer", tt.issuer, err)
			}
		})
	}
}

// TestValidateIssuerEdgeCases are issuers with an empty query or host:
// OIDC Discovery §3 and RFC 8414 §2 allow neither.
func TestValidateIssuerEdgeCases(t *testing.T) {
	t.Parallel()
	tests := []struct{ issuer, bug string }{
		{"https://id.example.com?", "an empty query (url.URL.ForceQuery) passes the RawQuery check"},
		{"https://id.example.com/?", "an empty query (url.URL.ForceQuery) passes the RawQuery check"},
		{"https://:443", `Host ":443" is non-empty but Hostname() is empty`},
		{"https://:443/x", `Host ":443" is non-empty but Hostname() is empty`},
	}
	for _, tt := range tests {
		t.Run(tt.issuer, func(t *testing.T) {
			t.Parallel()
			if err := ValidateIssuer(tt.issuer); err == nil {
				t.Fatalf("BUG: internal/config/config.go ValidateIssuer accepts %q: %s", tt.issuer, tt.bug)
			}
		})
	}
}

func TestIsLoopbackHost(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]bool{
		"localhost": true, "LocalHost": true, "127.0.0.1": true, "127.255.0.9": true, "::1": true,
		"": false, "0.0.0.0": false, "::": false, "example.com": false, "localhost.": false,
		"10.0.0.1": false, "[::1]": false, "::ffff:127.0.0.1": true,
	} {
		if got := IsLoopbackHost(host); got != want {
			t.Errorf("IsLoopbackHost(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestFinishDefaultIssuer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name               string
		addr, issuer, cert string
		selfSigned         bool
		want               string
	}{
		{"default", "127.0.0.1:8080", "", "", false, "http://127.0.0.1:8080"},
		{"empty host", ":8080", "", "", false, "http://localhost:8080"},
		{"ipv6 loopback", "[::1]:9000", "", "", false, "http://[::1]:9000"},
		{"named host", "localhost:8080", "", "", false, "http://localhost:8080"},
		{"tls cert", ":8443", "", "cert.pem", false, "https://localhost:8443"},
		{"self-signed", "127.0.0.1:8443", "", "", true, "https://127.0.0.1:8443"},
		{"explicit issuer kept", ":8080", "https://id.example.com", "", false, "https://id.example.com"},
		{"trailing slash dropped", ":8080", "https://id.example.com/", "", false, "https://id.example.com"},
		{"path kept", ":8080", "https://id.example.com/tenant/", "", false, "https://id.example.com/tenant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := Default()
			c.Addr, c.Issuer, c.TLSCert, c.TLSSelfSigned = tt.addr, tt.issuer, tt.cert, tt.selfSigned
			if tt.cert != "" {
				c.TLSKey = "key.pem"
			}
			c.Finish()
			if c.Issuer != tt.want {
				t.Errorf("Issuer = %q, want %q", c.Issuer, tt.want)
			}
			if err := c.Validate(); err != nil {
				t.Errorf("Validate() = %v", err)
			}
		})
	}
}

// TestFinishUnspecifiedAddr: listening on all interfaces with 0.0.0.0 or
// [::] should behave like ":8080" (whose issuer is localhost), not produce
// an issuer the user never typed that Validate then refuses.
func TestFinishUnspecifiedAddr(t *testing.T) {
	t.Parallel()
	for _, addr := range []string{"0.0.0.0:8080", "[::]:8080"} {
		c := Default()
		c.Addr = addr
		c.Finish()
		if err := c.Validate(); err != nil {
			t.Fatalf("BUG: internal/config/config.go Finish derives issuer %q from --addr %s, which Validate rejects: %v", c.Issuer, addr, err)
		}
	}
}

// newFlagSet binds the serve flags, as `gatehouse serve` does.
func newFlagSet(c *Config) *flag.FlagSet {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.BindServe(fs)
	return fs
}

func TestEnvName(t *testing.T) {
	t.Parallel()
	for flagName, want := range map[string]string{
		"db": "GATEHOUSE_DB", "addr": "GATEHOUSE_ADDR", "tls-cert": "GATEHOUSE_TLS_CERT",
		"access-token-ttl": "GATEHOUSE_ACCESS_TOKEN_TTL", "secret-file": "GATEHOUSE_SECRET_FILE",
	} {
		if got := EnvName(flagName); got != want {
			t.Errorf("EnvName(%q) = %q, want %q", flagName, got, want)
		}
	}
	// Every serve flag names its variable in its help text.
	c := Default()
	newFlagSet(&c).VisitAll(func(f *flag.Flag) {
		if !strings.Contains(f.Usage, "["+EnvName(f.Name)+"]") {
			t.Errorf("--%s usage %q does not mention %s", f.Name, f.Usage, EnvName(f.Name))
		}
	})
}

func TestBindServeEnv(t *testing.T) {
	t.Setenv("GATEHOUSE_ADDR", "127.0.0.1:9999")
	t.Setenv("GATEHOUSE_ISSUER", "https://id.example.com")
	t.Setenv("GATEHOUSE_DB", "sqlite:/tmp/env.db")
	t.Setenv("GATEHOUSE_SECRET_FILE", "/run/secret")
	t.Setenv("GATEHOUSE_TLS_SELF_SIGNED", "true")
	t.Setenv("GATEHOUSE_LOG_FORMAT", "json")
	t.Setenv("GATEHOUSE_LOG_LEVEL", "debug")
	t.Setenv("GATEHOUSE_CODE_TTL", "30s")
	t.Setenv("GATEHOUSE_ACCESS_TOKEN_TTL", "5m")
	t.Setenv("GATEHOUSE_ID_TOKEN_TTL", "2m")
	t.Setenv("GATEHOUSE_SESSION_TTL", "1h")

	c := Default()
	if err := newFlagSet(&c).Parse(nil); err != nil {
		t.Fatal(err)
	}
	want := Default() // fields without a variable set keep their defaults
	want.Addr, want.Issuer, want.DB = "127.0.0.1:9999", "https://id.example.com", "sqlite:/tmp/env.db"
	want.SecretFile, want.TLSSelfSigned, want.LogFormat, want.LogLevel = "/run/secret", true, "json", "debug"
	want.CodeTTL, want.AccessTokenTTL, want.IDTokenTTL, want.SessionTTL = 30*time.Second, 5*time.Minute, 2*time.Minute, time.Hour
	if c != want {
		t.Errorf("config from env = %+v\nwant %+v", c, want)
	}

	// A flag wins over its variable.
	c = Default()
	if err := newFlagSet(&c).Parse([]string{"--addr", "127.0.0.1:7000", "--code-ttl", "1m", "--tls-self-signed=false"}); err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:7000" || c.CodeTTL != time.Minute || c.TLSSelfSigned || c.DB != "sqlite:/tmp/env.db" {
		t.Errorf("flags did not override env: %+v", c)
	}
}

func TestBindDBEnv(t *testing.T) {
	t.Setenv("GATEHOUSE_DB", "postgres://u@db:5432/g?sslmode=disable")
	c := Default()
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	c.BindDB(fs)
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if c.DB != "postgres://u@db:5432/g?sslmode=disable" {
		t.Errorf("DB = %q", c.DB)
	}
	if fs.Lookup("addr") != nil {
		t.Error("BindDB registered --addr")
	}
}

// TestBindServeBadEnv: a malformed value in an environment variable must be
// reported like a malformed flag, not silently replaced by the default.
func TestBindServeBadEnv(t *testing.T) {
	for name, val := range map[string]string{
		"GATEHOUSE_CODE_TTL":        "60", // no unit
		"GATEHOUSE_TLS_SELF_SIGNED": "yes",
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(name, val)
			c := Default()
			err := newFlagSet(&c).Parse(nil)
			if err == nil {
				c.Finish()
				err = c.Validate()
			}
			if err == nil {
				t.Fatalf("%s=%q was silently ignored", name, val)
			}
			if !strings.Contains(err.Error(), name) {
				t.Errorf("error %v does not name %s", err, name)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(*Config)
		want []string // substrings of the error; nil means valid
	}{
		{"default", func(*Config) {}, nil},
		{"cert and key", func(c *Config) { c.TLSCert, c.TLSKey = "c.pem", "k.pem" }, nil},
		{"self-signed with cert path", func(c *Config) { c.TLSSelfSigned, c.TLSCert = true, "c.pem" }, nil},
		{"cert without key", func(c *Config) { c.TLSCert = "c.pem" }, []string{"--tls-cert and --tls-key must be given together"}},
		{"key without cert", func(c *Config) { c.TLSKey = "k.pem" }, []string{"--tls-cert and --tls-key"}},
		{"zero code ttl", func(c *Config) { c.CodeTTL = 0 }, []string{"--code-ttl must be positive"}},
		{"negative access ttl", func(c *Config) { c.AccessTokenTTL = -time.Second }, []string{"--access-token-ttl must be positive"}},
		{"zero id token ttl", func(c *Config) { c.IDTokenTTL = 0 }, []string{"--id-token-ttl must be positive"}},
		{"zero session ttl", func(c *Config) { c.SessionTTL = 0 }, []string{"--session-ttl must be positive"}},
		{"log format", func(c *Config) { c.LogFormat = "yaml" }, []string{`--log-format "yaml"`}},
		{"addr", func(c *Config) { c.Addr, c.Issuer = "8080", "http://localhost:8080" }, []string{`--addr "8080"`}},
		{"issuer", func(c *Config) { c.Issuer = "http://id.example.com" }, []string{"--issuer"}},
		{"several at once", func(c *Config) { c.CodeTTL, c.SessionTTL, c.TLSKey = 0, -1, "k.pem" },
			[]string{"--code-ttl", "--session-ttl", "--tls-cert and --tls-key"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := Default()
			tt.edit(&c)
			c.Finish()
			err := c.Validate()
			if tt.want == nil {
				if err != nil {
					t.Errorf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want errors about %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %v, want it to mention %q", err, w)
				}
			}
		})
	}
}
