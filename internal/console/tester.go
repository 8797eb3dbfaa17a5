package console

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"unicode/utf8"

	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// maxTestURL bounds the URL pasted into the pattern tester.
const maxTestURL = 2000

// matchResult is the pattern tester's answer: whether the authorization
// endpoint would accept url as this credential's redirect_uri, which rule
// accepts it, and what every rule says about it.
type matchResult struct {
	URL     string       `json:"url"`
	Matched bool         `json:"matched"`
	Rule    string       `json:"rule,omitempty"`
	Summary string       `json:"summary"`
	Rules   []ruleResult `json:"rules"`
}

// ruleResult is one registered rule's verdict.
type ruleResult struct {
	Kind    string `json:"kind"` // "exact" or "pattern"
	Rule    string `json:"rule"`
	Matched bool   `json:"matched"`
	Why     string `json:"why"`
}

// testMatch runs the authorization endpoint's own matching
// (oauth.MatchRedirectURI) on url, as a whole for the verdict and rule by
// rule for the explanation.
func testMatch(cl storage.Client, url string) matchResult {
	res := matchResult{URL: url, Rules: []ruleResult{}}
	m, ok := oauth.MatchRedirectURI(url, cl.RedirectURIs, cl.RedirectURIPatterns)
	res.Matched, res.Rule = ok, m.Rule
	for _, e := range cl.RedirectURIs {
		rr := ruleResult{Kind: "exact", Rule: e}
		em, ok := oauth.MatchRedirectURI(url, []string{e}, nil)
		rr.Matched = ok
		switch {
		case ok && em.Loopback:
			rr.Why = "Same loopback URI on another port: native apps may pick any port (RFC 8252 §7.3)."
		case ok:
			rr.Why = "Identical, character for character."
		default:
			rr.Why = differ(url, e)
		}
		res.Rules = append(res.Rules, rr)
	}
	for _, p := range cl.RedirectURIPatterns {
		rr := ruleResult{Kind: "pattern", Rule: p}
		_, rr.Matched = oauth.MatchRedirectURI(url, nil, []string{p})
		rr.Why = explainPattern(p, url, rr.Matched)
		res.Rules = append(res.Rules, rr)
	}
	switch {
	case url == "":
		res.Summary = "Paste a URL to test."
	case !ok:
		res.Summary = "No rule matches: the authorization endpoint would refuse this redirect URI."
	case m.Pattern:
		res.Summary = "Allowed by the pattern " + m.Rule
	case m.Loopback:
		res.Summary = "Allowed by the loopback redirect URI " + m.Rule + " (any port)"
	default:
		res.Summary = "Allowed by the redirect URI " + m.Rule
	}
	return res
}

// differ says where url first departs from the registered URI; exact
// redirect URIs are compared as strings (RFC 9700 §4.1.3).
func differ(url, registered string) string {
	i := 0
	for i < len(url) && i < len(registered) && url[i] == registered[i] {
		i++
	}
	switch {
	case i == len(registered):
		return fmt.Sprintf("The URL goes on after the registered URI (extra %q); exact URIs must be identical.", clip(url[i:]))
	case i == len(url):
		return fmt.Sprintf("The URL stops short of the registered URI (missing %q).", clip(registered[i:]))
	}
	return fmt.Sprintf("Differs at character %d: the URL has %q where the registered URI has %q.", i+1, clip(url[i:]), clip(registered[i:]))
}

func clip(s string) string {
	if utf8.RuneCountInString(s) <= 24 {
		return s
	}
	return string([]rune(s)[:24]) + "…"
}

