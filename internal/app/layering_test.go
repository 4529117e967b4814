package app

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/imageinvoker/imageinvoker/"

// imports maps each package directory of the repository (relative, with
// slashes) to what its non-test files import.
func imports(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != "../.." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(strings.TrimPrefix(path, "../../")))
		for _, im := range f.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			out[dir] = append(out[dir], p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestLayering holds the house rules of the architecture: seams stay
// neutral, commands stay independent, the reusable part never reaches into
// the wiring, and the console never talks to a driver.
func TestLayering(t *testing.T) {
	rules := []struct {
		name   string
		in     func(dir string) bool
		banned func(dir, imp string) bool
	}{
		{"no command imports another", prefix("internal/commands/"), func(dir, imp string) bool {
			other, ok := strings.CutPrefix(imp, module+"internal/commands/")
			return ok && !strings.HasPrefix(other+"/", strings.TrimPrefix(dir, "internal/commands/")+"/")
		}},
		{"pkg/ is reusable: it imports nothing of internal/ and no terminal UI", prefix("pkg/"), func(_, imp string) bool {
			return strings.HasPrefix(imp, module+"internal/") || strings.HasPrefix(imp, "github.com/charmbracelet/")
		}},
		{"access and menu are pure: the model and the standard library only", oneOf("pkg/access", "pkg/menu"), func(_, imp string) bool {
			return strings.Contains(imp, ".") && imp != module+"pkg/model"
		}},
		{"the flow speaks neutral types, not a store's or a directory's", oneOf("internal/flow"), func(_, imp string) bool {
			return oneOf(module+"pkg/express", module+"internal/directory")(imp) || driver(imp)
		}},
		{"the console talks to the flow only", prefix("tui"), func(_, imp string) bool {
			return oneOf(module+"pkg/express", module+"internal/directory", module+"internal/setup")(imp) || driver(imp)
		}},
	}
	all := imports(t)
	for _, r := range rules {
		checked := 0
		for dir, imps := range all {
			if !r.in(dir) {
				continue
			}
			checked++
			for _, imp := range imps {
				if r.banned(dir, imp) {
					t.Errorf("%s: %s imports %s", r.name, dir, imp)
				}
			}
		}
		if checked == 0 {
			t.Errorf("%s: no package to check (moved?)", r.name)
		}
	}
}

func prefix(p string) func(string) bool {
	return func(s string) bool { return s == strings.TrimSuffix(p, "/") || strings.HasPrefix(s, p) }
}

func oneOf(set ...string) func(string) bool {
	return func(s string) bool {
		for _, x := range set {
			if s == x {
				return true
			}
		}
		return false
	}
}

func driver(imp string) bool {
	return strings.HasPrefix(imp, "github.com/go-ldap/") || strings.HasPrefix(imp, "github.com/microsoft/go-mssqldb") ||
		strings.HasPrefix(imp, "modernc.org/sqlite")
}
