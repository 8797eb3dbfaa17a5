package resource_test

import (
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImports keeps the kit importable by any API: its non-test files use
// the standard library (but database/sql) and go-jose, nothing of the
// server (internal/...), and no database driver. The transitive check asks
// the go command, when it is there, for everything the package links.
func TestImports(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if !allowedImport(p) {
				t.Errorf("%s imports %s: the resource kit may use only the standard library and go-jose", name, p)
			}
		}
	}
	if checked == 0 {
		t.Fatal("found no source files: the walk is broken")
	}

	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command for the transitive check")
	}
	out, err := exec.Command(goCmd, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list -deps gave %q: the check is broken", deps)
	}
	for _, p := range deps {
		if p == "github.com/gatehouse-dev/gatehouse/resource" || strings.HasPrefix(p, "vendor/") {
			continue
		}
		if !allowedImport(p) && !strings.HasPrefix(p, "golang.org/x/") {
			t.Errorf("the kit links %s", p)
		}
	}
}

// allowedImport: a standard library package other than database/sql, or
// go-jose.
func allowedImport(p string) bool {
	if strings.HasPrefix(p, "github.com/go-jose/go-jose/v4") {
		return true
	}
	first, _, _ := strings.Cut(p, "/")
	return !strings.Contains(first, ".") && !strings.HasPrefix(p, "database/sql")
}