// explainPattern says why a pattern does or does not accept url.
func explainPattern(expr, url string, matched bool) string {
	if _, err := oauth.CompilePattern(expr); err != nil {
		return "This pattern is not valid and never matches: " + err.Error()
	}
	if matched {
		return "The expression matches the whole URL, and the URL passes the safety checks."
	}
	// The pattern compiled above, so this cannot fail.
	re, err := regexp.Compile(`\A(?:` + expr + `)\z`)
	if err == nil && re.MatchString(url) {
		return "The expression matches, but the URL is refused before any pattern is tried: it has userinfo, a fragment, " +
			"a backslash, a space, a dot segment or an encoded / \\ . or @ (RFC 9700 §4.1.3)."
	}
	return "The expression does not match the whole URL (patterns are anchored at both ends)."
}

// testRedirect is the pattern tester without JavaScript: it re-renders
// the credential page with the verdict.
func (c *Console) testRedirect(w http.ResponseWriter, r *http.Request, a *adminUser) {
	if !c.parseForm(w, r, a) {
		return
	}
	cl, ok := c.loadCredential(w, r, a)
	if !ok {
		return
	}
	u := r.PostForm.Get("url")
	if len(u) > maxTestURL {
		c.showCredential(w, r, a, http.StatusBadRequest, cl, credentialExtras{TestURL: u[:maxTestURL],
			Errors: map[string]string{"url": fmt.Sprintf("A URL has at most %d characters.", maxTestURL)}})
		return
	}
	res := testMatch(cl, u)
	c.showCredential(w, r, a, http.StatusOK, cl, credentialExtras{TestURL: u, Test: &res})
}

// checkMatch is the pattern tester's JSON endpoint for console.js:
// fields csrf_token, client_id, url.
func (c *Console) checkMatch(w http.ResponseWriter, r *http.Request, a *adminUser) {
	if !c.parseJSONForm(w, r) {
		return
	}
	id := r.PostForm.Get("client_id")
	cl, err := c.o.Admin.GetClient(r.Context(), id)
	if err != nil {
		status := http.StatusInternalServerError
		if errors.Is(err, storage.ErrNotFound) {
			status = http.StatusNotFound
		} else {
			c.o.Log.Error("console: check match", "err", err)
		}
		writeJSON(w, status, map[string]string{"error": http.StatusText(status)})
		return
	}
	u := r.PostForm.Get("url")
	if len(u) > maxTestURL {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "url too long"})
		return
	}
	writeJSON(w, http.StatusOK, testMatch(cl, u))
}

// lineCheck is the verdict on one line of a redirect-URI or pattern box.
type lineCheck struct {
	Value   string `json:"value"`
	OK      bool   `json:"ok"`
	Message string `json:"message,omitempty"`
}

// checkRedirect validates redirect URIs or patterns as the admin service
// will on submit, with the same oauth functions, for live feedback:
// fields csrf_token, type (client type), kind ("uri" or "pattern"), value
// (one per line).
func (c *Console) checkRedirect(w http.ResponseWriter, r *http.Request, a *adminUser) {
	if !c.parseJSONForm(w, r) {
		return
	}
	typ := storage.ClientType(r.PostForm.Get("type"))
	kind := r.PostForm.Get("kind")
	if !typ.Valid() || (kind != "uri" && kind != "pattern") {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "type and kind are required"})
		return
	}
	out := []lineCheck{}
	for _, l := range lines(r.PostForm.Get("value")) {
		lc := lineCheck{Value: l, OK: true}
		var err error
		switch {
		case typ == storage.ClientService:
			lc.OK, lc.Message = false, "server-to-server clients have no redirect URIs"
		case kind == "uri":
			err = oauth.ValidateRedirectURI(l, typ == storage.ClientNative)
		default:
			_, err = oauth.CompilePattern(l)
		}
		if err != nil {
			lc.OK, lc.Message = false, err.Error()
		}
		out = append(out, lc)
	}
	writeJSON(w, http.StatusOK, map[string]any{"lines": out})
}

// parseJSONForm is parseForm for the JSON endpoints: failures are
// answered with a JSON error.
func (c *Console) parseJSONForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad form"})
		return false
	}
	if !c.o.CSRF.Valid(r) {
		writeJSON(w, http.StatusForbidden, map[string]string{"error": "csrf token missing or invalid"})
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
