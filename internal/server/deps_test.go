package server_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/gatehouse-dev/gatehouse/"

// TestDependencyDirection keeps the layering of design.md true: endpoint
// packages never import each other, only the composition root opens a
// storage backend, and the lower layers never reach up.
func TestDependencyDirection(t *testing.T) {
	imports := moduleImports(t, "../..")
	endpoints := []string{"internal/authorize", "internal/tokenapi", "internal/oidc", "internal/account", "internal/console"}
	backends := []string{"internal/storage/sqlite", "internal/storage/postgres"}
	lower := []string{"internal/oauth", "internal/secret", "internal/keys", "internal/token", "internal/storage", "internal/web",
		"internal/config", "internal/session", "internal/janitor", "internal/throttle", "internal/audit"}

	for pkg, deps := range imports {
		for _, dep := range deps {
			switch {
			case slices.Contains(endpoints, pkg) && slices.Contains(endpoints, dep):
				t.Errorf("%s imports %s: endpoint packages must not import each other", pkg, dep)
			case slices.Contains(backends, dep) && !allowedBackendUser(pkg):
				t.Errorf("%s imports %s: only internal/server opens a storage backend", pkg, dep)
			case slices.Contains(lower, pkg) && (slices.Contains(endpoints, dep) || dep == "internal/server" || dep == "internal/admin"):
				t.Errorf("%s imports %s: lower layers must not import endpoint packages", pkg, dep)
			case pkg == "internal/storage" && strings.HasPrefix(dep, "internal/"):
				t.Errorf("internal/storage imports %s: records and the interface depend on nothing", dep)
			case pkg == "cmd/gatehouse" && slices.Contains(endpoints, dep):
				t.Errorf("cmd/gatehouse imports %s: wiring goes through internal/server", dep)
			}
		}
	}
	if len(imports["internal/server"]) == 0 {
		t.Fatal("found no imports for internal/server: the walk is broken")
	}
}

// allowedBackendUser: the composition root, the backends themselves and
// their test harnesses.
func allowedBackendUser(pkg string) bool {
	return pkg == "internal/server" || strings.HasPrefix(pkg, "internal/storage/") || pkg == "internal/servertest"
}

// moduleImports maps each package directory (relative to root) to the
// module-internal packages its non-test files import.
func moduleImports(t *testing.T, root string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		rel = filepath.ToSlash(rel)
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if dep, ok := strings.CutPrefix(p, module); ok && !slices.Contains(out[rel], dep) {
				out[rel] = append(out[rel], dep)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
