package oauth

import (
	"errors"
	"net/netip"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/net/publicsuffix"
)

// Pattern is a redirect-URI pattern that passed CompilePattern's checks: an
// RE2 expression matched against the whole redirect URI whose scheme, port
// and host (except a variable part of the leftmost label) are literal. This
// is our extension of RFC 6749 §3.1.2.2 for preview deployments; RFC 9700
// §4.1.3 warns that pattern matching is only safe if the authority cannot
// vary beyond what the client controls, so that is checked on registration.
type Pattern struct {
	expr   string
	re     *regexp.Regexp // \A(?:expr)\z
	scheme string         // "https", or "http" for loopback hosts
	origin string         // scheme + "://"
	label  *regexp.Regexp // the variable leftmost label, anchored; nil if the host is literal
	host   string         // the literal host, or what follows the variable label (starting with ".")
	port   string         // the literal port without ":", or ""
}

// patternError reports the broken rule as a developer would read it.
func patternError(rule string) error { return errors.New("redirect URI pattern: " + rule) }

// Rules that several checks report.
const (
	ruleSlash    = "the host[:port] must be followed by a literal \"/\" (the path may then vary)"
	rulePort     = "the port must be literal"
	ruleUserinfo = "the pattern must not contain userinfo (user@)"
	ruleDot      = `an unescaped "." in the host matches any character; write \. for a literal dot`
	ruleFold     = "the scheme and host must be matched case-sensitively; remove (?i) or limit it to the path with (?i:...)"
	ruleLabel    = "only the leftmost host label may vary; the rest of the host must be literal"
)

// CompilePattern validates a redirect-URI pattern at registration and
// compiles it. The expression is anchored at both ends by CompilePattern.
// The checks walk the parsed syntax tree (not the text), so escapes such as
// \x2e, \Q...\E or [.] and flags such as (?i) are seen as what they match.
func CompilePattern(expr string) (*Pattern, error) {
	if expr == "" {
		return nil, patternError("the pattern is empty")
	}
	if len(expr) > MaxPatternLen {
		return nil, patternError("the pattern is longer than " + strconv.Itoa(MaxPatternLen) + " bytes")
	}
	tree, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil, patternError("not a valid RE2 expression: " + err.Error())
	}
	if err := checkComplexity(tree); err != nil {
		return nil, err
	}
	p := &Pattern{expr: expr}
	if err := p.analyze(flattenTop(tree, nil)); err != nil {
		return nil, err
	}
	// expr parsed on its own, so its parentheses are balanced and the
	// wrapper cannot be escaped.
	if p.re, err = regexp.Compile(`\A(?:` + expr + `)\z`); err != nil {
		return nil, patternError("not a valid RE2 expression: " + err.Error())
	}
	return p, nil
}

// String returns the expression as registered.
func (p *Pattern) String() string { return p.expr }

// Match reports whether uri fully matches the pattern and passes the
// match-time safety checks (see safeForPattern). URIs longer than
// MaxPatternURILen never match, which bounds the work.
func (p *Pattern) Match(uri string) bool {
	return len(uri) <= MaxPatternURILen && safeForPattern(uri) && p.re.MatchString(uri)
}

// flattenTop appends the top-level sequence of re to items: concatenations and
// capture groups are opened and empty matches dropped, since none of that
// changes which strings match.
func flattenTop(re *syntax.Regexp, items []*syntax.Regexp) []*syntax.Regexp {
	switch re.Op {
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			items = flattenTop(sub, items)
		}
		return items
	case syntax.OpCapture:
		return flattenTop(re.Sub[0], items)
	case syntax.OpEmptyMatch:
		return items
	}
	return append(items, re)
}

