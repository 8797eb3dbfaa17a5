package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// DefaultDB is the zero-setup store: an SQLite file in the working directory.
const DefaultDB = "sqlite:gatehouse.db"

// Config is everything a Gatehouse server needs to start.
type Config struct {
	Addr          string // listen address
	Issuer        string // issuer identifier; default scheme://Addr
	DB            string // sqlite:PATH or postgres://...
	SecretFile    string // master secret; default beside an SQLite database
	TLSCert       string
	TLSKey        string
	TLSSelfSigned bool // generate a localhost certificate (development)
	LogFormat     string
	LogLevel      string

	CodeTTL        time.Duration
	AccessTokenTTL time.Duration
	IDTokenTTL     time.Duration
	SessionTTL     time.Duration
	// Refresh-token lifetimes, for clients that set none. Idle: a token
	// unused this long lapses, like a forgotten session. Absolute: however
	// regularly it is used, a grant ends this long after the code exchange
	// and the user signs in again, which bounds what a stolen refresh
	// token is worth (RFC 9700 §4.14.2).
	RefreshIdleTTL     time.Duration
	RefreshAbsoluteTTL time.Duration

	// KeyRotationPeriod is how long a signing key signs. Each key is also
	// published for one period before, as the next key, and after, until
	// the tokens it signed have expired (KeyRetention).
	KeyRotationPeriod time.Duration
	// SigningAlg signs access tokens (RFC 9068 §2.1); ID tokens use each
	// client's id_token_signed_response_alg.
	SigningAlg string

	// JanitorInterval is how often the server deletes expired codes,
	// tokens and sessions; 0 turns that off (run `gatehouse janitor`).
	JanitorInterval time.Duration

	Throttle Throttle // brute-force protection (throttle.go)

	// MetricsAddr, when set, serves /metrics on a listener of its own
	// instead of the main one; PprofAddr serves net/http/pprof (off by
	// default; keep it on loopback).
	MetricsAddr, PprofAddr string

	envErr error // environment variables that did not parse
}

// Default returns the configuration used when nothing is set.
func Default() Config {
	return Config{
		Addr:           "127.0.0.1:8080",
		DB:             DefaultDB,
		LogFormat:      "text",
		LogLevel:       "info",
		CodeTTL:        60 * time.Second,
		AccessTokenTTL: 10 * time.Minute,
		IDTokenTTL:     10 * time.Minute,
		SessionTTL:     12 * time.Hour,
		// A month idle keeps an app someone opens now and then signed in;
		// a quarter in all makes a stolen token expire within one.
		RefreshIdleTTL:     30 * 24 * time.Hour,
		RefreshAbsoluteTTL: 90 * 24 * time.Hour,
		// A month: a leaked key is useful for at most that long, and a
		// relying party that caches the JWKS for up to a month (far beyond
		// its max-age) still knows a key before it signs.
		KeyRotationPeriod: 30 * 24 * time.Hour,
		SigningAlg:        "ES256",
		JanitorInterval:   10 * time.Minute,
		Throttle:          DefaultThrottle(),
	}
}

