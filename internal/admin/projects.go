package admin

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/gatehouse-dev/gatehouse/internal/audit"
	"github.com/gatehouse-dev/gatehouse/internal/secret"
	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// ProjectInput is the input to CreateProject and UpdateProject.
type ProjectInput struct {
	Name        string
	Description string
}

// Limits on what people type into the developer console, in characters.
const (
	maxNameLen        = 100
	maxDescriptionLen = 500
)

func validateProject(in ProjectInput) (storage.Project, error) {
	name := strings.TrimSpace(in.Name)
	if name == "" || utf8.RuneCountInString(name) > maxNameLen || !plainText(name) {
		return storage.Project{}, invalid("name", "a name of 1 to %d characters of text is required", maxNameLen)
	}
	desc := strings.TrimSpace(in.Description)
	if utf8.RuneCountInString(desc) > maxDescriptionLen || !plainText(desc) {
		return storage.Project{}, invalid("description", "a description has at most %d characters of text", maxDescriptionLen)
	}
	return storage.Project{Name: name, Description: desc}, nil
}

// CreateProject validates and stores a new project.
func (s *Service) CreateProject(ctx context.Context, in ProjectInput) (storage.Project, error) {
	p, err := validateProject(in)
	if err != nil {
		return storage.Project{}, err
	}
	p.ID = secret.NewID()
	p.CreatedAt = s.timestamp()
	p.UpdatedAt = p.CreatedAt
	if err := s.store.CreateProject(ctx, p); err != nil {
		return storage.Project{}, fmt.Errorf("create project: %w", err)
	}
	s.audit.Record(ctx, audit.Event{Action: audit.ProjectCreated, Target: p.ID, Details: map[string]any{"name": p.Name}})
	return p, nil
}

// UpdateProject renames or redescribes a project; an unknown ID gives
// storage.ErrNotFound.
func (s *Service) UpdateProject(ctx context.Context, id string, in ProjectInput) (storage.Project, error) {
	p, err := validateProject(in)
	if err != nil {
		return storage.Project{}, err
	}
	old, err := s.store.GetProject(ctx, id)
	if err != nil {
		return storage.Project{}, fmt.Errorf("update project: %w", err)
	}
	old.Name, old.Description, old.UpdatedAt = p.Name, p.Description, s.timestamp()
	if err := s.store.UpdateProject(ctx, old); err != nil {
		return storage.Project{}, fmt.Errorf("update project: %w", err)
	}
	s.audit.Record(ctx, audit.Event{Action: audit.ProjectUpdated, Target: old.ID, Details: map[string]any{"name": old.Name}})
	return old, nil
}

// GetProject returns one project.
func (s *Service) GetProject(ctx context.Context, id string) (storage.Project, error) {
	return s.store.GetProject(ctx, id)
}

// ListProjects returns every project, ordered by name.
func (s *Service) ListProjects(ctx context.Context) ([]storage.Project, error) {
	return s.store.ListProjects(ctx)
}

// DeleteProject deletes an empty project. While APIs or clients still
// belong to it the store refuses with storage.ErrInUse: deleting a project
// never silently deletes credentials that apps are using.
func (s *Service) DeleteProject(ctx context.Context, id string) error {
	return s.recorded(ctx, s.store.DeleteProject(ctx, id), audit.Event{Action: audit.ProjectDeleted, Target: id})
}
