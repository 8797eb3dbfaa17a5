package admin

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/gatehouse-dev/gatehouse/internal/storage"
)

// TestViewsJSON pins the JSON the admin API and the CLI's --json print for
// projects and APIs: the members' names, times in UTC, and a scope list
// that is [] rather than null.
func TestViewsJSON(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	created := time.Date(2026, 11, 21, 18, 0, 0, 0, paris)
	updated := created.Add(time.Hour)
	tests := []struct {
		name string
		view any
		want string
	}{
		{"project", ProjectViewOf(storage.Project{ID: "p1", Name: "Orders", Description: "Shop", CreatedAt: created, UpdatedAt: updated}),
			`{"id":"p1","name":"Orders","description":"Shop","created_at":"2026-11-21T17:00:00Z","updated_at":"2026-11-21T18:00:00Z"}`},
		{"api without scopes", APIViewOf(storage.API{ID: "a1", ProjectID: "p1", Name: "Orders API", Identifier: "https://api.example.com", CreatedAt: created, UpdatedAt: created}),
			`{"id":"a1","project_id":"p1","name":"Orders API","identifier":"https://api.example.com","scopes":[],"created_at":"2026-11-21T17:00:00Z","updated_at":"2026-11-21T17:00:00Z"}`},
		{"api with scopes", APIViewOf(storage.API{ID: "a1", Scopes: []storage.APIScope{{Name: "orders:read", Description: "Read orders"}}, CreatedAt: created, UpdatedAt: created}),
			`{"id":"a1","project_id":"","name":"","identifier":"","scopes":[{"name":"orders:read","description":"Read orders"}],"created_at":"2026-11-21T17:00:00Z","updated_at":"2026-11-21T17:00:00Z"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(tt.view)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("JSON\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}
