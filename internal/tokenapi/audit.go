package tokenapi

import (
	"context"
	"errors"

	"github.com/gatehouse-dev/gatehouse/internal/audit"
	"github.com/gatehouse-dev/gatehouse/internal/oauth"
)

// auditAuthFailure records a failed client authentication (invalid_client,
// RFC 6749 §5.2) at endpoint: the claimed client_id and the method, never
// the secret or assertion. Other errors (a database outage) are not the
// client's doing and are not recorded.
func (h *Handler) auditAuthFailure(ctx context.Context, endpoint string, creds oauth.ClientCredentials, err error) {
	var oe *oauth.Error
	if !errors.As(err, &oe) || oe.Code != oauth.InvalidClient {
		return
	}
	h.Audit.Record(ctx, audit.Event{Action: audit.ClientAuthFailure, Actor: audit.ActorAnonymous, ClientID: creds.ID,
		Details: map[string]any{"endpoint": endpoint, "method": creds.Method}})
}
