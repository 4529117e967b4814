package tui

// The end-to-end tests: the BUILT binary as the console in a real terminal
// (tmux), the way boot media start it.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/tmuxtest"
	"github.com/imageinvoker/imageinvoker/pkg/express/expresstest"
)

// TestE2EDemoInTmux drives the BUILT binary in a real terminal: tmux runs
// `imageinvoker demo` in a detached 80x24 session, the test types as a
// technician would and reads the screen back with capture-pane, then finds
// the queued schedule in the demo store kept by --store-dir.
func TestE2EDemoInTmux(t *testing.T) {
	term, bin, dir := e2eSetup(t)
	if out, err := exec.Command(bin, "demo", "--help").CombinedOutput(); err != nil {
		t.Fatalf("`imageinvoker demo --help`: %v\n%s", err, out)
	}
	storeDir := filepath.Join(dir, "store")
	term.Start("e2e", 80, 24, append([]string{"env", "TERM=xterm-256color", "IMAGEINVOKER_CONFIG=", bin}, tmuxtest.DemoArgs(storeDir)...)...)
	term.QueueOnDemo("e2e", storeDir)
}

// e2eSetup gives an end-to-end test its tmux (tmuxtest: skips without it,
// fails under CI), the binary to drive and a temporary directory. The
// binary is the one IMAGEINVOKER_E2E_BIN names (a release build), or one
// build of ./cmd/imageinvoker shared by every test of this process. The
// tests run in parallel: each has its own tmux server and files, and most
// of their time is spent waiting for a screen.
func e2eSetup(t *testing.T) (term *tmuxtest.Term, bin, dir string) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test builds the binary; skipped with -short")
	}
	t.Parallel()
	term = tmuxtest.New(t)
	if bin = os.Getenv("IMAGEINVOKER_E2E_BIN"); bin == "" {
		bin = e2eBinary(t)
	}
	return term, bin, t.TempDir()
}

var (
	e2eBuild    sync.Once
	e2eBuildDir string // made by TestMain, removed after the tests
	e2eBuilt    string
	e2eBuildErr error
)

func e2eBinary(t *testing.T) string {
	t.Helper()
	e2eBuild.Do(func() {
		bin := filepath.Join(e2eBuildDir, "imageinvoker")
		// Built as a release is (scripts/release-env.sh, -trimpath): what
		// boot media carry, and the compile scripts/test has already done.
		build := exec.Command("bash", "-c", `. scripts/release-env.sh && exec go build -trimpath -o "$1" ./cmd/imageinvoker`, "build", bin)
		build.Dir = ".."
		if out, err := build.CombinedOutput(); err != nil {
			e2eBuildErr = fmt.Errorf("build: %v\n%s", err, out)
			return
		}
		e2eBuilt = bin
	})
	if e2eBuildErr != nil {
		t.Fatal(e2eBuildErr)
	}
	return e2eBuilt
}

func TestMain(m *testing.M) { tmuxtest.Main(m, "imageinvoker-e2e-", &e2eBuildDir) }

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

// TestE2ESitePromptInTmux drives the BUILT console in a real terminal with
// a config whose sites match no address of this machine and sites_prompt
// on: the console asks for the site first, builds itself on the chosen
// site's store, and names the site on the status line. --site on the
// console is refused (boot-media policy).
func TestE2ESitePromptInTmux(t *testing.T) {
	term, bin, dir := e2eSetup(t)
	store := expresstest.LabFile(t)
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
