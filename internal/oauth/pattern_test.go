package oauth

import (
	"strings"
	"testing"
)

func TestCompilePatternAccepts(t *testing.T) {
	tests := []struct {
		expr             string
		scheme, host     string
		port             string
		variable         bool
		matches, refuses string // one URI each, as a smoke test
	}{
		{`https://app\.example\.com/preview/[a-z0-9-]+/cb`, "https", "app.example.com", "", false,
			"https://app.example.com/preview/pr-1/cb", "https://app.example.com/preview/pr.1/cb"},
		{`https://pr-[0-9]+\.preview\.example\.com/cb`, "https", ".preview.example.com", "", true,
			"https://pr-42.preview.example.com/cb", "https://pr-x.preview.example.com/cb"},
		{`^https://(pr-[0-9]+)\.preview\.example\.com/cb(\?.*)?$`, "https", ".preview.example.com", "", true,
			"https://pr-1.preview.example.com/cb?a=b", "https://pr-1.preview.example.com/cbx"},
		{`https://[a-z0-9-]+\.apps\.example\.com:8443/callback`, "https", ".apps.example.com", "8443", true,
			"https://my-app.apps.example.com:8443/callback", "https://my-app.apps.example.com/callback"},
		{`https://(?:foo|bar)-[a-z0-9]{1,20}\.example\.com/x`, "https", ".example.com", "", true,
			"https://foo-1.example.com/x", "https://baz-1.example.com/x"},
		{`https://[a-z]+\x2eexample\x2ecom/`, "https", ".example.com", "", true,
			"https://abc.example.com/", "https://abcxexample.com/"},
		{`https://\Qapp.example.com\E/cb`, "https", "app.example.com", "", false,
			"https://app.example.com/cb", "https://appxexample.com/cb"},
		{`https://\d+\.example\.co\.uk/cb`, "https", ".example.co.uk", "", true,
			"https://7.example.co.uk/cb", "https://a.example.co.uk/cb"},
		{`https://app\.example\.com/(?i:callback)`, "https", "app.example.com", "", false,
			"https://app.example.com/CallBack", "https://APP.example.com/callback"},
		{`http://localhost:8080/cb`, "http", "localhost", "8080", false,
			"http://localhost:8080/cb", "http://localhost:8081/cb"},
		{`http://127\.0\.0\.1:3000/.*`, "http", "127.0.0.1", "3000", false,
			"http://127.0.0.1:3000/x", "http://127.0.0.1:3001/x"},
		{`http://\[::1\]/cb`, "http", "[::1]", "", false,
			"http://[::1]/cb", "http://[::2]/cb"},
		{`https://\[2001:db8::1\]/cb`, "https", "[2001:db8::1]", "", false,
			"https://[2001:db8::1]/cb", "https://[2001:db8::2]/cb"},
		{`https://[a-z]+\.example\.com\.evil\.com/`, "https", ".example.com.evil.com", "", true,
			"https://a.example.com.evil.com/", "https://a.example.com/"},
	}
	for _, tt := range tests {
		p, err := CompilePattern(tt.expr)
		if err != nil {
			t.Errorf("CompilePattern(%q): %v", tt.expr, err)
			continue
		}
		if p.String() != tt.expr || p.scheme != tt.scheme || p.host != tt.host || p.port != tt.port || (p.label != nil) != tt.variable {
			t.Errorf("CompilePattern(%q) = %q scheme %q host %q port %q variable %v; want %q %q %q %v",
				tt.expr, p.String(), p.scheme, p.host, p.port, p.label != nil, tt.scheme, tt.host, tt.port, tt.variable)
		}
		if !p.Match(tt.matches) {
			t.Errorf("%q does not match %q", tt.expr, tt.matches)
		}
		if p.Match(tt.refuses) {
			t.Errorf("%q matches %q", tt.expr, tt.refuses)
		}
	}
}

