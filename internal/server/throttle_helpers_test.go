package server_test

import (
	"github.com/gatehouse-dev/gatehouse/internal/config"
	"github.com/gatehouse-dev/gatehouse/internal/servertest"
)

// withoutThrottle turns brute-force protection off on top of opt's own
// configuration changes.
func withoutThrottle(opt servertest.Options) servertest.Options {
	change := opt.Config
	opt.Config = func(c *config.Config) {
		c.Throttle.LoginDelayAfter, c.Throttle.LoginLockAfter = 0, 0
		c.Throttle.LoginIPDelayAfter, c.Throttle.LoginIPLockAfter = 0, 0
		c.Throttle.ClientDelayAfter, c.Throttle.ClientLockAfter = 0, 0
		c.Throttle.ClientIPDelayAfter, c.Throttle.ClientIPLockAfter = 0, 0
		if change != nil {
			change(c)
		}
	}
	return opt
}
