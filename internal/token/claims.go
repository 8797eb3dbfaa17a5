package token

import (
	"slices"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// UserClaims returns the standard claims about u that the granted scopes
// release (OIDC Core §5.4), for the userinfo response and the ID token.
func UserClaims(u storage.User, scopes []string) map[string]any {
	c := map[string]any{"sub": u.ID}
	if slices.Contains(scopes, "profile") {
		if u.Name != "" {
			c["name"] = u.Name
		}
		c["updated_at"] = u.UpdatedAt.Unix()
	}
	if slices.Contains(scopes, "email") {
		c["email"] = u.Email
		// Addresses are entered by administrators, never confirmed by mail.
		c["email_verified"] = false
	}
	return c
}
