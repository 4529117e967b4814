package tui

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// The reboot command starts with a minimal environment: the console's own
// may hold IMAGEINVOKER_PASSWORD (issue 9, attack 7). A stand-in `reboot`
// first on PATH records the environment it was given.
func TestRebootCommandGetsAMinimalEnvironment(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the stand-in is a shell script")
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "env.txt")
	script := "#!/bin/sh\nenv > '" + out + "'\n"
	if err := os.WriteFile(filepath.Join(dir, "reboot"), []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("IMAGEINVOKER_PASSWORD", "S3cretPW")
	t.Setenv("IMAGEINVOKER_CONSOLE_SECURITY", "off")
	// Never reach the real reboot: the stand-in must be what PATH finds.
	if p, err := exec.LookPath("reboot"); err != nil || p != filepath.Join(dir, "reboot") {
		t.Fatalf("the stand-in is not first on PATH (%q, %v)", p, err)
	}
	if err := SystemPower("reboot"); err != nil {
		t.Fatal(err)
	}
	env, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(env), "S3cretPW") || strings.Contains(string(env), "IMAGEINVOKER_") {
		t.Errorf("the reboot command inherited:\n%s", env)
	}
	if !strings.Contains(string(env), "PATH=") {
		t.Errorf("the reboot command has no PATH:\n%s", env)
	}
	got := PowerEnv([]string{"Path=C:\\x", "SystemRoot=C:\\Windows", "IMAGEINVOKER_PASSWORD=x", "USERNAME=a"}, "windows")
	if strings.Join(got, ";") != `Path=C:\x;SystemRoot=C:\Windows` {
		t.Errorf("windows environment = %q", got)
	}
}
