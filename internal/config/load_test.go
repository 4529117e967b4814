package config

import (
	"os"
	"strings"
	"testing"
)

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
