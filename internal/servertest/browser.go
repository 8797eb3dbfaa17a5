package servertest

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// Browser is an HTTP client with cookies that follows redirects within
// the server and stops at the first redirect that leaves it (to a client's
// redirect URI), as the user's browser would hand over to the app.
type Browser struct {
	t    testing.TB
	env  *Env
	HTTP *http.Client
}

// Page is a response the browser stopped at.
type Page struct {
	URL      *url.URL
	Status   int
	Header   http.Header
	Body     string
	Location *url.URL // set when the server redirected out of itself
}

// Browser returns a new browser with an empty cookie jar.
func (e *Env) Browser() *Browser {
	jar, _ := cookiejar.New(nil)
	b := &Browser{t: e.t, env: e}
	b.HTTP = &http.Client{
		Jar: jar,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if !strings.HasPrefix(req.URL.String(), e.URL+"/") {
				return http.ErrUseLastResponse
			}
			return nil
		},
	}
	return b
}

// Get loads a URL.
func (b *Browser) Get(rawURL string) *Page {
	b.t.Helper()
	resp, err := b.HTTP.Get(rawURL)
	if err != nil {
		b.t.Fatalf("GET %s: %v", rawURL, err)
	}
	return b.page(resp)
}

// PostForm posts a form the way Chromium posts one of our pages' forms:
// under Referrer-Policy: no-referrer it sends "Origin: null", with
// Sec-Fetch-Site telling where the post came from.
func (b *Browser) PostForm(rawURL string, v url.Values) *Page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, rawURL, strings.NewReader(v.Encode()))
	if err != nil {
		b.t.Fatalf("POST %s: %v", rawURL, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "null")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := b.HTTP.Do(req)
	if err != nil {
		b.t.Fatalf("POST %s: %v", rawURL, err)
	}
	return b.page(resp)
}

func (b *Browser) page(resp *http.Response) *Page {
	b.t.Helper()
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatalf("read body: %v", err)
	}
	p := &Page{URL: resp.Request.URL, Status: resp.StatusCode, Header: resp.Header, Body: string(body)}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		loc, err := resp.Location()
		if err != nil {
			b.t.Fatalf("redirect without Location: %v", err)
		}
		p.Location = loc
	}
	return p
}

// Submit fills the page's form that posts to action with fields (on top of
// its hidden inputs), presses the button with the given name and value
// (name "" for none), and returns where the browser ends up.
func (b *Browser) Submit(p *Page, action string, fields map[string]string, button, value string) *Page {
	b.t.Helper()
	f := p.Form(b.t, action)
	for k, v := range fields {
		f.Set(k, v)
	}
	if button != "" {
		f.Set(button, value)
	}
	target, _ := p.URL.Parse(action)
	return b.PostForm(target.String(), f)
}

// Form returns the values a browser would send for the page's form whose
// action is action: every named input with its value (submit buttons
// excluded, as only the pressed one is sent).
func (p *Page) Form(t testing.TB, action string) url.Values {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(p.Body))
	if err != nil {
		t.Fatalf("parse page: %v", err)
	}
	var form *html.Node
	for n := range doc.Descendants() {
		if n.Type == html.ElementNode && n.Data == "form" && attr(n, "action") == action {
			form = n
			break
		}
	}
	if form == nil {
		t.Fatalf("no form with action %q on page %s (status %d):\n%s", action, p.URL, p.Status, p.Body)
	}
	v := url.Values{}
	for n := range form.Descendants() {
		if n.Type != html.ElementNode || n.Data != "input" {
			continue
		}
		name, typ := attr(n, "name"), attr(n, "type")
		if name == "" || typ == "submit" {
			continue
		}
		v.Set(name, attr(n, "value"))
	}
	return v
}

// HasForm reports whether the page has a form posting to action.
func (p *Page) HasForm(action string) bool {
	return strings.Contains(p.Body, `action="`+action+`"`)
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}
