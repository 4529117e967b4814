package tui

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/tmuxtest"
)

// TestE2EDemoInTmux drives the BUILT binary in a real terminal: tmux runs
// `imageinvoker demo` in a detached 80x24 session, the test types as a
// technician would and reads the screen back with capture-pane, then finds
// the queued schedule in the demo store kept by --store-dir.
func TestE2EDemoInTmux(t *testing.T) {
	term, bin, dir := e2eSetup(t)
	if out, err := exec.Command(bin, "demo", "--help").CombinedOutput(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("`imageinvoker demo` is not registered: %v\n%s", err, out)
		}
		t.Skipf("`imageinvoker demo` is not registered in internal/app yet: %s", strings.TrimSpace(string(out)))
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
		build := exec.Command("go", "build", "-o", bin, "./cmd/imageinvoker")
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

func TestMain(m *testing.M) {
	d, err := os.MkdirTemp("", "imageinvoker-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	e2eBuildDir = d
	code := m.Run()
	os.RemoveAll(d)
	os.Exit(code)
}
