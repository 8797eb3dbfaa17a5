package tokenapi

import (
	"encoding/json"
	"testing"
)

// strs are strings that encoding/json writes in every way it can: plain,
// quoted, HTML-escaped, control characters, non-ASCII, invalid UTF-8.
var strs = []string{"", "a", "openid profile api:read", `q"uote`, `back\\slash`, "<script>&amp;", "a<b", "x>y", "a&b", "tab\tnl\nnul\x00del\x7f",
	"ünïcödé", "\u2028\u2029", "bad\xffutf8", "https://id.example.com", "eyJhbGciOiJFUzI1NiJ9.e30.sig"}

// TestIntrospectionJSON checks appendJSON against encoding/json.
func TestIntrospectionJSON(t *testing.T) {
	var cases []introspection
	cases = append(cases, introspection{}, introspection{Active: true})
	for i, s := range strs {
		other := strs[(i+3)%len(strs)]
		cases = append(cases,
			introspection{Active: true, Scope: s, ClientID: other, Username: s, TokenType: "Bearer", ExpiresAt: int64(i) * 1700000000,
				IssuedAt: -int64(i), Subject: other, Audience: s, Issuer: s, JWTID: other},
			introspection{Active: i%2 == 0, Scope: other, Audience: []string{s, other}, ExpiresAt: 1},
			introspection{Active: true, Audience: []string{}, JWTID: s},
			introspection{Active: true, Audience: []string(nil), Subject: s},
		)
	}
	for _, c := range cases {
		want, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.appendJSON(nil); string(got) != string(want) {
			t.Errorf("%+v:\n got %s\nwant %s", c, got, want)
		}
	}
}

// TestResponseJSON checks the token response's appendJSON against
// encoding/json.
func TestResponseJSON(t *testing.T) {
	for i, s := range strs {
		other := strs[(i+5)%len(strs)]
		for _, c := range []Response{
			{},
			{AccessToken: s, TokenType: "Bearer", ExpiresIn: int64(i) * 300},
			{AccessToken: other, TokenType: s, ExpiresIn: -1, Scope: s, IDToken: other, RefreshToken: s},
			{AccessToken: s, TokenType: "Bearer", Scope: other, RefreshToken: other},
		} {
			want, err := json.Marshal(&c)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.appendJSON(nil); string(got) != string(want) {
				t.Errorf("%+v:\n got %s\nwant %s", c, got, want)
			}
		}
	}
}

// BenchmarkIntrospectionEncode compares appendJSON with encoding/json on
// a typical active response.
func BenchmarkIntrospectionEncode(b *testing.B) {
	r := introspection{Active: true, Scope: "api:read api:write", ClientID: "svc-0123456789abcdef", TokenType: "Bearer",
		ExpiresAt: 1795000000, IssuedAt: 1794999400, Subject: "svc-0123456789abcdef", Audience: "https://id.example.com",
		Issuer: "https://id.example.com", JWTID: "abcdefghijklmnopqrstuvwxyz"}
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("appendJSON", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = r.appendJSON(make([]byte, 0, 512))
		}
	})
}
