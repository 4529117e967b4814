package config

import (
	"os"
	"strings"
	"testing"
)

// TestREADMEListsEverySetting keeps the README's configuration reference in
// step with the Settings table: a newcomer reads the README, not the code.
func TestREADMEListsEverySetting(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	for _, s := range Settings {
		row := "| `" + s.Key + "` | `--" + s.Flag + "` | `" + s.Env() + "` |"
		if !strings.Contains(readme, row) {
			t.Errorf("README.md configuration table lacks the row for %s: %q", s.Key, row)
		}
	}
}
