package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/pkg/express/expresstest"
)

// TestE2ESitePromptInTmux drives the BUILT console in a real terminal with
// a config whose sites match no address of this machine and sites_prompt
// on: the console asks for the site first, builds itself on the chosen
// site's store, and names the site on the status line. --site on the
// console is refused (boot-media policy).
func TestE2ESitePromptInTmux(t *testing.T) {
	term, bin, dir := e2eSetup(t)
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
	term.Start("prompt", 80, 24, "env", "TERM=xterm-256color", bin, "--config", cfg)
	prompt := term.Wait("prompt", "Choose the site")
	for _, want := range []string{"north", "south", "no site's subnets hold this"} {
		if !strings.Contains(prompt, want) {
			t.Errorf("prompt lacks %q:\n%s", want, prompt)
		}
	}
	term.Keys("prompt", "Down")
	term.Keys("prompt", "Enter")
	// The machine screen of the chosen site's store: the lab store does not
	// know this machine, which proves the console opened it.
	machine := term.Wait("prompt", "site: south")
	term.Wait("prompt", "not known to Deployment Server")
	t.Logf("site prompt (80x24):\n%s\nafter choosing south:\n%s", prompt, machine)

	term.Start("flag", 80, 24, "sh", "-c",
		"TERM=xterm-256color "+bin+" --config "+cfg+" --site south; echo EXIT=$?; sleep 60")
	refused := term.Wait("flag", "EXIT=2")
	if !strings.Contains(refused, "--site sets site") {
		t.Errorf("--site on the console was not refused by the policy:\n%s", refused)
	}
}