func TestCompilePatternRejects(t *testing.T) {
	tests := []struct{ expr, rule string }{
		{``, "empty"},
		{`https://app\.example\.com/[`, "not a valid RE2 expression"},
		// Scheme.
		{`https?://app\.example\.com/`, "scheme must be literal"},
		{`[a-z]+://app\.example\.com/`, "scheme must be literal"},
		{`HTTPS://app\.example\.com/`, "scheme must be lower-case"},
		{`ftp://app\.example\.com/`, `scheme must be https (or http for loopback hosts), not "ftp"`},
		{`javascript://app\.example\.com/`, `not "javascript"`},
		{`com\.example\.app:/cb`, "scheme must be literal"},
		{`http://app\.example\.com/`, "http is allowed only for loopback hosts"},
		{`http://[a-z]+\.localhost/`, "http is allowed only for loopback hosts"},
		// Case-insensitive flags.
		{`(?i)https://app\.example\.com/`, "case-sensitively"},
		{`(?i:https)://app\.example\.com/`, "case-sensitively"},
		{`https://(?i:app)\.example\.com/`, "case-sensitively"},
		{`https://(?i)app\.example\.com/`, "case-sensitively"},
		{`https://app\.example\.(?i:com)/`, "case-sensitively"},
		{`https://(?i:[a-z]+)\.example\.com/`, "must be lower-case"},
		{`https://App\.example\.com/`, "must be lower-case"},
		{`https://[A-Z]+\.example\.com/`, "must be lower-case"},
		// Dots and other characters in the variable label.
		{`https://[a-z]+.example\.com/`, `unescaped "."`},
		{`https://app.example\.com/`, `unescaped "."`},
		{`https://app\.example.com/`, `unescaped "."`},
		{`(?s)https://.+\.example\.com/`, `unescaped "."`},
		{`https://[a-z\x2e]+\.example\.com/`, `matches '.'`},
		{`https://[a-z.]+\.example\.com/`, `matches '.'`},
		{`https://[^.]+\.example\.com/`, "may match only a-z, 0-9"},
		{`https://[^/]+\.example\.com/`, "may match only a-z, 0-9"},
		// The class is written out without syntax.Regexp.String, which
		// case-folds each of the million runes of a negated class.
		{`https://[^.]+\.example\.com/`, `but [\x00-\-/-\U0010ffff] matches '\x00'`},
		{`https://\w+\.example\.com/`, "lower-case"},
		{`https://[a-z_]+\.example\.com/`, `matches '_'`},
		{`https://\pL+\.example\.com/`, "lower-case"},
		{`https://\p{Greek}+\.example\.com/`, "may match only a-z, 0-9"},
		{`https://[a-zа-я]+\.example\.com/`, "may match only a-z, 0-9"},
		{`https://\S+\.example\.com/`, "may match only a-z, 0-9"},
		{`https://[\x00-\x{10FFFF}]+\.example\.com/`, "may match only a-z, 0-9"},
		{`https://\b[a-z]+\.example\.com/`, "anchors and word boundaries"},
		{`https://[a-z]+$\.example\.com/`, "anchors and word boundaries"},
		{`https://(?m:^)[a-z]+\.example\.com/`, "anchors and word boundaries"},
		{`https://[a-z]*\.example\.com/`, "could be empty"},
		{`https://(pr-[0-9]+)?\.example\.com/`, "could be empty"},
		{`https://(a|)\.example\.com/`, "could be empty"},
		// Alternation across hosts.
		{`https://a\.example\.com/|https://evil\.com/`, "alternatives (|)"},
		{`https://app\.example\.com/x|https://evil\.com/`, "alternatives (|)"},
		{`https://app\.example\.com/|evil`, "scheme must be literal"},
		{`https://(|evil\.com/x)\.example\.com/`, "alternatives (|)"},
		{`https://(a\.b|c)\.example\.com/`, "alternatives (|)"},
		{`https://app\.example\.com/|https://evil\.com/`, "alternatives (|)"},
		// Host structure.
		{`https://[a-z]+\.[a-z]+\.example\.com/`, "only the leftmost host label may vary"},
		{`https://app\.[a-z]+\.example\.com/`, "only the leftmost host label may vary"},
		{`https://app\.example\.[a-z]+/`, "only the leftmost host label may vary"},
		{`https://[a-z]+/cb`, "followed by a literal domain"},
		{`https://[a-z]+:8080/cb`, "followed by a literal domain"},
		{`https:///cb`, "host is empty"},
		{`https://app\.example\.com\./cb`, "empty label"},
		{`https://app\.\.example\.com/cb`, "empty label"},
		{`https://[a-z]+\.example\.com\./cb`, "empty label"},
		{`https://app\.exämple\.com/`, "must be ASCII"},
		{`https://[a-z]+\.exämple\.com/`, "must be ASCII"},
		{`https://%41pp\.example\.com/`, "percent-encoded"},
		{`https://[a-z]+%2eexample\.com/`, "percent-encoded"},
		{`https://app\.example\.com\\/`, `not "\\"`},
		{`https://app_x\.example\.com/`, `not "_"`},
		{`https://\[::1/`, "not a valid IPv6 literal"},
		{`https://\[fe80::1%25eth0\]/`, "not a valid IPv6 literal"},
		// Public suffixes and IP addresses.
		{`https://[a-z]+\.github\.io/cb`, `"github.io" is a public suffix`},
		{`https://[a-z]+\.com/cb`, `"com" is a public suffix`},
		{`https://[a-z]+\.co\.uk/cb`, `"co.uk" is a public suffix`},
		{`https://pr-[0-9]+\.vercel\.app/cb`, `"vercel.app" is a public suffix`},
		{`https://[a-z]+\.localhost/cb`, `"localhost" is a public suffix`},
		{`https://[a-z]+\.compute\.amazonaws\.com/`, "every name directly under"},
		{`https://[0-9]+\.0\.0\.1/`, "not an IP address"},
		// Port.
		{`https://app\.example\.com:[0-9]+/`, "the port must be literal"},
		{`https://app\.example\.com(:443)?/`, "the port must be literal"},
		{`https://[a-z]+\.example\.com(:443)?/`, "the port must be literal"},
		{`https://app\.example\.com:44[0-9]/`, "the port must be literal"},
		{`https://app\.example\.com:99999/`, "number from 1 to 65535"},
		{`https://app\.example\.com:0/`, "number from 1 to 65535"},
		{`https://app\.example\.com:/`, "number from 1 to 65535"},
		{`https://app\.example\.com:x/`, "number from 1 to 65535"},
		{`http://localhost:01/`, "without leading zeros"},
		// Size and complexity: counted repetitions multiply the program
		// RE2 runs over every candidate URI.
		{`https://a\.example\.com/(?:` + strings.Repeat(`[a-z]{0,1000}|`, 20) + `x)+y`, "too complex"},
		{`https://a\.example\.com/(?:[a-z]{0,300})(?:.{0,300})x`, "too complex"},
		{`https://[a-z]{1,999}\.example\.com/`, "too complex"},
		{`https://a\.example\.com/` + strings.Repeat("x", MaxPatternLen), "longer than 1024 bytes"},
		{`https://[a-z]+\.example\.com:0443/`, "without leading zeros"},
		// The authority must end in a literal "/".
		{`https://app\.example\.com`, `followed by a literal "/"`},
		{`https://app\.example\.com.*`, `followed by a literal "/"`},
		{`https://app\.example\.com(/.*)?`, `followed by a literal "/"`},
		{`https://app\.example\.com[/?]`, `followed by a literal "/"`},
		{`https://app\.example\.com?/`, `followed by a literal "/"`},
		{`https://app\.example\.com\?x/`, `followed by a literal "/"`},
		{`https://app\.example\.com#/`, `followed by a literal "/"`},
		{`https://[a-z]+\.example\.com\?/`, `followed by a literal "/"`},
		// Userinfo.
		{`https://user@app\.example\.com/`, "userinfo"},
		{`https://[a-z]+@app\.example\.com/`, "userinfo"},
		{`https://app\.example\.com@evil\.com/`, "userinfo"},
		{`https://app@[a-z]+\.example\.com/`, "userinfo"},
		{`https://[a-z]+\.example\.com@evil\.com/`, "userinfo"},
	}
	for _, tt := range tests {
		p, err := CompilePattern(tt.expr)
		if err == nil {
			t.Errorf("CompilePattern(%q) accepted (host %q, port %q); want error about %q", tt.expr, p.host, p.port, tt.rule)
			continue
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "redirect URI pattern: ") || !strings.Contains(msg, tt.rule) {
			t.Errorf("CompilePattern(%q) error = %q; want it to name the rule %q", tt.expr, msg, tt.rule)
		}
	}
}

