package console

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/admin"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
	"github.com/gatehouse-dev/gatehouse/internal/web"
)

//go:embed templates/*.html
var templateFS embed.FS

// pageNames lists the templates: templates/<name>.html, each parsed with
// the layout and the shared fields (templates/fields.html).
var pageNames = []string{
	"projects", "project", "project_edit", "api_new", "credential_new", "credential",
	"credential_delete", "users", "user", "user_delete", "groups", "keys", "message", "signedout",
}

// maxFormBytes bounds every form body.
const maxFormBytes = 64 << 10

type pages struct{ t map[string]*template.Template }

func newPages() (*pages, error) {
	funcs := template.FuncMap{
		"asset": func(name string) (string, error) {
			if u := web.AssetPath(name); u != "" {
				return u, nil
			}
			return "", fmt.Errorf("no static file %q", name)
		},
		"date":     func(t time.Time) string { return t.UTC().Format("2 Jan 2006") },
		"datetime": func(t time.Time) string { return t.UTC().Format("2 Jan 2006 15:04 UTC") },
		"iso":      func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"typeName": typeName,
		"join":     strings.Join,
	}
	p := &pages{t: map[string]*template.Template{}}
	for _, name := range pageNames {
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/fields.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("console: parse page %s: %w", name, err)
		}
		p.t[name] = t
	}
	return p, nil
}

// view is what every page template gets: the frame (title, navigation,
// the signed-in user, the CSRF token) and the page's own Data.
type view struct {
	Title   string
	Section string // highlighted navigation entry
	User    *adminUser
	CSRF    string
	Notice  string
	Data    any
}

// render writes a page. A template error becomes a plain 500, logged.
func (c *Console) render(w http.ResponseWriter, r *http.Request, a *adminUser, status int, page, title string, data any) {
	c.renderView(w, r, status, page, view{Title: title, User: a, Data: data})
}

func (c *Console) renderView(w http.ResponseWriter, r *http.Request, status int, page string, v view) {
	t, ok := c.pages.t[page]
	if !ok {
		c.o.Log.Error("console: unknown page", "page", page)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	v.CSRF = c.o.CSRF.Token(w, r)
	if v.Section == "" {
		v.Section = sectionOf(page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		c.o.Log.Error("console: render page", "page", page, "err", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func sectionOf(page string) string {
	switch page {
	case "users":
		return "users"
	case "groups":
		return "groups"
	case "keys":
		return "keys"
	}
	return "projects"
}

// messageData fills the message page.
type messageData struct {
	Message string
	Back    bool // offer a link back to the console
	SignIn  bool // offer to sign in again
	Switch  bool // offer to sign in with another account
}

// fail shows a message page with status.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, a *adminUser, status int, title, msg string) {
	c.render(w, r, a, status, "message", title, messageData{Message: msg, Back: a != nil, SignIn: a == nil})
}

// forbidden tells a signed-in non-administrator why the console is closed.
func (c *Console) forbidden(w http.ResponseWriter, r *http.Request, email string) {
	who := "This account"
	if email != "" {
		who = "The account " + email
	}
	c.render(w, r, nil, http.StatusForbidden, "message", "Administrators only", messageData{
		Message: who + " is not a Gatehouse administrator. Ask an administrator to grant you access, or sign in with another account.",
		Switch:  true,
	})
}

// serverError logs err and shows a generic 500 page.
func (c *Console) serverError(w http.ResponseWriter, r *http.Request, a *adminUser, err error) {
	c.o.Log.Error("console", "path", r.URL.Path, "err", err)
	c.fail(w, r, a, http.StatusInternalServerError, "Something went wrong", "The console could not complete this request. Try again in a moment.")
}

// storeError answers a failed lookup: 404 for a missing record, 409 for
// one still in use, 500 otherwise.
func (c *Console) storeError(w http.ResponseWriter, r *http.Request, a *adminUser, what string, err error) {
	switch {
	case errors.Is(err, storage.ErrNotFound):
		c.fail(w, r, a, http.StatusNotFound, what+" not found", "It may have been deleted. Go back to the projects list.")
	case errors.Is(err, storage.ErrInUse):
		c.fail(w, r, a, http.StatusConflict, what+" is in use", "Delete what still refers to it first.")
	default:
		c.serverError(w, r, a, err)
	}
}

// parseForm reads a posted form and checks its CSRF token. On failure it
// has answered (403 page) and returns false.
func (c *Console) parseForm(w http.ResponseWriter, r *http.Request, a *adminUser) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		c.fail(w, r, a, http.StatusBadRequest, "This form could not be read", "Go back and try again.")
		return false
	}
	if !c.o.CSRF.Valid(r) {
		c.fail(w, r, a, http.StatusForbidden, "This form has expired",
			"For your security the form could not be accepted. Go back, reload the page and try again.")
		return false
	}
	return true
}

// fieldErrors maps a validation error to its field; any other error is
// returned as is.
func fieldErrors(err error) (map[string]string, error) {
	var ve *admin.ValidationError
	if errors.As(err, &ve) {
		return map[string]string{ve.Field: ve.Message}, nil
	}
	return nil, err
}

// lines splits a textarea into its non-empty trimmed lines.
func lines(s string) []string {
	var out []string
	for l := range strings.SplitSeq(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// typeName is a credential type as the console names it.
func typeName(t storage.ClientType) string {
	for _, k := range credentialKinds {
		if k.Type == t {
			return k.Name
		}
	}
	return string(t)
}
