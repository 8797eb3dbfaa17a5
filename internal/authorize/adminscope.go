package authorize

import (
	"slices"

	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// grantableScopes drops from scopes what user may not have: the admin
// scope (oauth.ScopeAdmin), unless the user is an administrator. The
// request goes on without it rather than failing, as RFC 6749 §3.3 lets
// the server grant less than asked (the token response's scope then says
// so), so one sign-in page serves admins and others alike. It runs before
// the consent check, so nobody is asked to approve what they cannot get;
// the admin API also checks the Admin flag again on every request, so a
// demoted administrator's tokens lose their power at once.
func grantableScopes(scopes []string, user storage.User) []string {
	if user.Admin || !slices.Contains(scopes, oauth.ScopeAdmin) {
		return scopes
	}
	return slices.DeleteFunc(slices.Clone(scopes), func(s string) bool { return s == oauth.ScopeAdmin })
}
