package oauth

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestValidateRedirectURI(t *testing.T) {
	const (
		web    = false
		native = true
	)
	tests := []struct {
		uri    string
		native bool
		rule   string // "" if the URI is valid
	}{
		{"https://app.example.com/callback", web, ""},
		{"https://app.example.com/callback?x=1", web, ""},
		{"https://app.example.com:8443/cb", web, ""},
		{"https://app.example.com", web, ""},
		{"http://localhost/cb", web, ""},
		{"http://localhost:3000/cb", web, ""},
		{"http://127.0.0.1:3000/cb", web, ""},
		{"http://127.1.2.3/cb", web, ""},
		{"http://[::1]:3000/cb", web, ""},
		{"http://127.0.0.1/cb", native, ""},
		{"http://[::1]/cb", native, ""},
		{"http://localhost/cb", native, ""},
		{"https://app.example.com/cb", native, ""},
		{"com.example.app:/callback", native, ""},
		{"com.example.app:/oauth2redirect/example-provider", native, ""},
		{"com.example.app://callback", native, ""},

		{"", web, "must not be empty"},
		{"/callback", web, "must be an absolute URI"},
		{"app.example.com/cb", web, "must be an absolute URI"},
		{"//app.example.com/cb", web, "must be an absolute URI"},
		{"https://app.example.com/cb#x", web, "must not contain a fragment"},
		{"https://app.example.com/cb#", web, "must not contain a fragment"},
		{"https://user@app.example.com/cb", web, "must not contain userinfo"},
		{"https://user:pw@app.example.com/cb", web, "must not contain userinfo"},
		{"http://user@localhost/cb", native, "must not contain userinfo"},
		{"https://*.example.com/cb", web, "must not contain a wildcard"},
		{"https://app.example.com/*", web, "must not contain a wildcard"},
		{"https://app.example.com/c b", web, "spaces or control characters"},
		{"https://app.example.com/cb\n", web, "spaces or control characters"},
		{"https://app.example.com/cb\x7f", web, "spaces or control characters"},
		{"https://app.example.com/\xff", web, "valid UTF-8"},
		{"https://app.example.com/%zz", web, "does not parse"},
		{"https://[::1/cb", web, "does not parse"},
		{"https://app.example.com:99999/cb", web, "number from 1 to 65535"},
		{"https://app.example.com:0/cb", web, "number from 1 to 65535"},
		{"https://app.example.com:/cb", web, "number from 1 to 65535"},
		{"https:/cb", web, "https URIs must have a host"},
		{"https:cb", web, "https URIs must have a host"},
		{"https://:443/cb", web, "https URIs must have a host"},
		{"http://app.example.com/cb", web, "http is allowed only for loopback hosts (localhost, 127.0.0.1, [::1]); use https"},
		{"http://app.example.com/cb", native, "http is allowed only for loopback hosts"},
		{"http://localhost.example.com/cb", web, "http is allowed only for loopback hosts"},
		{"http://127.0.0.1.example.com/cb", web, "http is allowed only for loopback hosts"},
		{"http://128.0.0.1/cb", web, "http is allowed only for loopback hosts"},
		{"http://0.0.0.0/cb", web, "http is allowed only for loopback hosts"},
		{"http://127.1/cb", web, "http is allowed only for loopback hosts"},
		{"http://0x7f.0.0.1/cb", web, "http is allowed only for loopback hosts"},
		{"http://[::ffff:127.0.0.1]/cb", web, "http is allowed only for loopback hosts"},
		{"http://[::1%25lo0]/cb", web, "http is allowed only for loopback hosts"},
		{"http:/cb", web, "http is allowed only for loopback hosts"},
		{"javascript:alert(1)", web, "the javascript: scheme is never allowed"},
		{"JavaScript:alert(1)", native, "the javascript: scheme is never allowed"},
		{"data:text/html,hi", native, "the data: scheme is never allowed"},
		{"file:///etc/passwd", native, "the file: scheme is never allowed"},
		{"vbscript:x", web, "the vbscript: scheme is never allowed"},
		{"com.example.app:/callback", web, "allowed only for native apps"},
		{"myapp:/callback", web, "allowed only for native apps"},
		{"myapp:/callback", native, "must be a reversed domain name you control, containing a dot"},
		{"myapp://callback", native, "reversed domain name"},
		{"com.:/callback", native, "reversed domain name"},
		{".com.example:/callback", native, "does not parse"},
	}
	for _, tt := range tests {
		err := ValidateRedirectURI(tt.uri, tt.native)
		switch {
		case tt.rule == "" && err != nil:
			t.Errorf("ValidateRedirectURI(%q, native=%v) = %v; want nil", tt.uri, tt.native, err)
		case tt.rule == "":
		case err == nil:
			t.Errorf("ValidateRedirectURI(%q, native=%v) = nil; want error about %q", tt.uri, tt.native, tt.rule)
		case !strings.HasPrefix(err.Error(), "redirect URI") || !strings.Contains(err.Error(), tt.rule):
			t.Errorf("ValidateRedirectURI(%q, native=%v) = %q; want it to name the rule %q", tt.uri, tt.native, err, tt.rule)
		}
	}
}

