package admin

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/gatehouse-dev/gatehouse/internal/audit"
	"github.com/gatehouse-dev/gatehouse/internal/oauth"
	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// APIInput is the input to CreateAPI and UpdateAPI. UpdateAPI ignores
// ProjectID: an API stays in the project it was created in.
type APIInput struct {
	ProjectID string
	Name      string
	// Identifier is the audience of the API's tokens: an absolute https
	// URI (http only on loopback hosts, for development) without a
	// fragment, as RFC 8707 §2 requires of resource indicators.
	Identifier string
	Scopes     []storage.APIScope
}

const (
	maxIdentifierLen       = 2000
	maxScopeDescriptionLen = 200
)

func validateAPI(in APIInput) (storage.API, error) {
	name := strings.TrimSpace(in.Name)
	if name == "" || utf8.RuneCountInString(name) > maxNameLen || !plainText(name) {
		return storage.API{}, invalid("name", "a name of 1 to %d characters of text is required", maxNameLen)
	}
	if err := validateIdentifier(in.Identifier); err != nil {
		return storage.API{}, err
	}
	scopes := make([]storage.APIScope, 0, len(in.Scopes))
	for i, sc := range in.Scopes {
		sc.Name = strings.TrimSpace(sc.Name)
		sc.Description = strings.TrimSpace(sc.Description)
		switch {
		case !oauth.ValidScopeName(sc.Name):
			return storage.API{}, invalidItem("scope", i+1, "%q is not a valid scope name (printable ASCII, no spaces, quotes or backslashes)", sc.Name)
		case slices.Contains(oauth.StandardScopes, sc.Name):
			return storage.API{}, invalidItem("scope", i+1, "%q is an OpenID Connect scope, which every client may request; an API cannot define it", sc.Name)
		case slices.ContainsFunc(scopes, func(o storage.APIScope) bool { return o.Name == sc.Name }):
			return storage.API{}, invalidItem("scope", i+1, "%q is listed twice", sc.Name)
		case utf8.RuneCountInString(sc.Description) > maxScopeDescriptionLen || !plainText(sc.Description):
			return storage.API{}, invalidItem("scope", i+1, "the description of %q must be at most %d characters of text", sc.Name, maxScopeDescriptionLen)
		}
		scopes = append(scopes, sc)
	}
	return storage.API{Name: name, Identifier: in.Identifier, Scopes: scopes}, nil
}

// validateIdentifier checks an API identifier: an absolute URI (RFC 8707
// §2) with a host, https but on loopback hosts, no fragment, no userinfo.
func validateIdentifier(id string) error {
	const rule = "an absolute https URI without a fragment is required (http only for localhost), e.g. https://api.example.com"
	if id == "" || len(id) > maxIdentifierLen || !plainText(id) || strings.ContainsAny(id, " #") {
		return invalid("identifier", "%s", rule)
	}
	u, err := url.Parse(id)
	if err != nil || !u.IsAbs() || u.Host == "" || u.User != nil || u.Opaque != "" {
		return invalid("identifier", "%s", rule)
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !loopbackHost(u.Hostname()) {
			return invalid("identifier", "http is allowed only on loopback hosts; %s", rule)
		}
	default:
		return invalid("identifier", "%s", rule)
	}
	return nil
}

// loopbackHost reports whether host is localhost or a loopback IP address.
func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// CreateAPI validates and stores a new API of an existing project.
func (s *Service) CreateAPI(ctx context.Context, in APIInput) (storage.API, error) {
	a, err := validateAPI(in)
	if err != nil {
		return storage.API{}, err
	}
	if err := s.checkProject(ctx, in.ProjectID); err != nil {
		return storage.API{}, err
	}
	a.ID, a.ProjectID = secret.NewID(), in.ProjectID
	a.CreatedAt = s.timestamp()
	a.UpdatedAt = a.CreatedAt
	if err := s.store.CreateAPI(ctx, a); err != nil {
		return storage.API{}, apiStoreError("create api", err)
	}
	s.audit.Record(ctx, audit.Event{Action: audit.APICreated, Target: a.ID, Details: map[string]any{"project_id": a.ProjectID, "identifier": a.Identifier}})
	return a, nil
}

// UpdateAPI replaces an API's name, identifier and scopes; an unknown ID
// gives storage.ErrNotFound. Removing a scope that a client calling the
// API is still allowed (and no other API of the client defines) is a
// ValidationError on "scope": the client's registration would no longer
// be valid, so the scope is removed from the client first.
func (s *Service) UpdateAPI(ctx context.Context, id string, in APIInput) (storage.API, error) {
	a, err := validateAPI(in)
	if err != nil {
		return storage.API{}, err
	}
	old, err := s.store.GetAPI(ctx, id)
	if err != nil {
		return storage.API{}, fmt.Errorf("update api: %w", err)
	}
	old.Name, old.Identifier, old.Scopes, old.UpdatedAt = a.Name, a.Identifier, a.Scopes, s.timestamp()
	if err := s.checkScopesInUse(ctx, old); err != nil {
		return storage.API{}, err
	}
	if err := s.store.UpdateAPI(ctx, old); err != nil {
		return storage.API{}, apiStoreError("update api", err)
	}
	s.audit.Record(ctx, audit.Event{Action: audit.APIUpdated, Target: old.ID, Details: map[string]any{"project_id": old.ProjectID, "identifier": old.Identifier}})
	return old, nil
}