// literalText returns the text a node matches if it is a case-sensitive literal
// (a case-folded literal counts only if none of its runes has case).
func literalText(re *syntax.Regexp) (string, bool) {
	if re.Op != syntax.OpLiteral {
		return "", false
	}
	if re.Flags&syntax.FoldCase != 0 {
		for _, r := range re.Rune {
			if unicode.SimpleFold(r) != r {
				return "", false
			}
		}
	}
	return string(re.Rune), true
}

// analyze checks the top-level sequence scheme://[label]host[:port]/path and
// records the literal parts. The leftmost label, when it varies, runs from
// "://" to the first literal "." and may produce only [a-z0-9-].
func (p *Pattern) analyze(items []*syntax.Regexp) (err error) {
	for len(items) > 0 && (items[0].Op == syntax.OpBeginText || items[0].Op == syntax.OpBeginLine) {
		items = items[1:]
	}
	var lead strings.Builder
	k := 0
	for ; k < len(items); k++ {
		s, ok := literalText(items[k])
		if !ok {
			break
		}
		lead.WriteString(s)
	}
	text := lead.String()
	i := strings.Index(text, "://")
	if i < 0 {
		if k < len(items) && items[k].Op == syntax.OpLiteral {
			return patternError(ruleFold)
		}
		return patternError(`the scheme must be literal and followed by "://", as in https://app\.example\.com/callback`)
	}
	p.scheme = text[:i]
	switch {
	case p.scheme == "https" || p.scheme == "http":
	case strings.EqualFold(p.scheme, "https") || strings.EqualFold(p.scheme, "http"):
		return patternError("the scheme must be lower-case")
	default:
		return patternError("the scheme must be https (or http for loopback hosts), not " + strconv.Quote(p.scheme))
	}
	p.origin, text = text[:i+3], text[i+3:]
	if strings.ContainsAny(text, "./:@") || k == len(items) {
		// The host is literal up to its first ".", so no label varies.
		return p.literalAuthority(text, items[k:])
	}
	// The leftmost label varies: text is its literal start.
	if err := checkLabelText(text); err != nil {
		return err
	}
	var pat strings.Builder
	pat.WriteString(`\A(?:`)
	pat.WriteString(regexp.QuoteMeta(text))
	for ; k < len(items); k++ {
		s, ok := literalText(items[k])
		if !ok {
			if items[k].Op == syntax.OpAlternate && (mentionsRune(items[k], '.') || mentionsRune(items[k], '/')) {
				return patternError("alternatives (|) must not span host labels or several hosts; register one pattern per host")
			}
			if err := checkLabelNode(items[k]); err != nil {
				return err
			}
			pat.WriteString("(?:" + items[k].String() + ")")
			continue
		}
		end := strings.IndexAny(s, "./:?#@")
		if end < 0 {
			end = len(s)
		}
		if err := checkLabelText(s[:end]); err != nil {
			return err
		}
		pat.WriteString(regexp.QuoteMeta(s[:end]))
		if end < len(s) {
			if s[end] == '@' {
				return patternError(ruleUserinfo)
			}
			if s[end] != '.' {
				break
			}
			pat.WriteString(`)\z`)
			if p.label, err = regexp.Compile(pat.String()); err != nil {
				return patternError("not a valid RE2 expression: " + err.Error())
			}
			if p.label.MatchString("") {
				return patternError("the leftmost host label could be empty; use + rather than * or an empty alternative")
			}
			if p.scheme == "http" {
				return patternError("http is allowed only for loopback hosts (localhost, 127.0.0.1, [::1]), whose names cannot vary; use https")
			}
			return p.literalAuthority(s[end:], items[k+1:])
		}
	}
	return patternError(`the variable leftmost label must be followed by a literal domain, as in [a-z0-9-]+\.preview\.example\.com`)
}

