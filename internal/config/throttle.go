package config

import (
	"errors"
	"flag"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"
)

// Throttle configures brute-force protection (internal/throttle). For each
// kind of key, DelayAfter failures pass freely, each later failure makes
// the next attempt wait twice as long as the one before (1s, 2s, 4s, ...,
// at most MaxDelay), and LockAfter failures lock the key for LockDuration.
// Zero turns a delay or lock off. A key's failures are forgotten Window
// after the latest. A key found without failures is trusted to stay so for
// CacheTTL without reading the database again (zero: always read it).
type Throttle struct {
	LoginDelayAfter    int // per account, existing or not
	LoginLockAfter     int
	LoginIPDelayAfter  int // per client IP, over all accounts
	LoginIPLockAfter   int
	ClientDelayAfter   int // per client_id at /token, /revoke, /introspect
	ClientLockAfter    int
	ClientIPDelayAfter int // per client IP, over all client_ids
	ClientIPLockAfter  int
	MaxDelay           time.Duration
	LockDuration       time.Duration
	Window             time.Duration
	CacheTTL           time.Duration
	// TrustedProxies lists, comma-separated, the addresses or CIDR
	// prefixes of reverse proxies whose X-Forwarded-For names the client;
	// empty means the connection's peer is the client.
	TrustedProxies string
}

// DefaultThrottle: an account gets 3 free tries, then waits of 1s to 64s,
// and 10 failures lock it for 15 minutes, about 35 guesses an hour at
// most. An address, which many people may share behind NAT, gets 50 free
// failures; a client_id, whose secret is long and random, 5.
func DefaultThrottle() Throttle {
	return Throttle{
		LoginDelayAfter: 3, LoginLockAfter: 10,
		LoginIPDelayAfter: 50, LoginIPLockAfter: 100,
		ClientDelayAfter: 5, ClientLockAfter: 20,
		ClientIPDelayAfter: 50, ClientIPLockAfter: 100,
		MaxDelay:     5 * time.Minute,
		LockDuration: 15 * time.Minute,
		Window:       15 * time.Minute,
		CacheTTL:     time.Second, // throttle.DefaultCacheTTL
	}
}

// BindThrottle registers the brute-force protection flags of the server.
func (c *Config) BindThrottle(fs *flag.FlagSet) {
	t := &c.Throttle
	for _, f := range []struct {
		p          *int
		name, what string
	}{
		{&t.LoginDelayAfter, "login-delay-after", "failed sign-ins to one account before each attempt must wait"},
		{&t.LoginLockAfter, "login-lock-after", "failed sign-ins to one account that lock it for --throttle-lock-duration"},
		{&t.LoginIPDelayAfter, "login-ip-delay-after", "failed sign-ins from one IP before each attempt must wait"},
		{&t.LoginIPLockAfter, "login-ip-lock-after", "failed sign-ins from one IP that lock it out"},
		{&t.ClientDelayAfter, "client-delay-after", "failed authentications of one client_id before each attempt must wait"},
		{&t.ClientLockAfter, "client-lock-after", "failed authentications of one client_id that lock it out"},
		{&t.ClientIPDelayAfter, "client-ip-delay-after", "failed client authentications from one IP before each attempt must wait"},
		{&t.ClientIPLockAfter, "client-ip-lock-after", "failed client authentications from one IP that lock it out"},
	} {
		c.intVar(fs, f.p, f.name, f.what+" (0: never)")
	}
	c.durationVar(fs, &t.MaxDelay, "throttle-max-delay", "longest wait after a failed attempt, short of a lock")
	c.durationVar(fs, &t.LockDuration, "throttle-lock-duration", "how long a lock lasts")
	c.durationVar(fs, &t.Window, "throttle-window", "how long failed attempts are remembered after the latest")
	c.durationVar(fs, &t.CacheTTL, "throttle-cache-ttl", "how long a key found without failures is trusted to stay so before the database is read again; failures counted by other replicas may be seen this late (0: read on every attempt)")
	stringVar(fs, &t.TrustedProxies, "trusted-proxies", "comma-separated IPs or CIDRs of reverse proxies whose X-Forwarded-For names the client (default: none, use the connection's address)")
}

// TrustedProxyList is TrustedProxies split at commas, blanks dropped.
func (t Throttle) TrustedProxyList() []string {
	var out []string
	for _, s := range strings.Split(t.TrustedProxies, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

func (t Throttle) validate() error {
	var errs []error
	for name, n := range map[string]int{
		"--login-delay-after": t.LoginDelayAfter, "--login-lock-after": t.LoginLockAfter,
		"--login-ip-delay-after": t.LoginIPDelayAfter, "--login-ip-lock-after": t.LoginIPLockAfter,
		"--client-delay-after": t.ClientDelayAfter, "--client-lock-after": t.ClientLockAfter,
		"--client-ip-delay-after": t.ClientIPDelayAfter, "--client-ip-lock-after": t.ClientIPLockAfter,
	} {
		if n < 0 {
			errs = append(errs, fmt.Errorf("%s %d: must not be negative (0 turns it off)", name, n))
		}
	}
	if t.MaxDelay < time.Second {
		errs = append(errs, fmt.Errorf("--throttle-max-delay %v: must be at least 1s", t.MaxDelay))
	}
	if t.LockDuration <= 0 {
		errs = append(errs, fmt.Errorf("--throttle-lock-duration %v: must be positive", t.LockDuration))
	}
	if t.Window <= 0 {
		errs = append(errs, fmt.Errorf("--throttle-window %v: must be positive", t.Window))
	}
	if t.CacheTTL < 0 {
		errs = append(errs, fmt.Errorf("--throttle-cache-ttl %v: must not be negative (0 turns the cache off)", t.CacheTTL))
	}
	for _, s := range t.TrustedProxyList() {
		if _, err := netip.ParsePrefix(s); err == nil {
			continue
		}
		if _, err := netip.ParseAddr(s); err != nil {
			errs = append(errs, fmt.Errorf("--trusted-proxies: %q is not an IP address or CIDR prefix", s))
		}
	}
	return errors.Join(errs...)
}

func (c *Config) intVar(fs *flag.FlagSet, p *int, name, usage string) {
	if v, ok := os.LookupEnv(EnvName(name)); ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			c.envErr = errors.Join(c.envErr, fmt.Errorf("%s=%q: want a whole number", EnvName(name), v))
		}
		*p = n
	}
	fs.IntVar(p, name, *p, usage+" ["+EnvName(name)+"]")
}
