package oauth

import (
	"slices"
	"strings"
)

// The scopes every client may request (OpenID Connect Core §5.4, §11).
const (
	ScopeOpenID        = "openid"
	ScopeProfile       = "profile"
	ScopeEmail         = "email"
	ScopeOfflineAccess = "offline_access"
)

// ScopeAdmin grants Gatehouse's own admin API (/api/admin/v1). In a user's
// flow only administrators (User.Admin) get it; by client credentials any
// client registered with it does (automation).
const ScopeAdmin = "gatehouse:admin"

// StandardScopes are allowed for every client.
var StandardScopes = []string{ScopeOpenID, ScopeProfile, ScopeEmail, ScopeOfflineAccess}

// ParseScope splits a scope parameter (RFC 6749 §3.3): space-delimited,
// case-sensitive tokens of printable ASCII except '"' and '\'. Duplicates
// are dropped; order is kept.
func ParseScope(s string) ([]string, error) {
	out := []string{}
	for tok := range strings.SplitSeq(s, " ") {
		if tok == "" {
			continue
		}
		if !validScopeToken(tok) {
			return nil, Errorf(InvalidScope, "scope %q contains characters RFC 6749 §3.3 does not allow", truncate(tok, 40))
		}
		if !slices.Contains(out, tok) {
			out = append(out, tok)
		}
	}
	return out, nil
}

// ValidScopeName reports whether s can be registered as a scope.
func ValidScopeName(s string) bool { return s != "" && validScopeToken(s) }

func validScopeToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// JoinScope renders scopes as a scope parameter value.
func JoinScope(scopes []string) string { return strings.Join(scopes, " ") }

// ContainsAll reports whether have includes every scope in want.
func ContainsAll(have, want []string) bool {
	for _, s := range want {
		if !slices.Contains(have, s) {
			return false
		}
	}
	return true
}

// DescribeScope returns a plain-words description for the consent page.
func DescribeScope(scope string) string {
	switch scope {
	case ScopeOpenID:
		return "Confirm who you are (your account ID)"
	case ScopeProfile:
		return "See your name"
	case ScopeEmail:
		return "See your email address"
	case ScopeOfflineAccess:
		return "Stay connected when you are not using the app"
	case ScopeAdmin:
		return "Administer Gatehouse: projects, apps, users and signing keys"
	}
	return "Use the permission “" + scope + "”"
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