// literalAuthority reads the literal rest of the authority from text and
// the items that follow it, up to the "/" that must end it, and checks it.
func (p *Pattern) literalAuthority(text string, items []*syntax.Regexp) error {
	var b strings.Builder
	b.WriteString(text)
	for k := 0; !strings.Contains(b.String(), "/") && k < len(items); k++ {
		s, ok := literalText(items[k])
		if !ok {
			return authorityEndError(b.String(), items[k])
		}
		b.WriteString(s)
	}
	auth, _, ok := strings.Cut(b.String(), "/")
	if !ok || strings.ContainsAny(auth, "?#") {
		return patternError(ruleSlash)
	}
	if strings.Contains(auth, "@") {
		return patternError(ruleUserinfo)
	}
	host, port, hasPort := splitHostPort(auth)
	if hasPort && !validPort(port) {
		return patternError("the port must be a number from 1 to 65535")
	}
	if hasPort && port[0] == '0' {
		// Browsers serialize origins without leading zeros (RFC 6454
		// §6.2), so MatchOrigin could never match such a port.
		return patternError("the port must be written without leading zeros")
	}
	p.host, p.port = host, port
	if p.label != nil {
		return checkLabelDomain(host)
	}
	if err := checkPatternHost(host); err != nil {
		return err
	}
	if p.scheme == "http" && !isLoopbackHost(host) {
		return patternError("http is allowed only for loopback hosts (localhost, 127.0.0.1, [::1]); use https")
	}
	return nil
}

// authorityEndError explains why a non-literal node cannot follow the
// literal part of the authority read so far.
func authorityEndError(sofar string, next *syntax.Regexp) error {
	switch {
	case next.Op == syntax.OpLiteral:
		return patternError(ruleFold)
	case strings.Contains(sofar, "@"):
		return patternError(ruleUserinfo)
	case next.Op == syntax.OpAnyChar || next.Op == syntax.OpAnyCharNotNL:
		return patternError(ruleDot)
	case strings.Contains(sofar, ":") || mentionsRune(next, ':'):
		return patternError(rulePort)
	case strings.HasSuffix(sofar, "."):
		return patternError(ruleLabel)
	}
	return patternError(ruleSlash)
}

// mentionsRune reports whether a literal or class in re contains r; it only
// picks the most helpful error message.
func mentionsRune(re *syntax.Regexp, r rune) bool {
	switch re.Op {
	case syntax.OpLiteral:
		return strings.ContainsRune(string(re.Rune), r)
	case syntax.OpCharClass:
		for i := 0; i < len(re.Rune); i += 2 {
			if re.Rune[i] <= r && r <= re.Rune[i+1] {
				return true
			}
		}
	}
	for _, sub := range re.Sub {
		if mentionsRune(sub, r) {
			return true
		}
	}
	return false
}

// checkLabelDomain checks the literal domain after a variable label: a variable
// label directly under a public suffix (com, co.uk, github.io) would let the
// pattern match other parties' sites.
func checkLabelDomain(host string) error {
	if err := checkPatternHost(host[1:]); err != nil {
		return err
	}
	domain := host[1:]
	if last := domain[strings.LastIndexByte(domain, '.')+1:]; strings.Trim(last, "0123456789") == "" {
		return patternError("a variable label needs a domain name after it, not an IP address")
	}
	if suffix, _ := publicsuffix.PublicSuffix(domain); suffix == domain {
		return patternError(strconv.Quote(domain) + " is a public suffix, so a variable label under it would match other parties' sites; vary a label under a domain you control")
	}
	// A wildcard rule (*.kawasaki.jp) makes every name one level down a
	// public suffix too.
	if suffix, _ := publicsuffix.PublicSuffix("x" + host); suffix == "x"+host {
		return patternError("every name directly under " + strconv.Quote(domain) + " is a public suffix, so a variable label there would match other parties' sites; vary a label under a domain you control")
	}
	return nil
}

