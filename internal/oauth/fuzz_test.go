package oauth

import (
	"net/url"
	"regexp/syntax"
	"strings"
	"testing"

	"golang.org/x/net/publicsuffix"
)

// fuzzPatterns are fixed safe patterns with what every URI they match must
// have: scheme, literal host suffix, a check of the leftmost label (nil if
// the host is literal) and port.
var fuzzPatterns = []struct {
	expr, scheme, suffix, port string
	label                      func(string) bool
}{
	{`https://pr-[0-9]+\.preview\.example\.com/cb(/[a-z0-9._~-]*)*(\?.*)?`, "https", ".preview.example.com", "",
		func(l string) bool {
			return strings.HasPrefix(l, "pr-") && strings.Trim(l[3:], "0123456789") == "" && len(l) > 3
		}},
	{`https://[a-z0-9-]+\.apps\.example\.com:8443/(cb|callback)(\?.*)?`, "https", ".apps.example.com", "8443",
		func(l string) bool { return l != "" && strings.Trim(l, "abcdefghijklmnopqrstuvwxyz0123456789-") == "" }},
	{`http://127\.0\.0\.1:8080/.*`, "http", "127.0.0.1", "8080", nil},
}

// FuzzMatchRedirect checks that whatever a safe pattern or a loopback
// registration accepts really goes to the registered host, port and path.
func FuzzMatchRedirect(f *testing.F) {
	for _, s := range []string{
		"https://pr-1.preview.example.com/cb",
		"https://pr-1.preview.example.com/cb/a.b/c?x=1#f",
		"https://pr-1.preview.example.com/cb/../x",
		"https://pr-1.preview.example.com/cb/%2e%2e/x",
		"https://pr-1.preview.example.com.evil.com/cb",
		"https://evil.com?.preview.example.com/cb",
		"https://evil.com\\@pr-1.preview.example.com/cb",
		"https://pr-1.preview.example.com@evil.com/cb",
		"https://a-b.apps.example.com:8443/callback?state=1",
		"https://a-b.apps.example.com:8443@evil.com/callback",
		"http://127.0.0.1:8080/anything?x",
		"http://127.0.0.1:8080\\@evil.com/",
		"http://127.0.0.1:51234/loop?x=1",
		"http://[::1]/v6",
		"http://127.0.0.1:80@evil.com/loop?x=1",
	} {
		f.Add(s)
	}
	exact := []string{"http://127.0.0.1/loop?x=1", "http://[::1]:9/v6"}
	f.Fuzz(func(t *testing.T, uri string) {
		for _, fp := range fuzzPatterns {
			p, err := cachedPattern(fp.expr)
			if err != nil {
				t.Fatal(err)
			}
			m, ok := MatchRedirectURI(uri, nil, []string{fp.expr})
			if p.Match(uri) != ok || ok && m != (RedirectMatch{Rule: fp.expr, Pattern: true}) {
				t.Fatalf("Match and MatchRedirectURI disagree on %q", uri)
			}
			if !ok {
				continue
			}
			u := checkSafeURI(t, uri)
			host := u.Hostname()
			if u.Scheme != fp.scheme || u.Port() != fp.port || u.Host != strings.TrimSuffix(host+":"+fp.port, ":") {
				t.Fatalf("%s matched %q: scheme %q host %q port %q", fp.expr, uri, u.Scheme, u.Host, u.Port())
			}
			if fp.label == nil && host != fp.suffix ||
				fp.label != nil && (!strings.HasSuffix(host, fp.suffix) || !fp.label(strings.TrimSuffix(host, fp.suffix))) {
				t.Fatalf("%s matched %q: host %q is outside the pattern", fp.expr, uri, host)
			}
			if !p.MatchOrigin(OriginOf(uri)) {
				t.Fatalf("%s matched %q but not its origin %q", fp.expr, uri, OriginOf(uri))
			}
		}
		m, ok := MatchRedirectURI(uri, exact, nil)
		if !ok {
			return
		}
		u, err := url.Parse(uri)
		if err != nil || u.Scheme != "http" || u.User != nil || u.Fragment != "" || u.Opaque != "" {
			t.Fatalf("loopback registration %q matched %q", m.Rule, uri)
		}
		reg, _ := url.Parse(m.Rule)
		if u.Hostname() != reg.Hostname() || u.RawPath != reg.RawPath || u.Path != reg.Path || u.RawQuery != reg.RawQuery ||
			(m.Loopback != (uri != m.Rule)) || (u.Port() != "" && !validPort(u.Port())) {
			t.Fatalf("loopback registration %q matched %q (host %q path %q query %q)", m.Rule, uri, u.Hostname(), u.Path, u.RawQuery)
		}
	})
}

