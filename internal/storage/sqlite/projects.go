package sqlite

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"

	sqlitedriver "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

const projectColumns = `id, name, description, created_at, updated_at`

func scanProject(r row) (storage.Project, error) {
	var p storage.Project
	err := r.Scan(&p.ID, &p.Name, &p.Description, microTime{&p.CreatedAt}, microTime{&p.UpdatedAt})
	return p, err
}

// CreateProject stores a new project.
func (s *Store) CreateProject(ctx context.Context, p storage.Project) error {
	return s.exec(ctx, "create project",
		`INSERT INTO projects (`+projectColumns+`) VALUES (?, ?, ?, ?, ?)`,
		p.ID, p.Name, p.Description, micros(p.CreatedAt), micros(p.UpdatedAt))
}

// GetProject returns the project with the given ID.
func (s *Store) GetProject(ctx context.Context, id string) (storage.Project, error) {
	p, err := scanProject(s.db.QueryRowContext(ctx, `SELECT `+projectColumns+` FROM projects WHERE id = ?`, id))
	if err != nil {
		return storage.Project{}, wrap("get project", err)
	}
	return p, nil
}

// ListProjects returns every project ordered by name, then ID.
func (s *Store) ListProjects(ctx context.Context) ([]storage.Project, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+projectColumns+` FROM projects ORDER BY name, id`)
	if err != nil {
		return nil, wrap("list projects", err)
	}
	return collect(rows, "list projects", scanProject)
}

// UpdateProject replaces the project's name, description and UpdatedAt.
func (s *Store) UpdateProject(ctx context.Context, p storage.Project) error {
	return s.execOne(ctx, "update project",
		`UPDATE projects SET name = ?, description = ?, updated_at = ? WHERE id = ?`,
		p.Name, p.Description, micros(p.UpdatedAt), p.ID)
}

// DeleteProject deletes an empty project; the foreign keys of apis and
// clients make the deletion of one that is not fail.
func (s *Store) DeleteProject(ctx context.Context, id string) error {
	return refErr(storage.ErrInUse, s.execOne(ctx, "delete project", `DELETE FROM projects WHERE id = ?`, id))
}

// refErr replaces a foreign-key violation in err by the sentinel it means
// for the operation: ErrNotFound when a new row refers to a missing one,
// ErrInUse when a deleted row is still referred to.
func refErr(sentinel, err error) error {
	var se *sqlitedriver.Error
	if errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY {
		return fmt.Errorf("%w: %w", sentinel, err)
	}
	return err
}

// textOrNull is s for a nullable TEXT column where "" means NULL.
func textOrNull(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// optText scans a nullable TEXT column; NULL is "".
type optText struct{ p *string }

func (o optText) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*o.p = ""
	case string:
		*o.p = v
	case []byte:
		*o.p = string(v)
	default:
		return fmt.Errorf("text column: got %T, want text", src)
	}
	return nil
}

// apiScopes is a []storage.APIScope stored as a JSON array of
// {"name", "description"} objects. It scans into a non-nil slice.
type apiScopes struct{ p *[]storage.APIScope }

type apiScopeJSON struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

func (a apiScopes) Value() (driver.Value, error) {
	out := make([]apiScopeJSON, 0, len(*a.p))
	for _, sc := range *a.p {
		out = append(out, apiScopeJSON(sc))
	}
	b, err := json.Marshal(out)
	return string(b), err
}

func (a apiScopes) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("scopes column: got %T, want text", src)
	}
	var in []apiScopeJSON
	if err := json.Unmarshal(b, &in); err != nil {
		return fmt.Errorf("scopes column: %w", err)
	}
	out := make([]storage.APIScope, 0, len(in))
	for _, sc := range in {
		out = append(out, storage.APIScope(sc))
	}
	*a.p = out
	return nil
}