// checkPatternHost checks a literal host: lower-case ASCII DNS labels (IPv4
// literals included), or an IPv6 literal in brackets.
func checkPatternHost(host string) error {
	if ip, ok := strings.CutPrefix(host, "["); ok && strings.Contains(ip, ":") {
		if addr, err := netip.ParseAddr(strings.TrimSuffix(ip, "]")); err == nil && addr.Is6() && addr.Zone() == "" && strings.HasSuffix(ip, "]") {
			return nil
		}
		return patternError("the host is not a valid IPv6 literal")
	}
	if host == "" {
		return patternError("the host is empty")
	}
	for _, label := range strings.Split(host, ".") {
		if label == "" {
			return patternError("the host has an empty label (a leading, trailing or double dot)")
		}
		if err := checkLabelText(label); err != nil {
			return err
		}
	}
	return nil
}

// checkLabelText checks literal label text: lower-case ASCII letters,
// digits and "-", the characters of an IDNA A-label (RFC 5890 §2.3.2.1).
func checkLabelText(s string) error {
	for _, r := range s {
		switch {
		case isLabelRune(r):
		case r == '@':
			return patternError(ruleUserinfo)
		case r >= 'A' && r <= 'Z':
			return patternError("the host must be lower-case")
		case r > unicode.MaxASCII:
			return patternError("the host must be ASCII; write an internationalized name in its xn-- (punycode) form")
		case r == '%':
			return patternError("the host must not be percent-encoded")
		default:
			return patternError("the host may contain only a-z, 0-9, \"-\" and \".\", not " + strconv.Quote(string(r)))
		}
	}
	return nil
}

func isLabelRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-'
}

// checkLabelNode checks that a variable node of the leftmost label can only
// produce [a-z0-9-], so the label can never grow into another host.
func checkLabelNode(re *syntax.Regexp) error {
	switch re.Op {
	case syntax.OpLiteral:
		if _, ok := literalText(re); !ok {
			return patternError(ruleFold)
		}
		for _, r := range re.Rune {
			if !isLabelRune(r) {
				return labelRuneError(re, r)
			}
		}
		return nil
	case syntax.OpCharClass:
		// Each range either lies within a-z, 0-9 or "-", or has a rune
		// outside them within its first 27, so this loop is short.
		for i := 0; i < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				if !isLabelRune(r) {
					return labelRuneError(re, r)
				}
			}
		}
		return nil
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return patternError(ruleDot)
	case syntax.OpEmptyMatch, syntax.OpNoMatch:
		return nil
	case syntax.OpCapture, syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat,
		syntax.OpConcat, syntax.OpAlternate:
		for _, sub := range re.Sub {
			if err := checkLabelNode(sub); err != nil {
				return err
			}
		}
		return nil
	}
	return patternError("anchors and word boundaries are not allowed in the host")
}

// labelRuneError names the first rune outside [a-z0-9-] that a variable
// part of the leftmost label can match.
func labelRuneError(re *syntax.Regexp, r rune) error {
	if r >= 'A' && r <= 'Z' {
		return patternError("the host must be lower-case, but " + shortString(re) + " matches " + strconv.QuoteRune(r))
	}
	return patternError("the variable part of the host may match only a-z, 0-9 and \"-\" (it must stay within the leftmost label), but " +
		shortString(re) + " matches " + strconv.QuoteRune(r))
}

// shortString returns re as text, cut short for an error message. A class
// is written out here: syntax.Regexp.String case-folds every rune of a
// class to choose its flags, which for a negated class such as [^.] is a
// million lookups (milliseconds per refused pattern).
func shortString(re *syntax.Regexp) string {
	if re.Op == syntax.OpCharClass {
		var b strings.Builder
		b.WriteByte('[')
		for i := 0; i+1 < len(re.Rune) && b.Len() <= 40; i += 2 {
			b.WriteString(classRune(re.Rune[i]))
			if re.Rune[i+1] != re.Rune[i] {
				b.WriteString("-" + classRune(re.Rune[i+1]))
			}
		}
		b.WriteByte(']')
		return cut(b.String())
	}
	return cut(re.String())
}
