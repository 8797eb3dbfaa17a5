package resource

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Claims are what a verified access token says: the JWT claims of
// RFC 9068 §2.2, or the members of an introspection response
// (RFC 7662 §2.2). Treat them as read-only.
type Claims struct {
	Subject  string   // sub: the user, or the client for a client's own token
	ClientID string   // client_id: the client the token was issued to
	Issuer   string   // iss
	Audience []string // aud
	// Scopes are the granted scopes: the space-separated scope claim
	// (RFC 9068 §2.2.3), or else an scp claim, which some issuers use.
	Scopes []string
	// Groups are the groups claim (RFC 9068 §2.2.3.1), when present.
	Groups    []string
	ID        string    // jti
	IssuedAt  time.Time // iat; zero when absent
	ExpiresAt time.Time // exp; zero only for an introspected token without exp
	// Raw holds every claim, or every member of the introspection
	// response, as encoding/json decodes into map[string]any (numbers are
	// float64).
	Raw map[string]any
}

// HasScope reports whether the token grants scope s.
func (c *Claims) HasScope(s string) bool { return slices.Contains(c.Scopes, s) }

type claimsKey struct{}

// ClaimsFrom returns the claims Require put in a request's context.
func ClaimsFrom(ctx context.Context) (*Claims, bool) {
	c, ok := ctx.Value(claimsKey{}).(*Claims)
	return c, ok
}

// WithClaims returns a copy of ctx carrying c, as Require does; useful in
// tests of handlers that read ClaimsFrom.
func WithClaims(ctx context.Context, c *Claims) context.Context {
	return context.WithValue(ctx, claimsKey{}, c)
}

// claimSet is a decoded JSON object, read member by member with exact
// names (encoding/json's struct decoding would match names without regard
// to case).
type claimSet map[string]json.RawMessage

func parseClaimSet(b []byte) (claimSet, map[string]any, error) {
	var set claimSet
	if err := json.Unmarshal(b, &set); err != nil {
		return nil, nil, err
	}
	if set == nil {
		return nil, nil, errors.New("not a JSON object")
	}
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, nil, err
	}
	return set, raw, nil
}

// str returns a string member; absent or null gives "".
func (s claimSet) str(name string) (string, error) {
	var v string
	if err := s.decode(name, &v); err != nil {
		return "", err
	}
	return v, nil
}

// strs returns a member that is a string or an array of strings; with
// split, a single string is a space-separated list (as scope is).
func (s claimSet) strs(name string, split bool) ([]string, error) {
	m, ok := s[name]
	if !ok || isNull(m) {
		return nil, nil
	}
	var one string
	if json.Unmarshal(m, &one) == nil {
		if split {
			return strings.Fields(one), nil
		}
		return []string{one}, nil
	}
	var many []string
	if err := json.Unmarshal(m, &many); err != nil {
		return nil, fmt.Errorf("claim %s is neither a string nor an array of strings", name)
	}
	return many, nil
}

// time returns a NumericDate member (RFC 7519 §2); absent gives zero.
func (s claimSet) time(name string) (time.Time, error) {
	m, ok := s[name]
	if !ok || isNull(m) {
		return time.Time{}, nil
	}
	var f float64
	if err := json.Unmarshal(m, &f); err != nil || math.IsNaN(f) || f < 0 || f > 1e11 {
		return time.Time{}, fmt.Errorf("claim %s is not a date", name)
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), nil
}

func (s claimSet) decode(name string, v any) error {
	m, ok := s[name]
	if !ok || isNull(m) {
		return nil
	}
	if err := json.Unmarshal(m, v); err != nil {
		return fmt.Errorf("claim %s has the wrong type", name)
	}
	return nil
}

func isNull(m json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(m), []byte("null")) }

// claims reads the registered claims every token kind shares.
func (s claimSet) claims(raw map[string]any) (*Claims, error) {
	c := &Claims{Raw: raw}
	var err error
	for _, f := range []struct {
		name string
		dst  *string
	}{{"sub", &c.Subject}, {"client_id", &c.ClientID}, {"iss", &c.Issuer}, {"jti", &c.ID}} {
		if *f.dst, err = s.str(f.name); err != nil {
			return nil, err
		}
	}
	if c.Audience, err = s.strs("aud", false); err != nil {
		return nil, err
	}
	if c.Scopes, err = s.strs("scope", true); err != nil {
		return nil, err
	}
	if _, ok := s["scope"]; !ok {
		if c.Scopes, err = s.strs("scp", true); err != nil {
			return nil, err
		}
	}
	if c.Groups, err = s.strs("groups", false); err != nil {
		return nil, err
	}
	if c.IssuedAt, err = s.time("iat"); err != nil {
		return nil, err
	}
	if c.ExpiresAt, err = s.time("exp"); err != nil {
		return nil, err
	}
	return c, nil
}
