package web

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func newPages(t *testing.T) *Pages {
	t.Helper()
	p, err := NewPages()
	if err != nil {
		t.Fatal(err)
	}
	p.log = slog.New(slog.DiscardHandler)
	return p
}

// render renders page through Render and returns the recorder.
func render(t *testing.T, page string, data any) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	newPages(t).Render(rec, http.StatusOK, page, data)
	return rec
}

// body renders page and fails unless that succeeded.
func body(t *testing.T, page string, data any) string {
	t.Helper()
	rec := render(t, page, data)
	if rec.Code != http.StatusOK {
		t.Fatalf("render %s: status %d: %s", page, rec.Code, rec.Body)
	}
	return rec.Body.String()
}

var (
	tagRe  = regexp.MustCompile(`<(input|button|form|a|script|link)\b([^>]*)>`)
	attrRe = regexp.MustCompile(`([a-zA-Z-]+)(?:="([^"]*)")?`)
)

// element is one start tag found in rendered output.
type element struct {
	tag   string
	attrs map[string]string
}

// elements lists the start tags of the given kind, in document order. The
// templates are ours and well-formed, so a regular expression is enough.
func elements(html, tag string) []element {
	var out []element
	for _, m := range tagRe.FindAllStringSubmatch(html, -1) {
		if m[1] != tag {
			continue
		}
		e := element{tag: tag, attrs: map[string]string{}}
		for _, a := range attrRe.FindAllStringSubmatch(m[2], -1) {
			e.attrs[a[1]] = a[2]
		}
		out = append(out, e)
	}
	return out
}

// hidden returns the hidden inputs by name.
func hidden(html string) map[string]string {
	m := map[string]string{}
	for _, e := range elements(html, "input") {
		if e.attrs["type"] == "hidden" {
			m[e.attrs["name"]] = e.attrs["value"]
		}
	}
	return m
}

func wantContains(t *testing.T, html string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(html, s) {
			t.Errorf("page lacks %q", s)
		}
	}
}

func wantForm(t *testing.T, html, action string) {
	t.Helper()
	forms := elements(html, "form")
	if len(forms) != 1 {
		t.Fatalf("got %d forms, want 1", len(forms))
	}
	if f := forms[0].attrs; f["method"] != "post" || f["action"] != action {
		t.Errorf("form method=%q action=%q, want post %s", f["method"], f["action"], action)
	}
}

func TestEveryPageHasTheShell(t *testing.T) {
	for _, s := range samples() {
		t.Run(s.name, func(t *testing.T) {
			rec := render(t, s.page, s.data)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d", rec.Code)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			html := rec.Body.String()
			wantContains(t, html, `<!doctype html>`, `<html lang="en">`, ` · Gatehouse</title>`,
				`name="viewport"`, AssetPath("base.css"), AssetPath("gatehouse.css"), AssetPath("gatehouse.js"),
				AssetPath("favicon.svg"), `<main class="card">`, "Gatehouse</span>")
			// The CSP forbids inline code and styles: nothing may rely on them.
			for _, sc := range elements(html, "script") {
				if sc.attrs["src"] == "" {
					t.Errorf("inline <script> found")
				}
			}
			if regexp.MustCompile(`\s(style|on[a-z]+)=`).MatchString(html) {
				t.Errorf("inline style or event handler found")
			}
			if strings.Contains(html, "<style") {
				t.Errorf("<style> element found")
			}
		})
	}
}

func TestRenderStatusAndLength(t *testing.T) {
	rec := httptest.NewRecorder()
	newPages(t).Render(rec, http.StatusBadRequest, PageError, ErrorData{Title: "Bad"})
	if rec.Code != http.StatusBadRequest {
		t.Errorf("status %d, want 400", rec.Code)
	}
	if got, want := rec.Header().Get("Content-Length"), strconv.Itoa(rec.Body.Len()); got != want {
		t.Errorf("Content-Length %s, body %s bytes", got, want)
	}
}

func TestRenderPointerData(t *testing.T) {
	html := body(t, PageMessage, &MessageData{Title: "Done", Message: "All set."})
	wantContains(t, html, "Done", "All set.")
}

// A caller's mistake must give a plain 500, never a partial page.
func TestRenderFailures(t *testing.T) {
	tests := []struct {
		name, page string
		data       any
	}{
		{"unknown page", "nope", MessageData{}},
		{"wrong data type", PageConsent, LoginData{}},
		{"nil data", PageLogin, nil},
		{"nil pointer", PageLogin, (*LoginData)(nil)},
		{"map data", PageMessage, map[string]string{"Title": "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logged strings.Builder
			p := newPages(t)
			p.log = slog.New(slog.NewTextHandler(&logged, nil))
			rec := httptest.NewRecorder()
			p.Render(rec, http.StatusOK, tt.page, tt.data)
			if !strings.Contains(logged.String(), "render page") {
				t.Errorf("failure not logged")
			}
			if rec.Code != http.StatusInternalServerError {
				t.Errorf("status %d, want 500", rec.Code)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
				t.Errorf("Content-Type %q, want text/plain", ct)
			}
			if strings.Contains(rec.Body.String(), "<") {
				t.Errorf("body has markup: %q", rec.Body)
			}
		})
	}
}

func TestInitial(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{[]string{"ada", "x@y"}, "A"},
		{[]string{"", "bob@example.com"}, "B"},
		{[]string{"  élodie"}, "É"},
		{[]string{"<script>"}, "S"},
		{[]string{"", ""}, "?"},
		{nil, "?"},
	}
	for _, tt := range tests {
		if got := initial(tt.in...); got != tt.want {
			t.Errorf("initial(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
