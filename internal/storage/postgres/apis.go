package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// scopes are read as text so that the driver hands over the JSON as is.
const apiColumns = `id, project_id, name, identifier, scopes::text, created_at, updated_at`

func scanAPI(r pgx.Row) (storage.API, error) {
	var (
		a      storage.API
		scopes string
	)
	if err := r.Scan(&a.ID, &a.ProjectID, &a.Name, &a.Identifier, &scopes, &a.CreatedAt, &a.UpdatedAt); err != nil {
		return a, err
	}
	var err error
	a.Scopes, err = parseScopes([]byte(scopes))
	return a, err
}

// CreateAPI stores a new API of an existing project.
func (s *Store) CreateAPI(ctx context.Context, a storage.API) error {
	if !storable(a.ProjectID) {
		return notFound("create api")
	}
	scopes, err := scopesJSON(a.Scopes)
	if err != nil {
		return fmt.Errorf("create api: %w", err)
	}
	return refErr(storage.ErrNotFound, s.exec(ctx, "create api",
		`INSERT INTO apis (id, project_id, name, identifier, scopes, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7)`,
		a.ID, a.ProjectID, a.Name, a.Identifier, scopes, a.CreatedAt, a.UpdatedAt))
}

// GetAPI returns the API with the given ID.
func (s *Store) GetAPI(ctx context.Context, id string) (storage.API, error) {
	if !storable(id) {
		return storage.API{}, notFound("get api")
	}
	a, err := scanAPI(s.pool.QueryRow(ctx, `SELECT `+apiColumns+` FROM apis WHERE id = $1`, id))
	if err != nil {
		return storage.API{}, wrap("get api", err)
	}
	return a, nil
}

// GetAPIByIdentifier returns the API whose identifier is exactly identifier.
func (s *Store) GetAPIByIdentifier(ctx context.Context, identifier string) (storage.API, error) {
	if !storable(identifier) {
		return storage.API{}, notFound("get api by identifier")
	}
	a, err := scanAPI(s.pool.QueryRow(ctx, `SELECT `+apiColumns+` FROM apis WHERE identifier = $1`, identifier))
	if err != nil {
		return storage.API{}, wrap("get api by identifier", err)
	}
	return a, nil
}

// ListAPIs returns the APIs of a project, or all for "", by name, then ID.
func (s *Store) ListAPIs(ctx context.Context, projectID string) ([]storage.API, error) {
	if !storable(projectID) {
		return []storage.API{}, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT `+apiColumns+` FROM apis
		WHERE $1 = '' OR project_id = $1 ORDER BY name, id`, projectID)
	if err != nil {
		return nil, wrap("list apis", err)
	}
	return collect(rows, "list apis", scanAPI)
}

// UpdateAPI replaces every field of the API but ID, ProjectID and CreatedAt.
func (s *Store) UpdateAPI(ctx context.Context, a storage.API) error {
	if !storable(a.ID) {
		return notFound("update api")
	}
	scopes, err := scopesJSON(a.Scopes)
	if err != nil {
		return fmt.Errorf("update api: %w", err)
	}
	return s.execOne(ctx, "update api",
		`UPDATE apis SET name = $2, identifier = $3, scopes = $4::jsonb, updated_at = $5 WHERE id = $1`,
		a.ID, a.Name, a.Identifier, scopes, a.UpdatedAt)
}

// DeleteAPI deletes an API no client lists. It locks the clients table
// against writes for the check and the deletion, so that no client starts
// listing the API in between (at READ COMMITTED, the DELETE's snapshot,
// taken after the lock, sees every committed client).
func (s *Store) DeleteAPI(ctx context.Context, id string) error {
	if !storable(id) {
		return notFound("delete api")
	}
	var n int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE clients IN SHARE MODE`); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM apis WHERE id = $1
			AND NOT EXISTS (SELECT 1 FROM clients WHERE $1 = ANY (apis))`, id)
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return wrap("delete api", err)
	}
	if n > 0 {
		return nil
	}
	if _, err := s.GetAPI(ctx, id); err != nil {
		return fmt.Errorf("delete api: %w", err)
	}
	return fmt.Errorf("delete api: %w", storage.ErrInUse)
}
