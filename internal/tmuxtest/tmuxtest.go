// Package tmuxtest drives programs in a real terminal for end-to-end tests:
// a tmux server on its own socket runs each program in a detached session of
// a fixed size, the test types with send-keys and reads the screen back with
// capture-pane. Only tests import it.
package tmuxtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/testenv"
)

// Term is one tmux server, private to a test and killed when it ends.
type Term struct {
	t    testing.TB
	tmux string
	sock string
	// Timeout bounds each Wait; Poll is the pause between two captures.
	Timeout, Poll time.Duration
}

// New starts nothing yet: it finds tmux and gives the test its own socket.
// Without tmux the test skips, except when CI is set, where the test-deps
// scripts must have installed it and its absence is a failure.
func New(t testing.TB) *Term {
	t.Helper()
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		testenv.SkipOrFail(t, "tmux is not installed; the end-to-end console tests need it (scripts/install-test-deps.sh installs it)")
	}
	x := &Term{t: t, tmux: tmux, sock: filepath.Join(t.TempDir(), "tmux.sock"), Timeout: 20 * time.Second, Poll: 100 * time.Millisecond}
	t.Cleanup(func() { _ = exec.Command(tmux, "-S", x.sock, "kill-server").Run() })
	return x
}

// Cmd runs one tmux command on this server and returns its output; a failed
// command fails the test.
func (x *Term) Cmd(args ...string) string {
	x.t.Helper()
	out, err := exec.Command(x.tmux, append([]string{"-S", x.sock}, args...)...).CombinedOutput()
	if err != nil {
		x.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// Start runs argv in a new detached session of cols x rows.
func (x *Term) Start(session string, cols, rows int, argv ...string) {
	x.t.Helper()
	x.Cmd(append([]string{"new-session", "-d", "-s", session, "-x", strconv.Itoa(cols), "-y", strconv.Itoa(rows)}, argv...)...)
}

// Keys sends keys to the session, as tmux send-keys takes them ("-l" first
// for literal text).
func (x *Term) Keys(session string, keys ...string) {
	x.t.Helper()
	x.Cmd(append([]string{"send-keys", "-t", session}, keys...)...)
}

// Screen is the session's visible screen as text.
func (x *Term) Screen(session string) string {
	x.t.Helper()
	return x.Cmd("capture-pane", "-p", "-t", session)
}

// Wait captures the screen until it shows want and returns that screen; the
// test fails with the last screen when Timeout passes first.
func (x *Term) Wait(session, want string) string {
	x.t.Helper()
	return x.wait(want, func() string { return x.Screen(session) })
}

// WaitJoined is Wait on the screen with wrapped lines joined and runs of
// white space folded to one space, for messages longer than a line.
func (x *Term) WaitJoined(session, want string) string {
	x.t.Helper()
	return x.wait(want, func() string {
		return strings.Join(strings.Fields(x.Cmd("capture-pane", "-p", "-J", "-t", session)), " ")
	})
}

func (x *Term) wait(want string, capture func() string) string {
	x.t.Helper()
	deadline := time.Now().Add(x.Timeout)
	var screen string
	for time.Now().Before(deadline) {
		screen = capture()
		if strings.Contains(screen, want) {
			return screen
		}
		time.Sleep(x.Poll)
	}
	x.t.Fatalf("screen never showed %q within %s; last screen:\n%s", want, x.Timeout, screen)
	return ""
}

// Main is TestMain for the test binaries that build imageinvoker once and
// drive it: it makes the run's scratch directory (*dir; the shared builds
// go there), runs the tests and removes it.
func Main(m *testing.M, prefix string, dir *string) {
	d, err := os.MkdirTemp("", prefix)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	*dir = d
	code := m.Run()
	os.RemoveAll(d)
	os.Exit(code)
}
