package loadgen

import (
	"io"
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/net/html"
)

// Form is an HTML form as a browser would submit it.
type Form struct {
	Action string // resolved against the page's URL
	Method string // GET or POST
	// Fields are the successful controls' names and values, submit
	// buttons excluded (see Buttons).
	Fields  url.Values
	Inputs  []Input
	Buttons []Button
}

// Input is a text-like control of a form.
type Input struct {
	Name, Type, ID, Autocomplete string
}

// Button is a submit control.
type Button struct {
	Name, Value, Text string
}

// ParseForms returns the forms of an HTML page found at base.
func ParseForms(r io.Reader, base *url.URL) ([]Form, error) {
	doc, err := html.Parse(r)
	if err != nil {
		return nil, err
	}
	var forms []Form
	var walk func(n *html.Node, f *Form)
	walk = func(n *html.Node, f *Form) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "form":
				forms = append(forms, newForm(n, base))
				f = &forms[len(forms)-1]
				for c := n.FirstChild; c != nil; c = c.NextSibling {
					walk(c, f)
				}
				// forms may have been reallocated by nested (invalid)
				// forms; f is not used after this point.
				return
			case "input":
				if f != nil {
					f.addInput(n)
				}
			case "button":
				if f != nil && strings.ToLower(attr(n, "type", "submit")) == "submit" {
					f.Buttons = append(f.Buttons, Button{Name: attr(n, "name", ""), Value: attr(n, "value", ""), Text: strings.TrimSpace(text(n))})
				}
			case "textarea":
				if f != nil && attr(n, "name", "") != "" {
					f.Fields.Add(attr(n, "name", ""), text(n))
				}
			case "select":
				if f != nil && attr(n, "name", "") != "" {
					f.Fields.Add(attr(n, "name", ""), selected(n))
				}
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, f)
		}
	}
	walk(doc, nil)
	return forms, nil
}

func newForm(n *html.Node, base *url.URL) Form {
	f := Form{Method: strings.ToUpper(attr(n, "method", "GET")), Fields: url.Values{}}
	if f.Method != "POST" {
		f.Method = "GET"
	}
	action := base
	if a := attr(n, "action", ""); a != "" {
		if u, err := base.Parse(a); err == nil {
			action = u
		}
	}
	f.Action = action.String()
	return f
}

func (f *Form) addInput(n *html.Node) {
	typ := strings.ToLower(attr(n, "type", "text"))
	name := attr(n, "name", "")
	switch typ {
	case "submit", "image":
		f.Buttons = append(f.Buttons, Button{Name: name, Value: attr(n, "value", ""), Text: attr(n, "value", "")})
		return
	case "button", "reset", "file":
		return
	case "checkbox", "radio":
		if _, checked := attrOK(n, "checked"); !checked || name == "" {
			return
		}
	}
	f.Inputs = append(f.Inputs, Input{Name: name, Type: typ, ID: attr(n, "id", ""), Autocomplete: attr(n, "autocomplete", "")})
	if name != "" {
		f.Fields.Add(name, attr(n, "value", ""))
	}
}

// usernameHint matches the names of username fields.
var usernameHint = regexp.MustCompile(`(?i)user|email|login|identifier|account`)

// FillLogin finds the page's login form (the one with a password field),
// fills its username field (type email, autocomplete="username" or a
// name that says so, else the first text field) and password, and
// returns it; ok is false when the page has no login form.
func FillLogin(forms []Form, username, password string) (f Form, ok bool) {
	for _, f := range forms {
		pw, user, rank := "", "", 0
		for _, in := range f.Inputs {
			if in.Type == "password" {
				if pw == "" {
					pw = in.Name
				}
				continue
			}
			if r := usernameRank(in); r > rank {
				user, rank = in.Name, r
			}
		}
		if pw == "" {
			continue
		}
		f.Fields = cloneValues(f.Fields)
		f.Fields.Set(pw, password)
		if user != "" {
			f.Fields.Set(user, username)
		}
		if len(f.Buttons) > 0 && f.Buttons[0].Name != "" {
			f.Fields.Set(f.Buttons[0].Name, f.Buttons[0].Value)
		}
		return f, true
	}
	return Form{}, false
}

// usernameRank says how surely in is the username field: 4 by its
// autocomplete token, 3 by type email, 2 by its name, 1 as a text field,
// 0 not at all.
func usernameRank(in Input) int {
	switch {
	case in.Name == "":
		return 0
	case in.Autocomplete == "username" || in.Autocomplete == "email":
		return 4
	case in.Type == "email":
		return 3
	case (in.Type == "text" || in.Type == "tel") && usernameHint.MatchString(in.Name+" "+in.ID):
		return 2
	case in.Type == "text":
		return 1
	}
	return 0
}

// approveHint matches the button that grants consent.
var approveHint = regexp.MustCompile(`(?i)approve|allow|accept|authori[sz]e|grant|consent|confirm|yes|continue`)

// FindConsent finds a consent form (one without a password field whose
// submit button approves) and returns it with that button pressed; ok is
// false when there is none.
func FindConsent(forms []Form) (f Form, ok bool) {
	for _, f := range forms {
		if f.Method != "POST" || hasPassword(f) {
			continue
		}
		for _, b := range f.Buttons {
			if approveHint.MatchString(b.Name+" "+b.Value+" "+b.Text) && !strings.Contains(strings.ToLower(b.Value+b.Text), "deny") {
				f.Fields = cloneValues(f.Fields)
				if b.Name != "" {
					f.Fields.Set(b.Name, b.Value)
				}
				return f, true
			}
		}
	}
	return Form{}, false
}

func hasPassword(f Form) bool {
	for _, in := range f.Inputs {
		if in.Type == "password" {
			return true
		}
	}
	return false
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func attr(n *html.Node, key, def string) string {
	if v, ok := attrOK(n, key); ok {
		return v
	}
	return def
}

func attrOK(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return a.Val, true
		}
	}
	return "", false
}

func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// selected is the value of a select's selected option, else its first.
func selected(n *html.Node) string {
	first, found := "", false
	var walk func(*html.Node) (string, bool)
	walk = func(n *html.Node) (string, bool) {
		if n.Type == html.ElementNode && n.Data == "option" {
			v, ok := attrOK(n, "value")
			if !ok {
				v = strings.TrimSpace(text(n))
			}
			if _, sel := attrOK(n, "selected"); sel {
				return v, true
			}
			if !found {
				first, found = v, true
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if v, ok := walk(c); ok {
				return v, true
			}
		}
		return "", false
	}
	if v, ok := walk(n); ok {
		return v
	}
	return first
}
