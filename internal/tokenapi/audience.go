package tokenapi

import (
	"context"
	"slices"

	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// target is what an access token is for: the APIs its client may call
// and, when the request named some with the resource parameter (RFC 8707
// §2.2), those.
type target struct {
	issuer    string
	apis      []storage.API // the client's APIs
	requested []storage.API // the resource parameter's APIs; nil if absent
}

// loadTarget loads the client's APIs and resolves the resource values of
// the request against them: each must be the Identifier of one of the
// client's APIs, else invalid_target (RFC 8707 §2). A client without APIs
// therefore accepts no resource at all.
func (h *Handler) loadTarget(ctx context.Context, c storage.Client, resources []string) (target, error) {
	t := target{issuer: h.Tokens.Issuer()}
	for _, id := range c.APIs {
		a, err := h.Store.GetAPI(ctx, id)
		if isNotFound(err) {
			// The store refuses to delete an API a client lists; should
			// one vanish anyway, it is simply not callable.
			continue
		}
		if err != nil {
			return target{}, oauth.Internal(err)
		}
		t.apis = append(t.apis, a)
	}
	for _, r := range resources {
		i := slices.IndexFunc(t.apis, func(a storage.API) bool { return a.Identifier == r })
		if i < 0 {
			return target{}, oauth.Errorf(oauth.InvalidTarget, "resource %q is not an API this client may call", truncate(r, 80))
		}
		t.requested = append(t.requested, t.apis[i])
	}
	return t, nil
}

// apply returns the scopes and audience of an access token for granted.
//
// Without a resource parameter, aud is the Identifier of every client API
// that defines at least one of the scopes; when none does (say, only
// openid and profile), or the client has no APIs at all, aud is the
// issuer, whose userinfo endpoint is then the resource.
//
// With resource parameters, aud is exactly their APIs' Identifiers, and
// the token is downscoped to them (RFC 8707 §2.2): a scope defined only
// by other APIs of the client is dropped; scopes no API defines (the
// OpenID scopes) are kept.
func (t target) apply(granted []string) (scopes, aud []string) {
	if len(t.requested) > 0 {
		scopes = make([]string, 0, len(granted))
		for _, s := range granted {
			if !definedBy(t.apis, s) || definedBy(t.requested, s) {
				scopes = append(scopes, s)
			}
		}
		return scopes, identifiers(t.requested)
	}
	var hit []storage.API
	for _, a := range t.apis {
		if slices.ContainsFunc(granted, func(s string) bool { return definedBy([]storage.API{a}, s) }) {
			hit = append(hit, a)
		}
	}
	if len(hit) == 0 {
		return granted, []string{t.issuer}
	}
	return granted, identifiers(hit)
}

// definedBy reports whether one of apis defines scope.
func definedBy(apis []storage.API, scope string) bool {
	for _, a := range apis {
		if slices.ContainsFunc(a.Scopes, func(s storage.APIScope) bool { return s.Name == scope }) {
			return true
		}
	}
	return false
}

func identifiers(apis []storage.API) []string {
	out := make([]string, 0, len(apis))
	for _, a := range apis {
		out = append(out, a.Identifier)
	}
	return out
}
