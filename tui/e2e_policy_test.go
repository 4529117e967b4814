package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestE2EConsoleRefusesOverridesInTmux starts the BUILT binary as the
// console in a real terminal the way Linux boot media would, with the
// kernel command line's variables in its environment (issue 9, attack 1):
// IMAGEINVOKER_CONSOLE_SECURITY=off and IMAGEINVOKER_MENU_ROOT must be
// refused, exit 2, before anything connects.
func TestE2EConsoleRefusesOverridesInTmux(t *testing.T) {
	term, bin, dir := e2eSetup(t)
	cfg := filepath.Join(dir, "imageinvoker.yaml")
	body := "store:\n  url: 'sqlite:" + filepath.Join(dir, "express.db") + "'\ndirectory:\n  dcs: [ldaps://127.0.0.1:1]\n  dns_domain: lab.example\n"
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	script := "env TERM=xterm-256color IMAGEINVOKER_CONFIG=" + cfg + " IMAGEINVOKER_CONSOLE_SECURITY=off IMAGEINVOKER_MENU_ROOT=Other " +
		bin + "; echo EXIT=$?; sleep 30"
	term.Start("e2e", 100, 30, "sh", "-c", script)
	screen := term.WaitJoined("e2e", "EXIT=")
	for _, want := range []string{"EXIT=2", "IMAGEINVOKER_CONSOLE_SECURITY sets store.console_security",
		"store.console_security: off is refused", "IMAGEINVOKER_MENU_ROOT sets menu.root"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the console's screen lacks %q:\n%s", want, screen)
		}
	}
}
