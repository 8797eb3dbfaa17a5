package server

import (
	"log/slog"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/config"
	"github.com/gatehouse-dev/gatehouse/internal/throttle"
)

// baseDelay is the first wait once a key's free failures are used up; each
// further failure doubles it.
const baseDelay = time.Second

// newLimiter builds the brute-force protection the configuration asks for,
// on the shared store so that every replica counts the same failures.
func newLimiter(cfg config.Throttle, store throttle.Store, now func() time.Time, log *slog.Logger) (*throttle.Limiter, error) {
	proxies, err := throttle.ParseProxies(cfg.TrustedProxyList())
	if err != nil {
		return nil, err
	}
	rule := func(delayAfter, lockAfter int) throttle.Rule {
		return throttle.Rule{
			Free: delayAfter, BaseDelay: baseDelay, MaxDelay: cfg.MaxDelay,
			Lock: lockAfter, LockFor: cfg.LockDuration, Window: cfg.Window,
		}
	}
	var rules throttle.Rules
	rules[throttle.LoginAccount] = rule(cfg.LoginDelayAfter, cfg.LoginLockAfter)
	rules[throttle.LoginIP] = rule(cfg.LoginIPDelayAfter, cfg.LoginIPLockAfter)
	rules[throttle.Client] = rule(cfg.ClientDelayAfter, cfg.ClientLockAfter)
	rules[throttle.ClientIP] = rule(cfg.ClientIPDelayAfter, cfg.ClientIPLockAfter)
	return throttle.New(throttle.Options{Store: store, Rules: rules, Proxies: proxies, Now: now, Log: log,
		CacheTTL: cfg.CacheTTL,
	}), nil
}
