package tokenapi

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzParseForm checks that parseForm, which decodes short bodies itself,
// answers every body exactly as ParseForm followed by SingleValues does:
// the same parameters, or an error for the same reason.
func FuzzParseForm(f *testing.F) {
	for _, seed := range []string{
		"", "&", "token=abc", "token=a%20b+c", "token=abc&token=abc", "token=&token=abc",
		"token", "=abc", "token=abc;x=1", "token=%zz", "a=%41&%61=2", "a=1&a=2&b=1",
		"grant_type=client_credentials&scope=api%3Aread&client_id=c&client_secret=s%2Bt",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		newReq := func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/token", strings.NewReader(body))
			r.Header.Set("Content-Type", formType)
			return r
		}
		want, wantErr := referenceForm(httptest.NewRecorder(), newReq())
		got, gotErr := parseForm(httptest.NewRecorder(), newReq())
		if (wantErr == nil) != (gotErr == nil) || wantErr != nil && anyName(wantErr) != anyName(gotErr) {
			t.Fatalf("%q: error %v, want %v", body, gotErr, wantErr)
		}
		if !maps.Equal(got, want) {
			t.Fatalf("%q: %v, want %v", body, got, want)
		}
	})
}