func TestValidateRedirectURIMessage(t *testing.T) {
	err := ValidateRedirectURI("http://app.example.com/cb", false)
	want := `redirect URI "http://app.example.com/cb": http is allowed only for loopback hosts (localhost, 127.0.0.1, [::1]); use https`
	if err == nil || err.Error() != want {
		t.Errorf("got %v; want %s", err, want)
	}
}

func TestMatchRedirectURI(t *testing.T) {
	exact := []string{
		"https://app.example.com/cb",
		"http://127.0.0.1/native",
		"http://127.0.0.1:8080/fixed?x=1",
		"http://[::1]:9000/v6",
		"http://localhost:3000/cb",
		"com.example.app:/callback",
	}
	patterns := []string{
		`https://[a-z]+\.com/cb`, // invalid: skipped
		`https://pr-[0-9]+\.preview\.example\.com/cb`,
	}
	tests := []struct {
		uri  string
		want RedirectMatch
		ok   bool
	}{
		{"https://app.example.com/cb", RedirectMatch{Rule: "https://app.example.com/cb"}, true},
		{"com.example.app:/callback", RedirectMatch{Rule: "com.example.app:/callback"}, true},
		{"https://app.example.com/cb/", RedirectMatch{}, false},
		{"https://app.example.com/cb?x", RedirectMatch{}, false},
		{"https://app.example.com/CB", RedirectMatch{}, false},
		{"https://APP.example.com/cb", RedirectMatch{}, false},
		{"https://app.example.com:443/cb", RedirectMatch{}, false},
		{"https://app.example.com/cb#", RedirectMatch{}, false},
		{"", RedirectMatch{}, false},
		// RFC 8252 §7.3: any port on a loopback IP literal.
		{"http://127.0.0.1/native", RedirectMatch{Rule: "http://127.0.0.1/native"}, true},
		{"http://127.0.0.1:51234/native", RedirectMatch{Rule: "http://127.0.0.1/native", Loopback: true}, true},
		{"http://127.0.0.1:1/fixed?x=1", RedirectMatch{Rule: "http://127.0.0.1:8080/fixed?x=1", Loopback: true}, true},
		{"http://127.0.0.1/fixed?x=1", RedirectMatch{Rule: "http://127.0.0.1:8080/fixed?x=1", Loopback: true}, true},
		{"http://[::1]/v6", RedirectMatch{Rule: "http://[::1]:9000/v6", Loopback: true}, true},
		{"http://[::1]:65535/v6", RedirectMatch{Rule: "http://[::1]:9000/v6", Loopback: true}, true},
		{"http://127.0.0.1:51234/fixed?x=2", RedirectMatch{}, false},
		{"http://127.0.0.1:51234/native/", RedirectMatch{}, false},
		{"http://127.0.0.1:65536/native", RedirectMatch{}, false},
		{"http://127.0.0.1:0/native", RedirectMatch{}, false},
		{"http://127.0.0.1:/native", RedirectMatch{}, false},
		{"http://127.0.0.1:1x/native", RedirectMatch{}, false},
		{"http://127.0.0.1:80@evil.com/native", RedirectMatch{}, false},
		{"http://127.0.0.1.evil.com/native", RedirectMatch{}, false},
		{"http://127.0.0.10/native", RedirectMatch{}, false},
		{"http://127.0.0.2:5000/native", RedirectMatch{}, false},
		{"http://[::1]:5000/native", RedirectMatch{}, false},
		{"https://127.0.0.1:5000/native", RedirectMatch{}, false},
		{"http://localhost:3001/cb", RedirectMatch{}, false}, // localhost: exact only
		// Patterns, after the match-time checks.
		{"https://pr-12.preview.example.com/cb", RedirectMatch{Rule: patterns[1], Pattern: true}, true},
		{"https://evil.com/cb", RedirectMatch{}, false},
		{"https://pr-12.preview.example.com/cb#x", RedirectMatch{}, false},
		{"https://pr-12.preview.example.com@evil.com/cb", RedirectMatch{}, false},
	}
	for _, tt := range tests {
		got, ok := MatchRedirectURI(tt.uri, exact, patterns)
		if got != tt.want || ok != tt.ok {
			t.Errorf("MatchRedirectURI(%q) = %+v, %v; want %+v, %v", tt.uri, got, ok, tt.want, tt.ok)
		}
	}
	if _, ok := MatchRedirectURI("https://app.example.com/cb", nil, nil); ok {
		t.Error("matched with no registrations")
	}
}

