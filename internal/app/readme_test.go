package app

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/config"
)

// TestREADMEPreviewExamples runs the README's demo preview commands, so the
// first thing a newcomer copies keeps working.
func TestREADMEPreviewExamples(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	ran := 0
	for _, line := range strings.Split(string(data), "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "go run ./cmd/imageinvoker ")
		if !ok || !strings.Contains(rest, "--demo") {
			continue
		}
		args := splitQuoted(rest)
		if args[0] != "menu" && args[0] != "explain" {
			continue
		}
		stdout, stderr, code := execute(t, nil, "", args...)
		if code != 0 || !strings.Contains(stdout, "PC-042") {
			t.Errorf("README example %q: exit %d\nstdout: %s\nstderr: %s", rest, code, stdout, stderr)
		}
		ran++
	}
	if ran < 2 {
		t.Errorf("found %d README preview examples, want the menu and explain ones", ran)
	}
}

// splitQuoted splits a shell line on spaces, keeping 'single-quoted' parts whole.
func splitQuoted(s string) []string {
	var out []string
	var cur strings.Builder
	inQuote, have := false, false
	for _, r := range s {
		switch {
		case r == '\'':
			inQuote, have = !inQuote, true
		case r == ' ' && !inQuote:
			if have {
				out = append(out, cur.String())
				cur.Reset()
				have = false
			}
		default:
			cur.WriteRune(r)
			have = true
		}
	}
	if have {
		out = append(out, cur.String())
	}
	return out
}

// TestREADMELayoutListsEveryPackage keeps the README's layout section true:
// every Go package of the repository has its line there, and every line
// names a package (or a top-level folder) that exists.
func TestREADMELayoutListsEveryPackage(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "## Layout\n")
	if !ok {
		t.Fatal("README has no ## Layout section")
	}
	_, block, _ := strings.Cut(section, "```\n")
	block, _, _ = strings.Cut(block, "```")
	listed := map[string]bool{}
	var prefixes []string // internal/commands/<name>
	for _, line := range strings.Split(block, "\n") {
		if line == "" || line[0] == ' ' {
			continue // a blank line or a description's continuation
		}
		p := strings.TrimSuffix(strings.Fields(line)[0], "/")
		if pre, ok := strings.CutSuffix(p, "<name>"); ok {
			prefixes = append(prefixes, pre)
			continue
		}
		listed[p] = true
		if _, err := os.Stat("../../" + p); err != nil {
			t.Errorf("README layout lists %s, which does not exist", p)
		}
	}
	err = filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(path, "../../"))
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && path != "../.." || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		pkg := filepath.ToSlash(filepath.Dir(rel))
		if pkg == "." || listed[pkg] || strings.HasPrefix(pkg, "tui") && listed["tui"] {
			return nil
		}
		for _, pre := range prefixes {
			if rest, ok := strings.CutPrefix(pkg, pre); ok && !strings.Contains(rest, "/") {
				return nil
			}
		}
		t.Errorf("package %s is not in the README's layout section", pkg)
		listed[pkg] = true // once
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestREADMEListsEverySetting keeps the README's configuration reference in
// step with the Settings table: a newcomer reads the README, not the code.
func TestREADMEListsEverySetting(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	for _, s := range config.Settings {
		row := "| `" + s.Key + "` | `--" + s.Flag + "` | `" + s.Env() + "` |"
		if !strings.Contains(readme, row) {
			t.Errorf("README.md configuration table lacks the row for %s: %q", s.Key, row)
			continue
		}
		// The boot-media policy is stated per setting: a new policy setting
		// (directory.ds_accounts) must be marked too.
		line := readme[strings.Index(readme, row):]
		line = line[:strings.Index(line, "\n")]
		if s.Policy != strings.Contains(line, "**(policy)**") {
			t.Errorf("README.md row of %s: marked **(policy)** = %v, want %v", s.Key, !s.Policy, s.Policy)
		}
	}
}