// apiStoreError turns a taken identifier into a validation error.
func apiStoreError(op string, err error) error {
	if errors.Is(err, storage.ErrAlreadyExists) {
		return invalid("identifier", "another API already has this identifier")
	}
	return fmt.Errorf("%s: %w", op, err)
}

// checkProject reports a validation error unless the project exists.
func (s *Service) checkProject(ctx context.Context, id string) error {
	if id == "" {
		return invalid("project", "a project is required")
	}
	if _, err := s.store.GetProject(ctx, id); errors.Is(err, storage.ErrNotFound) {
		return invalid("project", "no project has the ID %q", id)
	} else if err != nil {
		return fmt.Errorf("get project: %w", err)
	}
	return nil
}

// GetAPI returns one API.
func (s *Service) GetAPI(ctx context.Context, id string) (storage.API, error) {
	return s.store.GetAPI(ctx, id)
}

// ListAPIs returns the project's APIs, or every API for projectID "".
func (s *Service) ListAPIs(ctx context.Context, projectID string) ([]storage.API, error) {
	return s.store.ListAPIs(ctx, projectID)
}

// DeleteAPI deletes an API; while a client lists it the store refuses with
// storage.ErrInUse.
func (s *Service) DeleteAPI(ctx context.Context, id string) error {
	return s.recorded(ctx, s.store.DeleteAPI(ctx, id), audit.Event{Action: audit.APIDeleted, Target: id})
}

// checkClientAPIs checks a client's project and APIs exist and, when it
// lists APIs, that each of its scopes is defined by one of them. The
// OpenID Connect scopes need no API: every client may request them. A
// client without APIs keeps free-form scopes, as before projects existed.
// in is the input c was validated from, to point at the element at fault.
func (s *Service) checkClientAPIs(ctx context.Context, c storage.Client, in NewClient) error {
	if c.ProjectID != "" {
		if err := s.checkProject(ctx, c.ProjectID); err != nil {
			return err
		}
	}
	sc, err := s.undefinedScope(ctx, c, nil)
	if ve := (*ValidationError)(nil); errors.As(err, &ve) && ve.Field == "api" {
		ve.Item = itemOf(in.APIs, ve.value)
	}
	if err != nil {
		return err
	}
	if sc != "" {
		return invalidItem("scope", itemOf(in.Scopes, sc), "%q is not a scope of the client's APIs", sc)
	}
	return nil
}

// undefinedScope returns the first of the client's scopes that none of its
// APIs defines (OpenID scopes aside), or "" when every one is defined or
// the client lists no APIs. changed, when not nil, stands for the stored
// API with its ID, as an update is about to store it. An API the client
// lists that does not exist is a ValidationError.
func (s *Service) undefinedScope(ctx context.Context, c storage.Client, changed *storage.API) (string, error) {
	if len(c.APIs) == 0 {
		return "", nil
	}
	defined := map[string]bool{}
	for _, id := range c.APIs {
		a, err := s.store.GetAPI(ctx, id)
		if changed != nil && id == changed.ID {
			a, err = *changed, nil
		}
		if errors.Is(err, storage.ErrNotFound) {
			return "", &ValidationError{Field: "api", Message: fmt.Sprintf("no API has the ID %q", id), value: id}
		} else if err != nil {
			return "", fmt.Errorf("get api: %w", err)
		}
		for _, sc := range a.Scopes {
			defined[sc.Name] = true
		}
	}
	for _, sc := range c.Scopes {
		if !defined[sc] && !slices.Contains(oauth.StandardScopes, sc) {
			return sc, nil
		}
	}
	return "", nil
}

// checkScopesInUse checks that every client listing the API a still has
// each of its scopes defined once a is stored as it is.
func (s *Service) checkScopesInUse(ctx context.Context, a storage.API) error {
	clients, err := s.store.ListClients(ctx)
	if err != nil {
		return fmt.Errorf("list clients: %w", err)
	}
	for _, c := range clients {
		if !slices.Contains(c.APIs, a.ID) {
			continue
		}
		sc, err := s.undefinedScope(ctx, c, &a)
		if err != nil {
			return err
		}
		if sc != "" {
			return invalid("scope", "%q is still allowed to the client %q (%s); remove it from the client first", sc, c.Name, c.ID)
		}
	}
	return nil
}