func TestSafeForPattern(t *testing.T) {
	tests := []struct {
		uri  string
		want bool
	}{
		{"https://a.example.com/cb", true},
		{"https://a.example.com/cb?x=%20&y=%3F", true},
		{"https://a.example.com/a..b/.c/d.", true},
		{"https://a.example.com", true},
		{"https://a.example.com/%2", false}, // does not parse
		{"https://a.example.com/%2f", false},
		{"https://a.example.com/%2F", false},
		{"https://a.example.com/%5c", false},
		{"https://a.example.com/%5C", false},
		{"https://a.example.com/%2e", false},
		{"https://a.example.com/%2E", false},
		{"https://a.example.com/%40", false},
		{"https://a.example.com/cb?u=%2Fx", false},
		{"https://a.example.com/..", false},
		{"https://a.example.com/./cb", false},
		{"https://a.example.com/cb/..?x", false},
		{"https://a.example.com/cb#", false},
		{"https://a.example.com\\cb", false},
		{"https://a.example.com/c b", false},
		{"https://a.example.com/\x01", false},
		{"https://u@a.example.com/cb", false},
		{"https://:p@a.example.com/cb", false},
		{"https:a.example.com/cb", false},
		{"https:///cb", false},
		{"/cb", false},
		{"//a.example.com/cb", false},
		{"https://a.example.com/%", false},
		{"https://a.example.com:x/", false},
	}
	for _, tt := range tests {
		if got := safeForPattern(tt.uri); got != tt.want {
			t.Errorf("safeForPattern(%q) = %v; want %v", tt.uri, got, tt.want)
		}
	}
}

func TestOriginOf(t *testing.T) {
	tests := []struct{ uri, want string }{
		{"https://app.example.com/cb?x#y", "https://app.example.com"},
		{"HTTPS://App.Example.COM/cb", "https://app.example.com"},
		{"https://app.example.com:443/cb", "https://app.example.com"},
		{"https://app.example.com:8443/cb", "https://app.example.com:8443"},
		{"https://app.example.com:08443/cb", "https://app.example.com:8443"},
		{"http://localhost:80/cb", "http://localhost"},
		{"http://localhost:443/cb", "http://localhost:443"},
		{"http://[::1]:3000/cb", "http://[::1]:3000"},
		{"http://[::1]/cb", "http://[::1]"},
		{"https://user:pw@app.example.com/cb", "https://app.example.com"},
		{"https://bücher.example/cb", "https://xn--bcher-kva.example"},
		{"https://app.example.com:99999/cb", ""},
		{"https:///cb", ""},
		{"com.example.app:/cb", ""},
		{"javascript:alert(1)", ""},
		{"/cb", ""},
		{"", ""},
		{"https://%zz/", ""},
	}
	for _, tt := range tests {
		if got := OriginOf(tt.uri); got != tt.want {
			t.Errorf("OriginOf(%q) = %q; want %q", tt.uri, got, tt.want)
		}
	}
}

func TestPatternCache(t *testing.T) {
	const expr = `https://pr-[0-9]+\.cache\.example\.com/cb`
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 2 * patternCacheSize {
				e := fmt.Sprintf(`https://app-%d-%d\.example\.com/cb`, i, j)
				if _, ok := MatchRedirectURI("https://pr-1.cache.example.com/cb", nil, []string{e, expr}); !ok {
					t.Error("cached pattern did not match")
					return
				}
			}
		})
	}
	wg.Wait()
	patternCache.RLock()
	n := len(patternCache.m)
	patternCache.RUnlock()
	if n > patternCacheSize {
		t.Errorf("cache holds %d patterns; want at most %d", n, patternCacheSize)
	}
	p1, err1 := cachedPattern(expr)
	p2, err2 := cachedPattern(expr)
	if err1 != nil || err2 != nil || p1 != p2 {
		t.Errorf("cachedPattern twice = %p %v, %p %v; want the same pattern", p1, err1, p2, err2)
	}
	if _, err := cachedPattern(`https://[a-z]+\.com/`); err == nil {
		t.Error("cachedPattern accepted an invalid pattern")
	}
}

func BenchmarkMatchRedirectURI(b *testing.B) {
	exact := []string{"https://app.example.com/cb", "http://127.0.0.1/cb"}
	patterns := []string{`https://pr-[0-9]+\.preview\.example\.com/cb(\?.*)?`}
	b.Run("exact", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			MatchRedirectURI("https://app.example.com/cb", exact, patterns)
		}
	})
	b.Run("loopback", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			MatchRedirectURI("http://127.0.0.1:53124/cb", exact, patterns)
		}
	})
	b.Run("pattern", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			MatchRedirectURI("https://pr-123.preview.example.com/cb?state=xyz", exact, patterns)
		}
	})
}
