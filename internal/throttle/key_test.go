package throttle

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/netip"
	"strings"
	"testing"
)

func mustAddr(t *testing.T, s string) netip.Addr {
	t.Helper()
	ip, err := netip.ParseAddr(s)
	if err != nil {
		t.Fatal(err)
	}
	return ip
}

func TestKeys(t *testing.T) {
	tests := []struct {
		name string
		key  Key
		want string
	}{
		{"ipv4", LoginIPKey(netip.MustParseAddr("192.0.2.1")), "login:ip:192.0.2.1"},
		{"mapped ipv4", LoginIPKey(netip.MustParseAddr("::ffff:192.0.2.1")), "login:ip:192.0.2.1"},
		{"ipv6 per /64", ClientIPKey(netip.MustParseAddr("2001:db8:1:2:3:4:5:6")), "client-ip:2001:db8:1:2::/64"},
		{"ipv6 zone dropped", LoginIPKey(netip.MustParseAddr("fe80::1%eth0")), "login:ip:fe80::/64"},
		{"no address", LoginIPKey(netip.Addr{}), "login:ip:unknown"},
		{"plain client", ClientKey("web-app_1.example"), "client:web-app_1.example"},
		{"client with space", ClientKey("a b"), "client:#" + hashed("a b")},
		{"client with NUL", ClientKey("a\x00"), "client:#" + hashed("a\x00")},
		{"client invalid UTF-8", ClientKey("a\xff"), "client:#" + hashed("a\xff")},
		{"client looking hashed", ClientKey("#abc"), "client:#" + hashed("#abc")},
		{"long client", ClientKey(strings.Repeat("x", 129)), "client:#" + hashed(strings.Repeat("x", 129))},
		{"client at length limit", ClientKey(strings.Repeat("x", 128)), "client:" + strings.Repeat("x", 128)},
		{"account", AccountKey(" Bob@Example.COM"), AccountKey("bob@example.com").name},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.key.Name() != tt.want {
				t.Errorf("key = %q, want %q", tt.key.Name(), tt.want)
			}
		})
	}
	if k := AccountKey("bob@example.com").Name(); !strings.HasPrefix(k, "login:acct:") || strings.Contains(k, "bob") || len(k) != len("login:acct:")+32 {
		t.Errorf("account key %q: want login:acct: and 32 hex digits, no address", k)
	}
}

// hashed is the hex of the first 16 bytes of the SHA-256 of s, computed
// here independently of key.go.
func hashed(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:16])
}

func TestClientIP(t *testing.T) {
	proxies, err := ParseProxies([]string{"10.0.0.0/8", " 192.0.2.7 ", "", "2001:db8::/32"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		proxies Proxies
		remote  string
		xff     []string
		want    string
	}{
		{"no proxies: peer", Proxies{}, "198.51.100.1:4000", nil, "198.51.100.1"},
		{"no proxies: header ignored", Proxies{}, "198.51.100.1:4000", []string{"203.0.113.5"}, "198.51.100.1"},
		{"untrusted peer: header ignored", proxies, "198.51.100.1:4000", []string{"203.0.113.5"}, "198.51.100.1"},
		{"trusted peer", proxies, "10.1.2.3:4000", []string{"203.0.113.5"}, "203.0.113.5"},
		{"trusted single address", proxies, "192.0.2.7:4000", []string{"203.0.113.5"}, "203.0.113.5"},
		{"spoofed left entries skipped", proxies, "10.1.2.3:4000", []string{"1.1.1.1, 203.0.113.5"}, "203.0.113.5"},
		{"chain of proxies", proxies, "10.1.2.3:4000", []string{"203.0.113.5, 10.9.9.9", "192.0.2.7"}, "203.0.113.5"},
		{"garbage stops at last good", proxies, "10.1.2.3:4000", []string{"203.0.113.5, nonsense, 10.9.9.9"}, "10.9.9.9"},
		{"no header", proxies, "10.1.2.3:4000", nil, "10.1.2.3"},
		{"all trusted", proxies, "10.1.2.3:4000", []string{"10.0.0.1"}, "10.0.0.1"},
		{"ipv6 peer", proxies, "[2001:db8::1]:443", []string{"2a00::5"}, "2a00::5"},
		{"mapped peer", proxies, "[::ffff:10.1.2.3]:443", []string{"203.0.113.5"}, "203.0.113.5"},
		{"unparsable peer", proxies, "pipe", []string{"203.0.113.5"}, "invalid IP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := http.NewRequest(http.MethodGet, "http://localhost/", nil)
			r.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := tt.proxies.ClientIP(r).String(); got != tt.want {
				t.Errorf("ClientIP = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestParseProxiesErrors(t *testing.T) {
	for _, in := range []string{"10.0.0.0/33", "example.com", "10.0.0.1:80"} {
		if _, err := ParseProxies([]string{in}); err == nil {
			t.Errorf("ParseProxies(%q): got nil error", in)
		}
	}
}