// EnvName is the environment variable that sets a flag: --tls-cert is
// GATEHOUSE_TLS_CERT.
func EnvName(flagName string) string {
	return "GATEHOUSE_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// BindDB registers --db (every command that touches the store has it).
func (c *Config) BindDB(fs *flag.FlagSet) {
	stringVar(fs, &c.DB, "db", "database: sqlite:PATH or postgres://user@host:5432/db?sslmode=disable")
}

// BindSecretFile registers --secret-file, for the server and for the
// commands that must hash client secrets the way the server checks them.
func (c *Config) BindSecretFile(fs *flag.FlagSet) {
	stringVar(fs, &c.SecretFile, "secret-file", "file with the master secret that encrypts signing keys and keys client-secret hashes (default: created beside an SQLite database)")
}

// BindKeyRotation registers --key-rotation-period, for the server and
// `gatehouse keys rotate`, which both create keys.
func (c *Config) BindKeyRotation(fs *flag.FlagSet) {
	c.durationVar(fs, &c.KeyRotationPeriod, "key-rotation-period", "how long a signing key signs before the next takes over (each is published a period before)")
}

// MinKeyRotationPeriod leaves relying parties, whose JWKS caches live a
// minute, and replicas, which reread keys every minute, ample time to
// learn a next key before it signs.
const MinKeyRotationPeriod = time.Hour

// keyLeeway covers clock differences between replicas and verifiers.
const keyLeeway = time.Minute

// KeyRetention is how long a signing key stays published after it stops
// signing: the longest lifetime of a token it signed, plus leeway. ID
// tokens count for a whole session: relying parties send them back as
// id_token_hint at logout, expired or not (OpenID Connect RP-Initiated
// Logout 1.0 §2).
func (c *Config) KeyRetention() time.Duration {
	return max(c.AccessTokenTTL, c.IDTokenTTL, c.SessionTTL) + keyLeeway
}

// BindJanitor registers --janitor-interval, for the server and
// `gatehouse janitor`.
func (c *Config) BindJanitor(fs *flag.FlagSet) {
	c.durationVar(fs, &c.JanitorInterval, "janitor-interval", "how often to delete expired codes, tokens and sessions (0: never; run 'gatehouse janitor' instead)")
}

// BindServe registers the flags of `gatehouse serve`.
func (c *Config) BindServe(fs *flag.FlagSet) {
	c.BindDB(fs)
	stringVar(fs, &c.Addr, "addr", "address to listen on")
	stringVar(fs, &c.Issuer, "issuer", "issuer URL clients see (default http(s):// + --addr)")
	c.BindSecretFile(fs)
	stringVar(fs, &c.TLSCert, "tls-cert", "TLS certificate file (PEM); serve HTTPS")
	stringVar(fs, &c.TLSKey, "tls-key", "TLS private key file (PEM)")
	c.boolVar(fs, &c.TLSSelfSigned, "tls-self-signed", "serve HTTPS with a generated localhost certificate (development only; written to --tls-cert/--tls-key when given)")
	stringVar(fs, &c.LogFormat, "log-format", "log format: text or json")
	stringVar(fs, &c.LogLevel, "log-level", "log level: debug, info, warn or error")
	c.durationVar(fs, &c.CodeTTL, "code-ttl", "authorization code lifetime")
	c.durationVar(fs, &c.AccessTokenTTL, "access-token-ttl", "access token lifetime")
	c.durationVar(fs, &c.IDTokenTTL, "id-token-ttl", "ID token lifetime")
	c.durationVar(fs, &c.SessionTTL, "session-ttl", "browser session lifetime")
	c.durationVar(fs, &c.RefreshIdleTTL, "refresh-idle-ttl", "refresh token lifetime when unused (clients may set their own)")
	c.durationVar(fs, &c.RefreshAbsoluteTTL, "refresh-absolute-ttl", "refresh token lifetime from sign-in, however used (clients may set their own)")
	c.BindKeyRotation(fs)
	c.BindJanitor(fs)
	stringVar(fs, &c.SigningAlg, "signing-alg", "access token signing algorithm: ES256, RS256 or EdDSA")
	c.BindThrottle(fs)
	stringVar(fs, &c.MetricsAddr, "metrics-addr", "serve /metrics on this address instead of --addr (e.g. 127.0.0.1:9090)")
	stringVar(fs, &c.PprofAddr, "pprof-addr", "serve net/http/pprof on this address (off when empty; loopback only, e.g. 127.0.0.1:6060)")
}

// TLS reports whether the server speaks HTTPS.
func (c *Config) TLS() bool { return c.TLSSelfSigned || c.TLSCert != "" }

// Finish fills derived defaults; call it after flags are parsed.
func (c *Config) Finish() {
	if c.Issuer == "" {
		scheme := "http"
		if c.TLS() {
			scheme = "https"
		}
		host, port, err := net.SplitHostPort(c.Addr)
		if ip := net.ParseIP(host); err == nil && (host == "" || ip != nil && ip.IsUnspecified()) {
			host = "localhost" // listening everywhere includes loopback
		}
		c.Issuer = scheme + "://" + net.JoinHostPort(host, port)
	}
	c.Issuer = strings.TrimSuffix(c.Issuer, "/")
}

// Validate checks the configuration and says what to change.
func (c *Config) Validate() error {
	errs := []error{c.envErr}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("--addr %q: want host:port, e.g. 127.0.0.1:8080", c.Addr))
	}
	if err := ValidateIssuer(c.Issuer); err != nil {
		errs = append(errs, err)
	}
	if !c.TLSSelfSigned && (c.TLSCert == "") != (c.TLSKey == "") {
		errs = append(errs, errors.New("--tls-cert and --tls-key must be given together"))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("--log-format %q: want text or json", c.LogFormat))
	}
	for name, d := range map[string]time.Duration{
		"--code-ttl": c.CodeTTL, "--access-token-ttl": c.AccessTokenTTL,
		"--id-token-ttl": c.IDTokenTTL, "--session-ttl": c.SessionTTL,
		"--refresh-idle-ttl": c.RefreshIdleTTL, "--refresh-absolute-ttl": c.RefreshAbsoluteTTL,
	} {
		if d <= 0 {
			errs = append(errs, fmt.Errorf("%s must be positive", name))
		}
	}
	if c.JanitorInterval < 0 {
		errs = append(errs, fmt.Errorf("--janitor-interval %v: must not be negative (0 turns the janitor off)", c.JanitorInterval))
	}
	if c.KeyRotationPeriod < MinKeyRotationPeriod {
		errs = append(errs, fmt.Errorf("--key-rotation-period %v: must be at least %v", c.KeyRotationPeriod, MinKeyRotationPeriod))
	}
	switch c.SigningAlg {
	case "ES256", "RS256", "EdDSA": // keys.Algorithms; config stays free of crypto imports
	default:
		errs = append(errs, fmt.Errorf("--signing-alg %q: want ES256, RS256 or EdDSA", c.SigningAlg))
	}
	errs = append(errs, c.Throttle.validate())
	return errors.Join(errs...)
}

