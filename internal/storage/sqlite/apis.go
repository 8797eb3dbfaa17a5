package sqlite

import (
	"context"
	"fmt"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

const apiColumns = `id, project_id, name, identifier, scopes, created_at, updated_at`

func scanAPI(r row) (storage.API, error) {
	var a storage.API
	err := r.Scan(&a.ID, &a.ProjectID, &a.Name, &a.Identifier, apiScopes{&a.Scopes},
		microTime{&a.CreatedAt}, microTime{&a.UpdatedAt})
	return a, err
}

// CreateAPI stores a new API of an existing project.
func (s *Store) CreateAPI(ctx context.Context, a storage.API) error {
	return refErr(storage.ErrNotFound, s.exec(ctx, "create api",
		`INSERT INTO apis (`+apiColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.ProjectID, a.Name, a.Identifier, apiScopes{&a.Scopes}, micros(a.CreatedAt), micros(a.UpdatedAt)))
}

// GetAPI returns the API with the given ID.
func (s *Store) GetAPI(ctx context.Context, id string) (storage.API, error) {
	a, err := scanAPI(s.db.QueryRowContext(ctx, `SELECT `+apiColumns+` FROM apis WHERE id = ?`, id))
	if err != nil {
		return storage.API{}, wrap("get api", err)
	}
	return a, nil
}

// GetAPIByIdentifier returns the API whose identifier is exactly identifier.
func (s *Store) GetAPIByIdentifier(ctx context.Context, identifier string) (storage.API, error) {
	a, err := scanAPI(s.db.QueryRowContext(ctx, `SELECT `+apiColumns+` FROM apis WHERE identifier = ?`, identifier))
	if err != nil {
		return storage.API{}, wrap("get api by identifier", err)
	}
	return a, nil
}

// ListAPIs returns the APIs of a project, or all for "", by name, then ID.
func (s *Store) ListAPIs(ctx context.Context, projectID string) ([]storage.API, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+apiColumns+` FROM apis
		WHERE ?1 = '' OR project_id = ?1 ORDER BY name, id`, projectID)
	if err != nil {
		return nil, wrap("list apis", err)
	}
	return collect(rows, "list apis", scanAPI)
}

// UpdateAPI replaces every field of the API but ID, ProjectID and CreatedAt.
func (s *Store) UpdateAPI(ctx context.Context, a storage.API) error {
	return s.execOne(ctx, "update api",
		`UPDATE apis SET name = ?, identifier = ?, scopes = ?, updated_at = ? WHERE id = ?`,
		a.Name, a.Identifier, apiScopes{&a.Scopes}, micros(a.UpdatedAt), a.ID)
}

// DeleteAPI deletes an API no client lists. The check and the deletion are
// one statement, and SQLite runs one writer at a time, so a client cannot
// start listing the API in between.
func (s *Store) DeleteAPI(ctx context.Context, id string) error {
	n, err := s.rowsAffected(ctx, "delete api", `DELETE FROM apis WHERE id = ?1 AND NOT EXISTS (
		SELECT 1 FROM clients, json_each(clients.apis) WHERE json_each.value = ?1)`, id)
	if err != nil || n > 0 {
		return err
	}
	if _, err := s.GetAPI(ctx, id); err != nil {
		return fmt.Errorf("delete api: %w", err)
	}
	return fmt.Errorf("delete api: %w", storage.ErrInUse)
}
