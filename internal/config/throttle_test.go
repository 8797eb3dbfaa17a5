package config

import (
	"strings"
	"testing"
	"time"
)

func TestThrottleFlagsAndEnv(t *testing.T) {
	t.Setenv("GATEHOUSE_LOGIN_DELAY_AFTER", "4")
	t.Setenv("GATEHOUSE_CLIENT_IP_LOCK_AFTER", "0")
	t.Setenv("GATEHOUSE_THROTTLE_WINDOW", "1h")
	t.Setenv("GATEHOUSE_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.7")
	c := Default()
	err := newFlagSet(&c).Parse([]string{"--login-lock-after", "12", "--throttle-lock-duration", "30m", "--client-delay-after", "7", "--throttle-cache-ttl", "0"})
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultThrottle()
	want.LoginDelayAfter, want.LoginLockAfter, want.ClientDelayAfter, want.ClientIPLockAfter = 4, 12, 7, 0
	want.Window, want.LockDuration, want.TrustedProxies = time.Hour, 30*time.Minute, "10.0.0.0/8, 192.0.2.7"
	want.CacheTTL = 0
	if c.Throttle != want {
		t.Errorf("Throttle = %+v\nwant %+v", c.Throttle, want)
	}
	if got := c.Throttle.TrustedProxyList(); len(got) != 2 || got[0] != "10.0.0.0/8" || got[1] != "192.0.2.7" {
		t.Errorf("TrustedProxyList = %q", got)
	}
	c.Finish()
	if err := c.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestThrottleBadEnv(t *testing.T) {
	t.Setenv("GATEHOUSE_LOGIN_LOCK_AFTER", "ten")
	c := Default()
	if err := newFlagSet(&c).Parse(nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "GATEHOUSE_LOGIN_LOCK_AFTER") {
		t.Errorf("Validate = %v, want an error naming GATEHOUSE_LOGIN_LOCK_AFTER", err)
	}
}

func TestThrottleValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		change func(*Throttle)
		want   string // substring of the error; "" means valid
	}{
		{"defaults", func(*Throttle) {}, ""},
		{"all off", func(t *Throttle) {
			*t = Throttle{MaxDelay: time.Second, LockDuration: time.Second, Window: time.Second}
		}, ""},
		{"negative", func(t *Throttle) { t.ClientLockAfter = -1 }, "--client-lock-after -1"},
		{"short max delay", func(t *Throttle) { t.MaxDelay = time.Millisecond }, "--throttle-max-delay"},
		{"no lock duration", func(t *Throttle) { t.LockDuration = 0 }, "--throttle-lock-duration"},
		{"no window", func(t *Throttle) { t.Window = 0 }, "--throttle-window"},
		{"cache off", func(t *Throttle) { t.CacheTTL = 0 }, ""},
		{"negative cache ttl", func(t *Throttle) { t.CacheTTL = -time.Second }, "--throttle-cache-ttl"},
		{"proxy host name", func(t *Throttle) { t.TrustedProxies = "10.0.0.1, lb.example.com" }, `"lb.example.com"`},
		{"proxy with port", func(t *Throttle) { t.TrustedProxies = "10.0.0.1:80" }, "--trusted-proxies"},
		{"proxies ipv6", func(t *Throttle) { t.TrustedProxies = "2001:db8::/32,::1" }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := Default()
			c.Finish()
			tt.change(&c.Throttle)
			err := c.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("Validate = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("Validate = %v, want an error mentioning %s", err, tt.want)
			}
		})
	}
}
