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

// TestNewDatabase checks each call gives a new, empty schema that the
// URL's connections use, and that it is gone after the test.
func TestNewDatabase(t *testing.T) {
	var schema string
	t.Run("create", func(t *testing.T) {
		a, b := NewDatabase(t), NewDatabase(t)
		if a == b {
			t.Fatalf("two calls gave one schema: %s", a)
		}
		conn, err := pgx.Connect(t.Context(), a)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(t.Context())
		var tables int
		err = conn.QueryRow(t.Context(), `SELECT current_schema(),
			(SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema())`).Scan(&schema, &tables)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(schema, "gh_test_") || !strings.Contains(a, "search_path="+schema) || tables != 0 {
			t.Errorf("connected to schema %q with %d tables, from URL %s", schema, tables, a)
		}
	})
	conn, err := pgx.Connect(t.Context(), adminURL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(t.Context())
	var n int
	if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM information_schema.schemata WHERE schema_name = $1`, schema).Scan(&n); err != nil || n != 0 {
		t.Errorf("schema %q still exists after the test (%d, %v)", schema, n, err)
	}
}