// checkSafeURI fails unless uri passes the match-time checks, seen through
// net/url rather than the checks' own code.
func checkSafeURI(t *testing.T, uri string) *url.URL {
	t.Helper()
	u, err := url.Parse(uri)
	if err != nil || u.User != nil || u.Fragment != "" || strings.ContainsAny(uri, "#\\ \t\r\n") || u.Opaque != "" {
		t.Fatalf("matched unsafe URI %q", uri)
	}
	for _, seg := range strings.Split(u.Path, "/") {
		if seg == "." || seg == ".." {
			t.Fatalf("matched URI with dot segment %q", uri)
		}
	}
	if lower := strings.ToLower(uri); strings.Contains(lower, "%2f") || strings.Contains(lower, "%2e") ||
		strings.Contains(lower, "%5c") || strings.Contains(lower, "%40") {
		t.Fatalf("matched URI with encoded delimiter %q", uri)
	}
	return u
}

// FuzzCompilePattern checks that CompilePattern never panics and that an
// accepted pattern matches only URIs on its literal host suffix, even when
// the host of a matching URI is swapped for a crafted one.
func FuzzCompilePattern(f *testing.F) {
	for _, s := range [][2]string{
		{`https://pr-[0-9]+\.preview\.example\.com/cb`, "https://pr-1.preview.example.com/cb"},
		{`https://app\.example\.com/.*`, "https://app.example.com/x?y"},
		{`https://[a-z0-9-]+\.example\.com:8443/(cb)?`, "https://a.example.com:8443/"},
		{`https://(?:foo|bar)-[a-z]{1,3}\.example\.com/x`, "https://foo-ab.example.com/x"},
		{`^https://(pr-\d+)\.example\.co\.uk/cb(\?.*)?$`, "https://pr-7.example.co.uk/cb?a"},
		{`http://localhost:3000/.*`, "http://localhost:3000/cb"},
		{`http://\[::1\]/cb`, "http://[::1]/cb"},
		{`https://[a-z]+\.github\.io/cb`, "https://evil.github.io/cb"},
		{`https://a\.com/|https://evil\.com/`, "https://evil.com/"},
		{`(?i)https://APP\.example\.com/`, "https://app.example.com/"},
		{`https://[a-z]+.example\.com/`, "https://evil.com/example.com/"},
		{`https://[^.]+\.example\.com/`, "https://evil.com?.example.com/"},
		{`https://\w+\x2eexample\.com/`, "https://_.example.com/"},
		{`https://(|evil\.com/)app\.example\.com/`, "https://evil.com/app.example.com/"},
		{`https://app\.example\.com(:\d+)?/`, "https://app.example.com:1/"},
		{`https://\Qapp.example.com\E/`, "https://app.example.com/"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, expr, uri string) {
		p, err := CompilePattern(expr)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "redirect URI pattern: ") {
				t.Fatalf("error %q does not say it is about a pattern", err)
			}
			return
		}
		if p.String() != expr {
			t.Fatalf("String() = %q; want %q", p.String(), expr)
		}
		checkPatternInvariants(t, p)
		// Besides uri itself, try a URI the pattern generates, steered by
		// the bytes of uri, so that most accepted patterns get probed.
		tree, err := syntax.Parse(expr, syntax.Perl)
		if err != nil {
			t.Fatal(err)
		}
		var sample strings.Builder
		choices := []byte(uri)
		for _, cand := range []string{uri, sampleOf(tree, &choices, &sample)} {
			if p.Match(cand) {
				checkPatternMatch(t, p, cand)
			}
		}
	})
}

