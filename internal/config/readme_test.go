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

func TestSecondDocumentRefused(t *testing.T) {
	_, err := Parse("two.yaml", []byte("menu:\n  flat: true\n---\nmenu:\n  flat: false\n"))
	if err == nil || !strings.Contains(err.Error(), "line 3: a second YAML document") {
		t.Fatalf("want the second document refused with its line, got %v", err)
	}
}

func TestRelativePathsFollowTheConfigFile(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/imageinvoker.yaml"
	body := "directory:\n  ca_file: certs/ca.pem\nlog:\n  file: 'X:\\imageinvoker.log'\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if want := dir + "/certs/ca.pem"; c.Directory.CAFile != want {
		t.Errorf("ca_file = %q, want %q", c.Directory.CAFile, want)
	}
	if c.Log.File != `X:\imageinvoker.log` {
		t.Errorf("a Windows absolute path was rewritten: %q", c.Log.File)
	}
}
