package metrics

import (
	"net/http"
	"testing"
)

func TestLoginOutcome(t *testing.T) {
	for _, tc := range []struct {
		status  int
		cookies []string
		want    string
	}{
		{http.StatusSeeOther, []string{"gatehouse_session=abc; Path=/; HttpOnly"}, "success"},
		{http.StatusOK, []string{"gatehouse_csrf=x", "__Host-gatehouse_session=abc; Path=/"}, "success"},
		{http.StatusOK, []string{"gatehouse_csrf=x"}, "failure"},
		{http.StatusOK, []string{"gatehouse_session=; Max-Age=0"}, "failure"},
		{http.StatusSeeOther, nil, "failure"},
		{http.StatusBadRequest, nil, "failure"},
		{http.StatusTooManyRequests, nil, "throttled"},
		{http.StatusInternalServerError, []string{"gatehouse_session=abc"}, "error"},
	} {
		h := http.Header{}
		for _, c := range tc.cookies {
			h.Add("Set-Cookie", c)
		}
		if got := loginOutcome(tc.status, startsSession(h)); got != tc.want {
			t.Errorf("status %d, cookies %q: outcome %q, want %q", tc.status, tc.cookies, got, tc.want)
		}
	}
}

func TestGrantLabel(t *testing.T) {
	for in, want := range map[string]string{
		"authorization_code": "authorization_code",
		"refresh_token":      "refresh_token",
		"client_credentials": "client_credentials",
		"":                   "other",
		"password":           "other",
		"Client_Credentials": "other",
	} {
		if got := grantLabel(in); got != want {
			t.Errorf("grantLabel(%q) = %q, want %q", in, got, want)
		}
	}
}
