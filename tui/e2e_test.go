package tui

import (
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	demodata "github.com/imageinvoker/imageinvoker/internal/demo"
)

// TestE2EDemoInTmux drives the BUILT binary in a real terminal: tmux runs
// `imageinvoker demo` in a detached 80x24 session, the test types as a
// technician would and reads the screen back with capture-pane, then finds
// the queued schedule in the demo store kept by --store-dir.
func TestE2EDemoInTmux(t *testing.T) {
	dir := t.TempDir()
	tmux, bin := e2eTools(t, dir)
	if out, err := exec.Command(bin, "demo", "--help").CombinedOutput(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("`imageinvoker demo` is not registered: %v\n%s", err, out)
		}
		t.Skipf("`imageinvoker demo` is not registered in internal/app yet: %s", strings.TrimSpace(string(out)))
	}
	storeDir := filepath.Join(dir, "store")
	sock := filepath.Join(dir, "tmux.sock")
	tm := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(tmux, append([]string{"-S", sock}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	tm("new-session", "-d", "-s", "e2e", "-x", "80", "-y", "24",
		"env", "TERM=xterm-256color", "IMAGEINVOKER_CONFIG=", bin, "demo", "--store-dir", storeDir, "--pickup-delay", "1s", "--after-queue", "stay")
	t.Cleanup(func() { _ = exec.Command(tmux, "-S", sock, "kill-server").Run() })

	capture := func() string { return tm("capture-pane", "-p", "-t", "e2e") }
	waitScreen := func(want string) string {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		var screen string
		for time.Now().Before(deadline) {
			screen = capture()
			if strings.Contains(screen, want) {
				return screen
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("screen never showed %q; last screen:\n%s", want, screen)
		return ""
	}
	keys := func(k ...string) { tm(append([]string{"send-keys", "-t", "e2e"}, k...)...) }

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

// e2eTools finds tmux and the binary the end-to-end tests drive: the one
// IMAGEINVOKER_E2E_BIN names (a release build), or a fresh build into dir.
// Without tmux they skip, except under CI=true, where they fail.
func e2eTools(t *testing.T, dir string) (tmux, bin string) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test builds the binary; skipped with -short")
	}
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tmux is required in CI for the end-to-end console test (apt-get install tmux)")
		}
		t.Skip("tmux is not installed; the end-to-end console test needs it")
	}
	if bin = os.Getenv("IMAGEINVOKER_E2E_BIN"); bin != "" {
		return tmux, bin
	}
	bin = filepath.Join(dir, "imageinvoker")
	build := exec.Command("go", "build", "-o", bin, "./cmd/imageinvoker")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return tmux, bin
}
