package server_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// sweepReq is one request of the sweep, built as raw parts so that it can
// carry what net/http's client refuses to send (NUL bytes, invalid UTF-8,
// broken percent-encoding, repeated headers).
type sweepReq struct {
	endpoint string // the table entry it came from, for failure messages
	what     string // the mutations applied, for failure messages
	method   string
	path     string
	query    string // raw, without "?"
	header   [][2]string
	body     []byte
	shape    shape
	// authSent records whether the request carries an Authorization
	// header, after which a 401 must challenge (RFC 6749 §5.2).
	authSent bool
	// state is the single state value the request carries, "" if none or
	// several: an error redirect must echo it exactly.
	state string
	// extra, when set, checks what this particular request must get
	// beyond the endpoint's shape; "" means fine.
	extra func(resp sweepResp) string
	// id is who sent it (the identity's cookies or token), and idAuth the
	// identity's Authorization header, if any.
	id     identity
	idAuth string
	// mayThrottle lets a 429 with Retry-After through: the throttled
	// variant of the sweep (sweep_throttle_test.go) locks keys out.
	mayThrottle bool
}

// generator derives mutated requests from the endpoints' base requests,
// deterministically from its seed.
type generator struct {
	rnd *rand.Rand
	fx  *sweepFixture
}

func newGenerator(seed uint64, fx *sweepFixture) *generator {
	return &generator{rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), fx: fx}
}

// rawPair is one already-encoded parameter ("k=v", or anything else).
type rawPair = string

// encodePair percent-encodes a key and value.
func encodePair(k, v string) rawPair { return url.QueryEscape(k) + "=" + url.QueryEscape(v) }

// request builds one mutated request from ep's base request.
func (g *generator) request(ep sweepEndpoint) sweepReq {
	id := ep.ids[0]
	if g.rnd.IntN(3) > 0 {
		id = ep.ids[g.rnd.IntN(len(ep.ids))]
	}
	var args []string
	if ep.args != nil {
		args = ep.args(g.fx)
	}
	var what []string
	if len(args) > 0 && g.rnd.IntN(3) == 0 { // a nasty path segment
		i := g.rnd.IntN(len(args))
		args[i] = nastyPathIDs[g.rnd.IntN(len(nastyPathIDs))]
		what = append(what, "path id "+short(args[i]))
	}
	return g.build(ep, id, args, what, 1+g.rnd.IntN(3), nil)
}

// build makes ep's base request as identity id, with the path arguments
// args, the parameters in set replacing the base's values, and then
// the given number of random mutations.
func (g *generator) build(ep sweepEndpoint, id identity, args, what []string, mutations int, set map[string]string) sweepReq {
	params, hdr := ep.base(g.fx)
	cks, token := g.fx.cookies(id)
	var raw []rawPair
	for _, p := range params {
		if p[0] == "csrf_token" && token != "" {
			p[1] = token
		}
		if v, ok := set[p[0]]; ok {
			p[1] = v
		}
		raw = append(raw, encodePair(p[0], p[1]))
	}
	r := sweepReq{endpoint: ep.name, method: ep.method, path: ep.path, shape: ep.shape, id: id}
	for k, vs := range hdr {
		for _, v := range vs {
			r.header = append(r.header, [2]string{k, v})
		}
	}
	if a := g.fx.authorization(id); a != "" {
		r.header = append(r.header, [2]string{"Authorization", a})
		r.idAuth = a
	}
	for _, c := range cks {
		r.header = append(r.header, [2]string{"Cookie", c.Name + "=" + c.Value})
	}
	ct := "application/x-www-form-urlencoded"
	if ep.json {
		ct = "application/json"
	}
	if ep.method != http.MethodGet {
		r.header = append(r.header, [2]string{"Content-Type", ct},
			[2]string{"Origin", "null"}, [2]string{"Sec-Fetch-Site", "same-origin"})
	}
	inBody := ep.method != http.MethodGet
	for range mutations {
		var w string
		raw, inBody, w = g.mutate(&r, raw, inBody)
		what = append(what, w)
	}
	r.what = fmt.Sprintf("%s as %d: %s", ep.name, id, strings.Join(what, "; "))
	enc := strings.Join(raw, "&")
	if inBody {
		if r.body == nil && ep.json {
			r.body = jsonObject(raw)
		} else if r.body == nil {
			r.body = []byte(enc)
		}
	} else if r.query == "" {
		r.query = enc
	}
	r.path = fillPath(ep.path, guardWrites(ep, &r, args))
	r.state = singleState(raw)
	for _, h := range r.header {
		if strings.EqualFold(h[0], "Authorization") {
			r.authSent = true
		}
	}
	return r
}