// ValidateIssuer enforces OIDC Discovery §3 and RFC 8414 §2: an https URL
// with no query or fragment. http is accepted only for loopback hosts, for
// local development.
func ValidateIssuer(issuer string) error {
	u, err := url.Parse(issuer)
	if err != nil || u.Hostname() == "" || !u.IsAbs() {
		return fmt.Errorf("--issuer %q: want an absolute URL such as https://id.example.com", issuer)
	}
	if strings.ContainsAny(issuer, "?#") || u.User != nil {
		return fmt.Errorf("--issuer %q: must not have a query, fragment or user info", issuer)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if IsLoopbackHost(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("--issuer %q: http is allowed only on loopback hosts (localhost, 127.0.0.1, ::1); use https, e.g. with --tls-cert/--tls-key", issuer)
	}
	return fmt.Errorf("--issuer %q: scheme must be https", issuer)
}

// IsLoopbackHost reports whether host names this machine: localhost or a
// loopback IP literal.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func stringVar(fs *flag.FlagSet, p *string, name, usage string) {
	if v, ok := os.LookupEnv(EnvName(name)); ok {
		*p = v
	}
	fs.StringVar(p, name, *p, usage+" ["+EnvName(name)+"]")
}

func (c *Config) boolVar(fs *flag.FlagSet, p *bool, name, usage string) {
	if v, ok := os.LookupEnv(EnvName(name)); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			c.envErr = errors.Join(c.envErr, fmt.Errorf("%s=%q: want true or false", EnvName(name), v))
		}
		*p = b
	}
	fs.BoolVar(p, name, *p, usage+" ["+EnvName(name)+"]")
}

func (c *Config) durationVar(fs *flag.FlagSet, p *time.Duration, name, usage string) {
	if v, ok := os.LookupEnv(EnvName(name)); ok {
		d, err := time.ParseDuration(v)
		if err != nil {
			c.envErr = errors.Join(c.envErr, fmt.Errorf("%s=%q: want a duration such as 90s or 10m", EnvName(name), v))
		}
		*p = d
	}
	fs.DurationVar(p, name, *p, usage+" ["+EnvName(name)+"]")
}
