package tokenapi

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/gatehouse-dev/gatehouse/internal/oauth"
)

// referenceForm is what parseForm replaced: http.Request.ParseForm and
// oauth.SingleValues.
func referenceForm(w http.ResponseWriter, r *http.Request) (map[string]string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	if err := r.ParseForm(); err != nil {
		return nil, badForm()
	}
	return oauth.SingleValues(r.PostForm)
}

// TestParseFormMatchesParseForm checks that parseForm answers every body
// (and URL query) as ParseForm followed by SingleValues did.
func TestParseFormMatchesParseForm(t *testing.T) {
	bodies := []string{
		"", "&", "&&", "token=abc", "token=abc&token_type_hint=access_token", "token=a%20b+c",
		"token=abc&token=abc", "token=abc&token=", "token=&token=abc", "token=&token=",
		"token", "=abc", "token=abc;x=1", ";", "token=%zz", "token%zz=1", "a=1&b=%",
		"token=abc&client_id=c&client_secret=s%2Bt", "a=1&a=2&b=1&b=2", "a=%41&%61=2",
		"token=abc&" + strings.Repeat("x=&", 70), "token=abc&" + strings.Repeat("x=1&", 70),
		strings.Repeat("a", maxBodyBytes+1),
	}
	for _, body := range bodies {
		for _, target := range []string{"/introspect", "/introspect?a=1", "/introspect?a=%zz", "/introspect?a;b"} {
			newReq := func() *http.Request {
				r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				return r
			}
			want, wantErr := referenceForm(httptest.NewRecorder(), newReq())
			got, gotErr := parseForm(httptest.NewRecorder(), newReq())
			name := excerptOf(body) + " at " + target
			if (wantErr == nil) != (gotErr == nil) || wantErr != nil && anyName(wantErr) != anyName(gotErr) {
				t.Errorf("%s: error %v, want %v", name, gotErr, wantErr)
				continue
			}
			if !maps.Equal(got, want) {
				t.Errorf("%s: %v, want %v", name, got, want)
			}
		}
	}
}

// TestReadFormContentTypes checks the content types the endpoints accept.
func TestReadFormContentTypes(t *testing.T) {
	for ct, ok := range map[string]bool{
		"application/x-www-form-urlencoded":                true,
		"APPLICATION/X-WWW-FORM-URLENCODED":                true,
		"application/x-www-form-urlencoded; charset=UTF-8": true,
		"application/x-www-form-urlencoded;":               true,
		"":                                                 false,
		"application/json":                                 false,
		"application/x-www-form-urlencoded; =":             false,
		"multipart/form-data; boundary=x":                  false,
	} {
		r := httptest.NewRequest(http.MethodPost, "/token", strings.NewReader("grant_type=client_credentials&resource=a&resource=b"))
		r.Header.Set("Content-Type", ct)
		form, err := readForm(httptest.NewRecorder(), r)
		if (err == nil) != ok {
			t.Errorf("Content-Type %q: error %v, want accepted %v", ct, err, ok)
			continue
		}
		if ok && (len(form["resource"]) != 2 || r.PostForm.Get("grant_type") != "client_credentials") {
			t.Errorf("Content-Type %q: form %v, PostForm %v", ct, form, r.PostForm)
		}
	}
}

// anyName is err's text without the parameter name it quotes: with
// several repeated parameters, SingleValues names whichever one map
// iteration met first.
func anyName(err error) string {
	return quoted.ReplaceAllString(err.Error(), `"…"`)
}

var quoted = regexp.MustCompile(`"[^"]*"`)

func excerptOf(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
