package authorize

import (
	"context"
	"errors"
	"net/url"
	"slices"

	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// parseRequest is ParseRequest against the store, followed by the check
// of the resource parameter that needs the client's APIs: each value must
// be the Identifier of one of them, else invalid_target, redirected to the
// client (RFC 8707 §2).
func (h *Handler) parseRequest(ctx context.Context, params url.Values) (Request, storage.Client, error) {
	req, client, err := ParseRequest(params, func(id string) (storage.Client, error) {
		return h.Store.GetClient(ctx, id)
	})
	if err != nil || len(req.Resources) == 0 {
		return req, client, err
	}
	apis, err := h.clientAPIs(ctx, client)
	if err != nil {
		return req, client, err
	}
	for _, r := range req.Resources {
		if !slices.ContainsFunc(apis, func(a storage.API) bool { return a.Identifier == r }) {
			return req, client, oauth.Errorf(oauth.InvalidTarget, "resource %q is not an API this application may call", truncate(r, 80))
		}
	}
	return req, client, nil
}

// clientAPIs loads the APIs the client may call. An API that no longer
// exists is skipped (the store refuses to delete one a client lists).
func (h *Handler) clientAPIs(ctx context.Context, c storage.Client) ([]storage.API, error) {
	var out []storage.API
	for _, id := range c.APIs {
		a, err := h.Store.GetAPI(ctx, id)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, oauth.Internal(err)
		}
		out = append(out, a)
	}
	return out, nil
}

// apiScopeDescription is the description one of apis gives scope, if any
// defines it with a non-empty one.
func apiScopeDescription(apis []storage.API, scope string) (string, bool) {
	for _, a := range apis {
		for _, s := range a.Scopes {
			if s.Name == scope && s.Description != "" {
				return s.Description, true
			}
		}
	}
	return "", false
}
