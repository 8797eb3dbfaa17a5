package client_test

import (
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// forbidden reports why a public package must not depend on path: apps
// import client, so it may use neither Gatehouse internals (they are not
// a stable API, and pull in the server) nor a database driver.
func forbidden(path string) string {
	switch {
	case strings.HasPrefix(path, "github.com/gatehouse-dev/gatehouse/internal"):
		return "Gatehouse internals"
	case path == "database/sql" || strings.HasPrefix(path, "database/sql/"),
		strings.HasPrefix(path, "modernc.org/sqlite"), strings.HasPrefix(path, "github.com/jackc/pgx"),
		strings.HasPrefix(path, "github.com/lib/pq"), strings.HasPrefix(path, "github.com/mattn/go-sqlite3"):
		return "a database driver"
	}
	return ""
}

// TestImports checks the package's non-test files import nothing
// forbidden, directly (parsed here) or indirectly (go list -deps).
func TestImports(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	parsed := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		parsed++
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if why := forbidden(p); why != "" {
				t.Errorf("%s imports %s: %s", name, p, why)
			}
		}
	}
	if parsed < 3 {
		t.Fatalf("parsed %d files: the walk is broken", parsed)
	}

	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command for the transitive check: %v", err)
	}
	out, err := exec.Command(goTool, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 || !strings.Contains(string(out), "golang.org/x/oauth2\n") {
		t.Fatalf("go list -deps printed %d packages: the check is broken\n%s", len(deps), out)
	}
	for _, p := range deps {
		if why := forbidden(p); why != "" {
			t.Errorf("client depends on %s: %s", p, why)
		}
	}
}
