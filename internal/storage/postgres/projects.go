package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

const projectColumns = `id, name, description, created_at, updated_at`

func scanProject(r pgx.Row) (storage.Project, error) {
	var p storage.Project
	err := r.Scan(&p.ID, &p.Name, &p.Description, &p.CreatedAt, &p.UpdatedAt)
	return p, err
}

// CreateProject stores a new project.
func (s *Store) CreateProject(ctx context.Context, p storage.Project) error {
	return s.exec(ctx, "create project",
		`INSERT INTO projects (`+projectColumns+`) VALUES ($1, $2, $3, $4, $5)`,
		p.ID, p.Name, p.Description, p.CreatedAt, p.UpdatedAt)
}

// GetProject returns the project with the given ID.
func (s *Store) GetProject(ctx context.Context, id string) (storage.Project, error) {
	if !storable(id) {
		return storage.Project{}, notFound("get project")
	}
	p, err := scanProject(s.pool.QueryRow(ctx, `SELECT `+projectColumns+` FROM projects WHERE id = $1`, id))
	if err != nil {
		return storage.Project{}, wrap("get project", err)
	}
	return p, nil
}

// ListProjects returns every project ordered by name, then ID (byte order:
// the columns collate "C").
func (s *Store) ListProjects(ctx context.Context) ([]storage.Project, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+projectColumns+` FROM projects ORDER BY name, id`)
	if err != nil {
		return nil, wrap("list projects", err)
	}
	return collect(rows, "list projects", scanProject)
}

// UpdateProject replaces the project's name, description and UpdatedAt.
func (s *Store) UpdateProject(ctx context.Context, p storage.Project) error {
	if !storable(p.ID) {
		return notFound("update project")
	}
	return s.execOne(ctx, "update project",
		`UPDATE projects SET name = $2, description = $3, updated_at = $4 WHERE id = $1`,
		p.ID, p.Name, p.Description, p.UpdatedAt)
}

// DeleteProject deletes an empty project; the foreign keys of apis and
// clients make the deletion of one that is not fail.
func (s *Store) DeleteProject(ctx context.Context, id string) error {
	if !storable(id) {
		return notFound("delete project")
	}
	return refErr(storage.ErrInUse, s.execOne(ctx, "delete project", `DELETE FROM projects WHERE id = $1`, id))
}

// foreignKeyViolation is the SQLSTATE of a foreign key violation.
const foreignKeyViolation = "23503"

// refErr replaces a foreign-key violation in err by the sentinel it means
// for the operation: ErrNotFound when a new row refers to a missing one,
// ErrInUse when a deleted row is still referred to.
func refErr(sentinel, err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == foreignKeyViolation {
		return fmt.Errorf("%w: %w", sentinel, err)
	}
	return err
}

// textOrNull is s for a nullable text column where "" means NULL.
func textOrNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

type apiScopeJSON struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// scopesJSON encodes an API's scopes for the jsonb column.
func scopesJSON(scopes []storage.APIScope) (string, error) {
	out := make([]apiScopeJSON, 0, len(scopes))
	for _, sc := range scopes {
		out = append(out, apiScopeJSON(sc))
	}
	b, err := json.Marshal(out)
	return string(b), err
}

// parseScopes decodes the jsonb column into a non-nil slice.
func parseScopes(b []byte) ([]storage.APIScope, error) {
	var in []apiScopeJSON
	if err := json.Unmarshal(b, &in); err != nil {
		return nil, fmt.Errorf("scopes column: %w", err)
	}
	out := make([]storage.APIScope, 0, len(in))
	for _, sc := range in {
		out = append(out, storage.APIScope(sc))
	}
	return out, nil
}