// TestPatternMatchBypasses tries, against safe patterns, the URIs an
// attacker would use to leave the registered host or path.
func TestPatternMatchBypasses(t *testing.T) {
	preview := mustCompile(t, `https://pr-[0-9]+\.preview\.example\.com/cb(/[a-z0-9/]*)?(\?.*)?`)
	literal := mustCompile(t, `https://app\.example\.com/auth/.*`)
	tests := []struct {
		p    *Pattern
		uri  string
		want bool
	}{
		{preview, "https://pr-1.preview.example.com/cb", true},
		{preview, "https://pr-1.preview.example.com/cb/a/b?x=1&y=%2F", false}, // encoded "/" even in the query
		{preview, "https://pr-1.preview.example.com/cb/a/b?x=1&y=2", true},
		{preview, "https://pr-1.preview.example.com/cb?next=https://evil.com/", true},
		{preview, "https://PR-1.preview.example.com/cb", false},
		{preview, "HTTPS://pr-1.preview.example.com/cb", false},
		{preview, "http://pr-1.preview.example.com/cb", false},
		{preview, "https://pr-1.preview.example.com:443/cb", false},
		{preview, "https://pr-1.preview.example.com:8443/cb", false},
		{preview, "https://pr-1.preview.example.com./cb", false},
		{preview, "https://pr-1.preview.example.com.evil.com/cb", false},
		{preview, "https://evil.com?.preview.example.com/cb", false},
		{preview, "https://evil.com#.preview.example.com/cb", false},
		{preview, "https://evil.com/.preview.example.com/cb", false},
		{preview, "https://evil.com\\.preview.example.com/cb", false},
		{preview, "https://evil.com@pr-1.preview.example.com/cb", false},
		{preview, "https://pr-1.preview.example.com@evil.com/cb", false},
		{preview, "https://pr-1.preview.example.com%40evil.com/cb", false},
		{preview, "https://pr-1:x@pr-1.preview.example.com/cb", false},
		{preview, "https://pr-1.evil.preview.example.com/cb", false},
		{preview, "https://x.pr-1.preview.example.com/cb", false},
		{preview, "https://pr-1%2epreview.example.com/cb", false},
		{preview, "https://xn--pr-1-.preview.example.com/cb", false},
		{preview, "https://pr-1.prеview.example.com/cb", false}, // Cyrillic е
		{preview, "https://pr-１.preview.example.com/cb", false}, // full-width digit
		{preview, "https://pr-1.preview.example.com/cb#frag", false},
		{preview, "https://pr-1.preview.example.com/cb#", false},
		{preview, "https://pr-1.preview.example.com/cb/../../evil", false},
		{preview, "https://pr-1.preview.example.com/cb/./x", false},
		{preview, "https://pr-1.preview.example.com/cb/%2e%2e/x", false},
		{preview, "https://pr-1.preview.example.com/cb/%2E%2E/x", false},
		{preview, "https://pr-1.preview.example.com/cb/%2fevil", false},
		{preview, "https://pr-1.preview.example.com/cb/%5cevil", false},
		{preview, "https://pr-1.preview.example.com/cb\\..\\x", false},
		{preview, "https://pr-1.preview.example.com/cb?x=a b", false},
		{preview, "https://pr-1.preview.example.com/cb\n", false},
		{preview, "https://pr-1.preview.example.com/cb\t", false},
		{preview, " https://pr-1.preview.example.com/cb", false},
		{preview, "https://pr-1.preview.example.com/cbx", false},
		{preview, "//pr-1.preview.example.com/cb", false},
		{literal, "https://app.example.com/auth/cb", true},
		{literal, "https://app.example.com/auth/cb?x=%252e", true}, // only a literal "%"
		{literal, "https://app.example.com/auth/../logout", false},
		{literal, "https://app.example.com/auth/..", false},
		{literal, "https://app.example.com/auth/.", false},
		{literal, "https://app.example.com/auth/%2e%2E/logout", false},
		{literal, "https://app.example.com/auth/%2F%2Fevil.com", false},
		{literal, "https://app.example.com/auth/%40evil", false},
		{literal, "https://app.example.com/auth/%5C", false},
		{literal, "https://app.example.com/auth/x#y", false},
		{literal, "https://app.example.com/auth/\x7f", false},
		{literal, "https://app.example.com/auth/x\x00", false},
		{literal, "https://app.example.com/authx", false},
		{literal, "https://app.example.com.evil.com/auth/x", false},
		{literal, "https://app.example.com@evil.com/auth/x", false},
		{literal, "https://evil.com/app.example.com/auth/x", false},
		{literal, "https://app.example.com:443/auth/x", false},
		{literal, "https://app.example.com/auth/%zz", false}, // does not parse
	}
	for _, tt := range tests {
		if got := tt.p.Match(tt.uri); got != tt.want {
			t.Errorf("%s .Match(%q) = %v; want %v", tt.p, tt.uri, got, tt.want)
		}
	}
}