// singleState returns the decoded state when raw holds exactly one valid
// state parameter.
func singleState(raw []rawPair) string {
	v, err := url.ParseQuery(strings.Join(raw, "&"))
	if err != nil || len(v["state"]) != 1 {
		return ""
	}
	return v.Get("state")
}

// nastyValues are values that have broken parsers before: empty, huge,
// NUL, invalid UTF-8, control and bidi characters, traversal, schemes,
// injection attempts, numbers out of range.
var nastyValues = []string{
	"", " ", "\x00", "a\x00b", "\xff\xfe", "\xc0\xaf", "\xed\xa0\x80", "\r\nSet-Cookie: x=1", "\t",
	"\u202etxt.exe", "\ufeff", "ｈｔｔｐｓ://evil.example", "../../etc/passwd", "%2e%2e%2f",
	"javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "<script>alert(1)</script>",
	"' OR '1'='1", "\"; DROP TABLE users; --", "${jndi:ldap://x}", "{{7*7}}", "%s%s%n",
	"-1", "0", "99999999999999999999999", "1e308", "NaN", "null", "true", "[]", "{}",
	"https://evil.example/cb", "http://127.0.0.1:1/cb", "https://spa.example.com/callback/../x",
	"https://spa.example.com@evil.example/callback", "https://xn--spa-0ra.example.com/callback",
	"openid openid openid", "openid\x00profile", "S256", "plain", "none", "code token", "id_token",
	"9223372036854775807", "-9223372036854775808", "0x10", "1e3", "login consent none", "select_account login",
	"eyJhbGciOiJub25lIn0.e30.", "a.b.c", "..", "eyJ.eyJ.", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
	"https://api.example.com/", "https://api.example.com/#frag", "urn:x", "/relative",
}

// knownParams are parameters some endpoint reads; the generator adds them
// with nasty values where the base request lacks them, so every parser
// gets fed, not only the base request's.
var knownParams = []string{
	"prompt", "max_age", "login_hint", "resource", "response_mode", "request", "request_uri", "claims",
	"id_token_hint", "nonce", "display", "ui_locales", "acr_values", "token_type_hint", "client_assertion",
	"client_assertion_type", "client_secret", "code_verifier", "scope", "client_id", "redirect_uri", "state",
	"post_logout_redirect_uri", "return_to", "decision", "authz", "logout_request", "done", "code",
	"refresh_token", "grant_type", "response_type", "code_challenge", "code_challenge_method", "token",
	"email", "password", "csrf_token", "access_token",
}

