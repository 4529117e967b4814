package tui

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestE2EConsoleRefusesOverridesInTmux starts the BUILT binary as the
// console in a real terminal the way Linux boot media would, with the
// kernel command line's variables in its environment (issue 9, attack 1):
// IMAGEINVOKER_CONSOLE_SECURITY=off and IMAGEINVOKER_MENU_ROOT must be
// refused, exit 2, before anything connects.
func TestE2EConsoleRefusesOverridesInTmux(t *testing.T) {
	dir := t.TempDir()
	tmux, bin := e2eTools(t, dir)
	cfg := filepath.Join(dir, "imageinvoker.yaml")
	body := "store:\n  url: 'sqlite:" + filepath.Join(dir, "express.db") + "'\ndirectory:\n  dcs: [ldaps://127.0.0.1:1]\n  dns_domain: lab.example\n"
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "tmux.sock")
	tm := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(tmux, append([]string{"-S", sock}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	script := "env TERM=xterm-256color IMAGEINVOKER_CONFIG=" + cfg + " IMAGEINVOKER_CONSOLE_SECURITY=off IMAGEINVOKER_MENU_ROOT=Other " +
		bin + "; echo EXIT=$?; sleep 30"
	tm("new-session", "-d", "-s", "e2e", "-x", "100", "-y", "30", "sh", "-c", script)
	t.Cleanup(func() { _ = exec.Command(tmux, "-S", sock, "kill-server").Run() })
	var screen string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		screen = strings.Join(strings.Fields(tm("capture-pane", "-p", "-J", "-t", "e2e")), " ")
		if strings.Contains(screen, "EXIT=") {
			break
		}
	}
	for _, want := range []string{"EXIT=2", "IMAGEINVOKER_CONSOLE_SECURITY sets store.console_security",
		"store.console_security: off is refused", "IMAGEINVOKER_MENU_ROOT sets menu.root"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the console's screen lacks %q:\n%s", want, screen)
		}
	}
}
