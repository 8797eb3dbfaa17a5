package pgtest

import (
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestWithDatabase(t *testing.T) {
	tests := []struct{ admin, want string }{
		{"postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "postgres://postgres@127.0.0.1:5432/gh_x?sslmode=disable"},
		{"postgresql://u:p@db/", "postgresql://u:p@db/gh_x"},
		{"postgres://u@db", "postgres://u@db/gh_x"},
		{"host=127.0.0.1 user=postgres dbname=test", "host=127.0.0.1 user=postgres dbname=test dbname=gh_x"},
	}
	for _, tt := range tests {
		got, err := withDatabase(tt.admin, "gh_x")
		if err != nil || got != tt.want {
			t.Errorf("withDatabase(%q) = %q, %v; want %q", tt.admin, got, err, tt.want)
		}
	}
}

// TestNewDatabase checks the database exists, is empty, and is new per call.
func TestNewDatabase(t *testing.T) {
	a, b := NewDatabase(t), NewDatabase(t)
	if a == b {
		t.Fatalf("two calls gave one database: %s", a)
	}
	conn, err := pgx.Connect(t.Context(), a)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	var name string
	var tables int
	err = conn.QueryRow(t.Context(), `SELECT current_database(),
		(SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public')`).Scan(&name, &tables)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(name, "gh_test_") || !strings.Contains(a, "/"+name+"?") || tables != 0 {
		t.Errorf("connected to %q with %d tables, from URL %s", name, tables, a)
	}
}
