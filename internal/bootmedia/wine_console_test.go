package bootmedia

import (
	"context"
	"database/sql"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/imageinvoker/imageinvoker/internal/demo"
)

// testConsoleUnderWine is tui/e2e_test.go's technician, on the Windows
// build: tmux gives Wine a real 80x24 terminal, Wine's console host turns
// the Windows console the program sees (bubbletea's Windows input and VT
// output) into that terminal, and the test types and reads the screen back.
// Sign in, filter, confirm, queued, and the schedule in the demo store.
//
// It checks what each screen says, not where: Wine 8's console host counts
// the bytes of colour escape sequences as columns, so it wraps full-width
// styled lines (the title bar, the rule) early, and an escape right after
// the last column wraps once more. Frames end lower than they began, the
// screen scrolls and stale lines stay. Plain text of the same width lays out
// right, and `--ascii`, TERM=dumb or vt100 and `wine cmd /c` all behave the
// same; wineconsole needs an X display. Real Windows consoles are not
// affected, so asserting the layout here would test Wine, not the program.
func testConsoleUnderWine(t *testing.T, w *wine, exe string) {
	need(t, "tmux")
	dir := t.TempDir()
	storeDir := filepath.Join(dir, "store")
	sock := filepath.Join(dir, "tmux.sock")
	tm := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("tmux", append([]string{"-S", sock}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	// wine is started through env so the prefix and loader settings reach it
	// whatever tmux's server environment is. The store path is given in
	// Windows form: Wine maps the Unix root to drive Z:.
	argv := append([]string{"new-session", "-d", "-s", "e2e", "-x", "80", "-y", "24", "env", "TERM=xterm-256color", "IMAGEINVOKER_CONFIG="},
		wineEnvOnly(w.env)...)
	argv = append(argv, w.loader, exe, "demo", "--store-dir", `Z:`+strings.ReplaceAll(storeDir, "/", `\`), "--pickup-delay", "1s", "--after-queue", "stay")
	start := time.Now()
	tm(argv...)
	t.Cleanup(func() { _ = exec.Command("tmux", "-S", sock, "kill-server").Run() })

	capture := func() string { return tm("capture-pane", "-p", "-t", "e2e") }
	waitScreen := func(want string) string {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		var screen string
		for time.Now().Before(deadline) {
			screen = capture()
			if strings.Contains(screen, want) {
				return screen
			}
			time.Sleep(200 * time.Millisecond)
		}
		t.Fatalf("screen never showed %q; last screen:\n%s", want, screen)
		return ""
	}
	keys := func(k ...string) { tm(append([]string{"send-keys", "-t", "e2e"}, k...)...) }

	first := waitScreen("Press Enter to sign in")
	t.Logf("machine screen after %s:\n%s", time.Since(start).Round(time.Millisecond), first)
	if !strings.Contains(first, "This machine is "+demo.ComputerName+" in Deployment Server") {
		t.Errorf("machine screen does not name the demo computer:\n%s", first)
	}
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
	t.Logf("menu:\n%s\nfiltered:\n%s\nconfirm:\n%s\nqueued:\n%s", menuScreen, filtered, confirmScreen, queued)

	m := regexp.MustCompile(`Queued: schedule (\d+)`).FindStringSubmatch(queued)
	if m == nil {
		t.Fatalf("no schedule id on screen:\n%s", queued)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	picked := waitScreen("picked it up")
	t.Logf("picked up after %s:\n%s", time.Since(start).Round(time.Millisecond), picked)

	db, err := sql.Open("sqlite", filepath.Join(storeDir, demo.StoreFile)+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var computer int64
	var user, status string
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = db.QueryRowContext(ctx, `SELECT computer_id, COALESCE(user_name, ''), COALESCE(status, '') FROM event_schedule WHERE schedule_id = ?`, id).
		Scan(&computer, &user, &status)
	if err != nil {
		t.Fatalf("schedule %d is not in the demo store the Windows binary wrote: %v", id, err)
	}
	if computer != demo.ComputerID || !strings.EqualFold(user, demo.Domain+`\dave`) || status != "Running" {
		t.Errorf("schedule %d: computer %d user %q status %q; want computer %d, user %s\\dave, status Running",
			id, computer, user, status, demo.ComputerID, demo.Domain)
	}
	keys("q")
}

// wineEnvOnly picks the Wine settings out of env as NAME=value arguments
// for env(1).
func wineEnvOnly(env []string) []string {
	var out []string
	for _, kv := range env {
		if strings.HasPrefix(kv, "WINE") {
			out = append(out, kv)
		}
	}
	return out
}
