package tokenapi

import (
	"context"
	"net/http"

	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// authenticate checks the presented credentials against the client's
// registration (RFC 6749 §2.3). Public clients authenticate with "none" and
// are bound by PKCE instead; confidential clients must present their secret.
func (h *Handler) authenticate(ctx context.Context, creds oauth.ClientCredentials) (storage.Client, error) {
	c, err := h.Store.GetClient(ctx, creds.ID)
	if isNotFound(err) {
		return storage.Client{}, clientFailure("client authentication failed")
	}
	if err != nil {
		return storage.Client{}, oauth.Internal(err)
	}
	if c.Type.Public() {
		if creds.Method != oauth.AuthNone {
			return storage.Client{}, clientFailure("this is a public client: send client_id only, without a secret")
		}
		return c, nil
	}
	if creds.Method == oauth.AuthNone {
		return storage.Client{}, clientFailure("this client must authenticate with its client secret")
	}
	if c.SecretHash == "" || !secret.Equal(secret.Hash(creds.Secret), c.SecretHash) {
		return storage.Client{}, clientFailure("client authentication failed")
	}
	return c, nil
}

// clientFailure is invalid_client with 401 and a Basic challenge: RFC 6749
// §5.2 requires it after a Basic attempt, and RFC 9110 §15.5.2 on every 401.
func clientFailure(desc string) error {
	return &oauth.Error{Code: oauth.InvalidClient, Description: desc, Status: http.StatusUnauthorized, Challenge: oauth.BasicChallenge}
}
