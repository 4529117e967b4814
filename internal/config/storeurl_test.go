package config

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// rawStoreURLAllowed are the files outside this package that may touch
// store.url's text (StoreConfig.URL); every other reader takes the parsed
// location, StoreConfig.Location (express.ParseURL). This package (the
// config file, the environment and the flags) holds the text.
var rawStoreURLAllowed = map[string]string{
	"internal/setup/setup.go": "writes the URL of the demo store it made into the demo's new config",
}

// rawStoreURLUses lists file:line of each X.Store.URL and StoreConfig{URL: ...}
// in the repository's non-test Go files outside internal/config.
func rawStoreURLUses(t *testing.T, root string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(path, root+string(filepath.Separator)))
		if d.IsDir() && path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || rel == "internal/config") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				if x, ok := n.X.(*ast.SelectorExpr); ok && n.Sel.Name == "URL" && x.Sel.Name == "Store" {
					out[rel] = append(out[rel], fset.Position(n.Pos()).String())
				}
			case *ast.CompositeLit:
				if sel, ok := n.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "StoreConfig" {
					for _, e := range n.Elts {
						if kv, ok := e.(*ast.KeyValueExpr); ok {
							if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "URL" {
								out[rel] = append(out[rel], fset.Position(kv.Pos()).String())
							}
						}
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRawStoreURLCallers: the store location is parsed in one place.
// Outside config and its flags, code reads store.url only as
// StoreConfig.Location(); a new cfg.Store.URL elsewhere fails here, named.
func TestRawStoreURLCallers(t *testing.T) {
	uses := rawStoreURLUses(t, filepath.Join("..", ".."))
	for file, at := range uses {
		if _, ok := rawStoreURLAllowed[file]; !ok {
			t.Errorf("%s reads the store URL's text (%s): use cfg.Store.Location() (express.ParseURL) instead, or add the file to rawStoreURLAllowed with the reason",
				file, strings.Join(at, ", "))
		}
	}
	for file := range rawStoreURLAllowed {
		if _, ok := uses[file]; !ok {
			t.Errorf("rawStoreURLAllowed lists %s, which no longer touches the store URL's text: drop it", file)
		}
	}
}
