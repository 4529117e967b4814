package app

import (
	"os"
	"strings"
	"testing"
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