// checkPatternMatch checks a URI that p matched: it must be on p's scheme,
// port and host suffix, and swapping its host for crafted ones outside the
// pattern must not match.
func checkPatternMatch(t *testing.T, p *Pattern, uri string) {
	t.Helper()
	u := checkSafeURI(t, uri)
	host := u.Hostname()
	if u.Scheme != p.scheme || u.Port() != p.port || !p.MatchOrigin(OriginOf(uri)) {
		t.Fatalf("%s matched %q: scheme %q port %q", p, uri, u.Scheme, u.Port())
	}
	if p.label == nil && host != strings.Trim(p.host, "[]") ||
		p.label != nil && (!strings.HasSuffix(host, p.host) || !isLabel(strings.TrimSuffix(host, p.host))) {
		t.Fatalf("%s matched %q: host %q is outside %q", p, uri, host, p.host)
	}
	rest := uri[len(p.scheme+"://"+u.Host):]
	evils := []string{
		"evil.com", "x." + host, host + ".evil.com", host + ".", "evil.com?" + host, "evil.com@" + host,
		"ev.il" + p.host, "EVIL" + host,
	}
	if strings.Contains(host, ".") {
		evils = append(evils, strings.ReplaceAll(host, ".", "-"))
	}
	if p.label != nil {
		evils = append(evils, p.host[1:], "evil.com/"+p.host, "a_b"+p.host, "Ab"+p.host)
	}
	for _, evil := range evils {
		if strings.EqualFold(evil, host) {
			continue // the pattern's own host happens to be a crafted name
		}
		probe := p.scheme + "://" + evil + strings.TrimPrefix(u.Host, u.Hostname()) + rest
		if p.Match(probe) {
			t.Fatalf("%s matches %q (crafted host %q), whose host is outside the pattern", p, probe, evil)
		}
	}
}

// sampleOf writes to b a string re may match, taking each choice (which
// alternative, how many repeats, which rune of a class) from choices.
func sampleOf(re *syntax.Regexp, choices *[]byte, b *strings.Builder) string {
	next := func(n int) int {
		if len(*choices) == 0 || n <= 1 {
			return 0
		}
		c := int((*choices)[0])
		*choices = (*choices)[1:]
		return c % n
	}
	if b.Len() > 1<<12 {
		return b.String()
	}
	switch re.Op {
	case syntax.OpLiteral:
		b.WriteString(string(re.Rune))
	case syntax.OpCharClass:
		if len(re.Rune) > 0 {
			i := 2 * next(len(re.Rune)/2)
			b.WriteRune(re.Rune[i] + rune(next(int(min(re.Rune[i+1]-re.Rune[i]+1, 256)))))
		}
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		b.WriteByte(byte(' ' + next(95)))
	case syntax.OpCapture, syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		lo, hi := 0, 3 // star
		switch re.Op {
		case syntax.OpCapture:
			lo, hi = 1, 1
		case syntax.OpPlus:
			lo = 1
		case syntax.OpQuest:
			hi = 1
		case syntax.OpRepeat:
			lo, hi = re.Min, re.Max
			if hi < 0 {
				hi = lo + 3
			}
		}
		for range lo + next(hi-lo+1) {
			sampleOf(re.Sub[0], choices, b)
		}
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			sampleOf(sub, choices, b)
		}
	case syntax.OpAlternate:
		sampleOf(re.Sub[next(len(re.Sub))], choices, b)
	}
	return b.String()
}

// checkPatternInvariants checks what CompilePattern promises about an
// accepted pattern, independently of how it found out.
func checkPatternInvariants(t *testing.T, p *Pattern) {
	t.Helper()
	switch {
	case p.scheme != "https" && p.scheme != "http":
		t.Fatalf("%s: scheme %q", p, p.scheme)
	case p.port != "" && !validPort(p.port):
		t.Fatalf("%s: port %q", p, p.port)
	case p.scheme == "http" && (p.label != nil || !isLoopbackHost(p.host)):
		t.Fatalf("%s: http on a host that is not loopback", p)
	case p.label != nil && p.label.MatchString(""):
		t.Fatalf("%s: empty label", p)
	}
	if p.label != nil {
		domain, ok := strings.CutPrefix(p.host, ".")
		if suffix, _ := publicsuffix.PublicSuffix(domain); !ok || suffix == domain {
			t.Fatalf("%s: variable label under public suffix %q", p, p.host)
		}
		for _, l := range []string{"a.b", "a/b", "a:b", "a@b", "A", "a_b", "a%2eb", "a\\b"} {
			if p.label.MatchString(l) {
				t.Fatalf("%s: label matches %q", p, l)
			}
		}
	}
	if !strings.HasPrefix(p.re.String(), `\A(?:`) || !strings.HasSuffix(p.re.String(), `)\z`) {
		t.Fatalf("%s: not anchored: %s", p, p.re)
	}
}

// isLabel reports whether s is one non-empty label of [a-z0-9-].
func isLabel(s string) bool {
	return s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == ""
}
