package admin

import (
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// Views of records as JSON, the same for the admin API
// (internal/adminapi, described by its OpenAPI document) and the CLI's
// --json output, so the two cannot drift apart. Records whose two views
// differ (clients, users, keys, groups) keep one view each, with the
// surface that shows them.

// ProjectView is a project as JSON.
type ProjectView struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// ProjectViewOf is the view of p, with its times in UTC.
func ProjectViewOf(p storage.Project) ProjectView {
	return ProjectView{ID: p.ID, Name: p.Name, Description: p.Description, CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC()}
}

// APIView is an API (a resource server) as JSON.
type APIView struct {
	ID         string      `json:"id"`
	ProjectID  string      `json:"project_id"`
	Name       string      `json:"name"`
	Identifier string      `json:"identifier"`
	Scopes     []ScopeView `json:"scopes"`
	CreatedAt  time.Time   `json:"created_at"`
	UpdatedAt  time.Time   `json:"updated_at"`
}

// ScopeView is one scope an API defines, as JSON; the admin API also
// reads scopes in this shape.
type ScopeView struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// APIViewOf is the view of a, with its times in UTC and its scopes as a
// list that is never null.
func APIViewOf(a storage.API) APIView {
	out := APIView{ID: a.ID, ProjectID: a.ProjectID, Name: a.Name, Identifier: a.Identifier,
		Scopes: make([]ScopeView, 0, len(a.Scopes)), CreatedAt: a.CreatedAt.UTC(), UpdatedAt: a.UpdatedAt.UTC()}
	for _, sc := range a.Scopes {
		out.Scopes = append(out.Scopes, ScopeView(sc))
	}
	return out
}
