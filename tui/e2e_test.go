package tui

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	demodata "github.com/imageinvoker/imageinvoker/internal/demo"
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
	term.Start("e2e", 80, 24, "env", "TERM=xterm-256color", "IMAGEINVOKER_CONFIG=", bin, "demo", "--store-dir", storeDir, "--pickup-delay", "1s", "--after-queue", "stay")
	waitScreen := func(want string) string { t.Helper(); return term.Wait("e2e", want) }
	keys := func(k ...string) { t.Helper(); term.Keys("e2e", k...) }

	waitScreen("Press Enter to sign in")
	keys("Enter")
	waitScreen("Password:")
	keys("-l", "dave")
	keys("Enter")
	keys("-l", "dave-demo")
	keys("Enter")
	menuScreen := waitScreen("in all")
	keys("/")
	keys("-l", "win11 physics")
	filtered := waitScreen("1 of ")
	keys("Enter")
	confirmScreen := waitScreen("Queue this job?")
	keys("y")
	queued := waitScreen("Queued: schedule")
	t.Logf("menu (80x24):\n%s\nfiltered:\n%s\nconfirm (80x24):\n%s\nqueued:\n%s", menuScreen, filtered, confirmScreen, queued)

	m := regexp.MustCompile(`Queued: schedule (\d+)`).FindStringSubmatch(queued)
	if m == nil {
		t.Fatalf("no schedule id on screen:\n%s", queued)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	picked := waitScreen("picked it up")
	t.Logf("picked up:\n%s", picked)

	db, err := sql.Open("sqlite", filepath.Join(storeDir, demodata.StoreFile)+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var computer, job int64
	var user, status string
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = db.QueryRowContext(ctx, `SELECT computer_id, event_id, COALESCE(user_name, ''), COALESCE(status, '') FROM event_schedule WHERE schedule_id = ?`, id).
		Scan(&computer, &job, &user, &status)
	if err != nil {
		t.Fatalf("schedule %d is not in the demo store: %v", id, err)
	}
	if computer != demodata.ComputerID || !strings.EqualFold(user, demodata.Domain+`\dave`) || status != "Running" {
		t.Errorf("schedule %d: computer %d user %q status %q; want computer %d, user %s\\dave, status Running (picked up by the demo DS)",
			id, computer, user, status, demodata.ComputerID, demodata.Domain)
	}
	keys("q")
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
