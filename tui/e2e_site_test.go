package tui

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imageinvoker/imageinvoker/pkg/express/expresstest"
)

// TestE2ESitePromptInTmux drives the BUILT console in a real terminal with
// a config whose sites match no address of this machine and sites_prompt
// on: the console asks for the site first, builds itself on the chosen
// site's store, and names the site on the status line. --site on the
// console is refused (boot-media policy).
func TestE2ESitePromptInTmux(t *testing.T) {
	dir := t.TempDir()
	tmux, bin := e2eTools(t, dir)
	fixture, err := os.ReadFile(filepath.Join("..", "testdata", "preview", "lab.sql"))
	if err != nil {
		t.Fatal(err)
	}
	store := expresstest.NewFile(t, string(fixture))
	// TEST-NET-2 and -3: no test machine has these addresses.
	cfg := filepath.Join(dir, "imageinvoker.yaml")
	body := "store:\n  url: 'sqlite:" + filepath.Join(dir, "no-such.db") + "'\ndirectory:\n  dcs: [ldaps://127.0.0.1:1]\n  dns_domain: lab.example\n" +
		"sites:\n  - name: north\n    subnets: [198.51.100.0/24]\n  - name: south\n    subnets: [203.0.113.0/24]\n    store:\n      url: 'sqlite:" + store + "'\n" +
		"sites_prompt: true\nlook:\n  style: ascii\n"
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
	t.Cleanup(func() { _ = exec.Command(tmux, "-S", sock, "kill-server").Run() })
	waitScreen := func(session, want string) string {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		var screen string
		for time.Now().Before(deadline) {
			screen = tm("capture-pane", "-p", "-t", session)
			if strings.Contains(screen, want) {
				return screen
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("screen never showed %q; last screen:\n%s", want, screen)
		return ""
	}

	tm("new-session", "-d", "-s", "prompt", "-x", "80", "-y", "24", "env", "TERM=xterm-256color", bin, "--config", cfg)
	prompt := waitScreen("prompt", "Choose the site")
	for _, want := range []string{"north", "south", "no site's subnets hold this"} {
		if !strings.Contains(prompt, want) {
			t.Errorf("prompt lacks %q:\n%s", want, prompt)
		}
	}
	tm("send-keys", "-t", "prompt", "Down")
	tm("send-keys", "-t", "prompt", "Enter")
	// The machine screen of the chosen site's store: the lab store does not
	// know this machine, which proves the console opened it.
	machine := waitScreen("prompt", "site: south")
	waitScreen("prompt", "not known to Deployment Server")
	t.Logf("site prompt (80x24):\n%s\nafter choosing south:\n%s", prompt, machine)

	tm("new-session", "-d", "-s", "flag", "-x", "80", "-y", "24", "sh", "-c",
		"TERM=xterm-256color "+bin+" --config "+cfg+" --site south; echo EXIT=$?; sleep 60")
	refused := waitScreen("flag", "EXIT=2")
	if !strings.Contains(refused, "--site sets site") {
		t.Errorf("--site on the console was not refused by the policy:\n%s", refused)
	}
}
