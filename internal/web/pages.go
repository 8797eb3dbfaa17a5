package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"unicode"
)

//go:embed templates/*.html
var templateFS embed.FS

// pageNames lists every page NewPages parses; each has templates/<name>.html.
var pageNames = []string{PageLogin, PageConsent, PageError, PageLogout, PageMessage, PageAccount}

// Pages renders the embedded templates. It is safe for concurrent use.
type Pages struct {
	pages map[string]*template.Template
	log   *slog.Logger // nil means slog.Default(); tests silence it
}

// NewPages parses every page once, each together with the shared layout, so
// a broken template fails at start-up rather than on a user's request.
func NewPages() (*Pages, error) {
	funcs := template.FuncMap{
		"asset":   assetURL,
		"initial": initial,
	}
	p := &Pages{pages: make(map[string]*template.Template, len(pageNames))}
	for _, name := range pageNames {
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS,
			"templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("parse page %s: %w", name, err)
		}
		for _, block := range []string{"layout", "title", "content"} {
			if t.Lookup(block) == nil {
				return nil, fmt.Errorf("parse page %s: no %q template", name, block)
			}
		}
		p.pages[name] = t
	}
	return p, nil
}

// Execute writes page, filled with data, to w. data must be the type the
// page's constant names (a value or non-nil pointer). Most callers want
// Render; Execute is for tests and tools.
func (p *Pages) Execute(w io.Writer, page string, data any) error {
	t, ok := p.pages[page]
	if !ok {
		return fmt.Errorf("unknown page %q", page)
	}
	if !accepts(page, data) {
		return fmt.Errorf("page %s: unexpected data type %T", page, data)
	}
	return t.ExecuteTemplate(w, "layout", data)
}

// Render writes page with the given status. The page is rendered to a buffer
// first, so a template error is logged and answered with a plain 500, never
// with half a page under a success status. Security headers are the job of
// SecureHeaders.
func (p *Pages) Render(w http.ResponseWriter, status int, page string, data any) {
	var buf bytes.Buffer
	if err := p.Execute(&buf, page, data); err != nil {
		log := p.log
		if log == nil {
			log = slog.Default()
		}
		log.Error("web: render page", "page", page, "err", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes()) // the client went away; nothing left to do
}

// initial returns the first letter or digit of the first non-empty argument,
// upper-cased, for the round avatar badges; "?" if there is none.
func initial(names ...string) string {
	for _, s := range names {
		for _, r := range strings.TrimSpace(s) {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				return string(unicode.ToUpper(r))
			}
		}
	}
	return "?"
}