// mutate applies one random mutation. It returns the new parameters,
// whether they travel in the body, and what it did.
func (g *generator) mutate(r *sweepReq, raw []rawPair, inBody bool) ([]rawPair, bool, string) {
	pick := func() int { return g.rnd.IntN(max(len(raw), 1)) }
	switch n := g.rnd.IntN(100); {
	case n < 12 && len(raw) > 0: // drop a parameter
		i := pick()
		return append(raw[:i:i], raw[i+1:]...), inBody, "drop param " + short(raw[i])
	case n < 24 && len(raw) > 0: // repeat a parameter, same or other value
		i := pick()
		dup := raw[i]
		if g.rnd.IntN(2) == 0 {
			k, _, _ := strings.Cut(dup, "=")
			dup = k + "=" + url.QueryEscape(nastyValues[g.rnd.IntN(len(nastyValues))])
		}
		return append(raw, dup), inBody, "repeat " + short(dup)
	case n < 44 && len(raw) > 0: // replace a value
		i := pick()
		k, _, _ := strings.Cut(raw[i], "=")
		v := nastyValues[g.rnd.IntN(len(nastyValues))]
		enc := url.QueryEscape(v)
		if g.rnd.IntN(3) == 0 {
			enc = v // unencoded: raw bytes on the wire
		}
		raw[i] = k + "=" + enc
		return raw, inBody, fmt.Sprintf("set %s to %q", k, short(v))
	case n < 52 && len(raw) > 0: // break the percent-encoding
		i := pick()
		bad := []string{"%", "%z", "%zz", "%e", "%c3%28", "%ff", "%00", "%%41", "+%2"}[g.rnd.IntN(9)]
		raw[i] += bad
		return raw, inBody, "bad percent-encoding " + bad
	case n < 56: // a 100 KB value
		k := "state"
		if len(raw) > 0 {
			k, _, _ = strings.Cut(raw[pick()], "=")
		}
		return append(raw, k+"="+strings.Repeat("A", 100<<10)), inBody, "100 KB " + k
	case n < 58: // 10,000 parameters
		for i := range 10000 {
			raw = append(raw, fmt.Sprintf("p%d=%d", i, i))
		}
		return raw, inBody, "10k params"
	case n < 60: // a body of megabytes
		r.body = []byte(strings.Join(raw, "&") + "&pad=" + strings.Repeat("x", (1+g.rnd.IntN(3))<<20))
		return raw, true, "MB body"
	case n < 64: // broken keys
		junk := []rawPair{"=v", "novalue", "&&&", "a[b]=c", "%00=x", "\xff=\xfe", ";;"}[g.rnd.IntN(7)]
		return append(raw, junk), inBody, "junk pair " + short(junk)
	case n < 72: // another method
		r.method = []string{"PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "FOO", "GET", "POST"}[g.rnd.IntN(9)]
		return raw, r.method != http.MethodGet && r.method != http.MethodHead && r.method != "TRACE" && inBody, "method " + r.method
	case n < 76: // parameters moved to the other place
		if inBody {
			r.query = strings.Join(raw, "&")
			return nil, true, "params in query, empty body"
		}
		return raw, true, "params in body of " + r.method
	case n < 84: // Content-Type tricks
		ct := []string{"", "text/plain", "application/json", "multipart/form-data; boundary=x",
			"application/x-www-form-urlencoded; charset=utf-16", "application/x-www-form-urlencoded; charset=\"",
			"APPLICATION/X-WWW-FORM-URLENCODED", "application/x-www-form-urlencoded\x00", "application/x-www-form-urlencoded, text/plain"}[g.rnd.IntN(9)]
		r.header = setHeader(r.header, "Content-Type", ct)
		if ct == "application/json" && g.rnd.IntN(2) == 0 {
			r.body = []byte(`{"grant_type":"client_credentials","client_id":"` + g.fx.e.SPA.ID + `"}`)
		}
		return raw, inBody, fmt.Sprintf("Content-Type %q", ct)
	case n < 92: // Authorization header tricks
		a := []string{"Basic", "Basic !!!", "Basic " + b64std("no-colon"), "Basic " + b64std(":"), "Basic " + b64std("%zz:%zz"),
			"Bearer", "Bearer " + strings.Repeat("a", 8<<10), "Bearer a b", "bearer " + g.fx.accessToken, "Digest x",
			"Basic " + b64std(g.fx.e.SPA.ID+":\x00"), "Bearer " + forgedJWT(g.fx.accessToken)}[g.rnd.IntN(12)]
		if g.rnd.IntN(3) == 0 {
			r.header = append(r.header, [2]string{"Authorization", a}) // a second one
		} else {
			r.header = setHeader(r.header, "Authorization", a)
		}
		return raw, inBody, fmt.Sprintf("Authorization %q", short(a))
	case n < 96: // cookie and origin tricks
		h := [][2]string{{"Cookie", "gatehouse_session=\x7f"}, {"Cookie", strings.Repeat("c=1; ", 2000)},
			{"Origin", "https://evil.example"}, {"Sec-Fetch-Site", "cross-site"}, {"Origin", "null"}}[g.rnd.IntN(5)]
		r.header = append(r.header, h)
		return raw, inBody, "header " + h[0] + ": " + short(h[1])
	}
	if g.rnd.IntN(4) == 0 { // unknown parameters
		return append(raw, encodePair("x-"+nastyValues[g.rnd.IntN(len(nastyValues))], "1")), inBody, "unknown param"
	}
	k := knownParams[g.rnd.IntN(len(knownParams))]
	v := nastyValues[g.rnd.IntN(len(nastyValues))]
	if k == "id_token_hint" && g.rnd.IntN(2) == 0 {
		v = forgedJWT(g.fx.accessToken)
	}
	return append(raw, encodePair(k, v)), inBody, fmt.Sprintf("add %s=%s", k, short(v))
}

// setHeader replaces every header named k (an empty v removes them).
func setHeader(h [][2]string, k, v string) [][2]string {
	out := h[:0:0]
	for _, kv := range h {
		if !strings.EqualFold(kv[0], k) {
			out = append(out, kv)
		}
	}
	if v != "" {
		out = append(out, [2]string{k, v})
	}
	return out
}

func short(s string) string {
	if len(s) > 40 {
		return fmt.Sprintf("%q...(%d bytes)", s[:40], len(s))
	}
	return fmt.Sprintf("%q", s)
}

func b64std(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// jsonObject writes raw pairs as one JSON object, in order and with any
// repeated keys kept; a pair that does not decode is used as it is. A
// value that is JSON (a number, true, null, an array) goes in as that
// JSON, so bases can send typed members and mutations mistype them.
func jsonObject(raw []rawPair) []byte {
	var b strings.Builder
	b.WriteByte('{')
	for i, p := range raw {
		k, v, _ := strings.Cut(p, "=")
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		if dv, err := url.QueryUnescape(v); err == nil {
			v = dv
		}
		if i > 0 {
			b.WriteByte(',')
		}
		if !json.Valid([]byte(v)) {
			v = strconv.Quote(v)
		}
		b.WriteString(strconv.Quote(k) + ":" + v)
	}
	b.WriteByte('}')
	return []byte(b.String())
}