func TestPatternMatchOrigin(t *testing.T) {
	tests := []struct {
		expr   string
		origin string
		want   bool
	}{
		{`https://pr-[0-9]+\.preview\.example\.com/cb`, "https://pr-7.preview.example.com", true},
		{`https://pr-[0-9]+\.preview\.example\.com/cb`, "https://pr-7.preview.example.com:443", false},
		{`https://pr-[0-9]+\.preview\.example\.com/cb`, "https://pr-7.preview.example.com/", false},
		{`https://pr-[0-9]+\.preview\.example\.com/cb`, "https://preview.example.com", false},
		{`https://pr-[0-9]+\.preview\.example\.com/cb`, "https://x.pr-7.preview.example.com", false},
		{`https://pr-[0-9]+\.preview\.example\.com/cb`, "http://pr-7.preview.example.com", false},
		{`https://pr-[0-9]+\.preview\.example\.com/cb`, "https://pr-7.preview.example.com.evil.com", false},
		{`https://pr-[0-9]+\.preview\.example\.com/cb`, "null", false},
		{`https://[a-z]+\.apps\.example\.com:8443/cb`, "https://a.apps.example.com:8443", true},
		{`https://[a-z]+\.apps\.example\.com:8443/cb`, "https://a.apps.example.com", false},
		{`https://[a-z]+\.apps\.example\.com:8443/cb`, "https://a.apps.example.com:9443", false},
		{`https://app\.example\.com:443/cb`, "https://app.example.com", true},
		{`https://app\.example\.com:443/cb`, "https://app.example.com:443", true},
		{`https://app\.example\.com/cb`, "https://app.example.com", true},
		{`https://app\.example\.com/cb`, "https://app.example.com:8443", false},
		{`https://app\.example\.com/cb`, "https://evil.com", false},
		{`https://app\.example\.com/cb`, "://app.example.com", false},
		{`http://localhost:3000/cb`, "http://localhost:3000", true},
		{`http://localhost:3000/cb`, "http://localhost:30000", false},
		{`http://\[::1\]:3000/cb`, "http://[::1]:3000", true},
	}
	for _, tt := range tests {
		if got := mustCompile(t, tt.expr).MatchOrigin(tt.origin); got != tt.want {
			t.Errorf("%s .MatchOrigin(%q) = %v; want %v", tt.expr, tt.origin, got, tt.want)
		}
	}
}

func mustCompile(t testing.TB, expr string) *Pattern {
	t.Helper()
	p, err := CompilePattern(expr)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPatternMatchBoundsWork checks the limits that keep matching cheap: a
// URI longer than MaxPatternURILen never matches, even one the expression
// alone would accept, and the largest accepted program stays accepted.
func TestPatternMatchBoundsWork(t *testing.T) {
	p, err := CompilePattern(`https://app\.example\.com/cb(\?.*)?`)
	if err != nil {
		t.Fatal(err)
	}
	base := "https://app.example.com/cb?x="
	if uri := base + strings.Repeat("a", MaxPatternURILen-len(base)); !p.Match(uri) {
		t.Errorf("a URI of exactly %d bytes does not match", len(uri))
	}
	if uri := base + strings.Repeat("a", MaxPatternURILen-len(base)+1); p.Match(uri) {
		t.Errorf("a URI of %d bytes matches; want at most %d", len(uri), MaxPatternURILen)
	}
	if _, err := CompilePattern(`https://a\.example\.com/(?:[a-z]{0,100})x`); err != nil {
		t.Errorf("a pattern with {0,100} is refused: %v", err)
	}
}
