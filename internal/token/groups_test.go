package token

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestAccessTokenGroups checks the groups claim of RFC 9068 §2.2.3.1: a
// user's groups are listed, and a token minted without groups (a client's
// own token, or a user in no group) has no groups claim at all.
func TestAccessTokenGroups(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	s, _ := newService(t, func() time.Time { return now })
	for _, tc := range []struct {
		name   string
		groups []string
		want   []string // nil: no claim
	}{
		{"user with groups", []string{"editor", "staff"}, []string{"editor", "staff"}},
		{"user in no group", []string{}, nil},
		{"client credentials", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := s.MintAccessToken(context.Background(), AccessParams{
				Subject: "u1", ClientID: "c1", Audience: []string{issuer}, Scopes: []string{"openid"}, TTL: time.Minute, Groups: tc.groups,
			})
			if err != nil {
				t.Fatal(err)
			}
			payload, err := base64.RawURLEncoding.DecodeString(strings.Split(m.Raw, ".")[1])
			if err != nil {
				t.Fatal(err)
			}
			var claims map[string]json.RawMessage
			if err := json.Unmarshal(payload, &claims); err != nil {
				t.Fatal(err)
			}
			raw, ok := claims["groups"]
			if tc.want == nil {
				if ok {
					t.Fatalf("groups = %s, want no groups claim", raw)
				}
				return
			}
			var got []string
			if err := json.Unmarshal(raw, &got); err != nil {
				t.Fatalf("groups claim %s is not an array of strings: %v", raw, err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("groups = %q, want %q", got, tc.want)
			}
		})
	}
}
