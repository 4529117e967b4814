package bootmedia

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/tmuxtest"
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
	term := tmuxtest.New(t)
	// Wine's first start of a console program is slow on a loaded machine.
	term.Timeout, term.Poll = 60*time.Second, 200*time.Millisecond
	storeDir := filepath.Join(t.TempDir(), "store")
	// wine is started through env so the prefix and loader settings reach it
	// whatever tmux's server environment is. The store path is given in
	// Windows form: Wine maps the Unix root to drive Z:.
	argv := append([]string{"env", "TERM=xterm-256color", "IMAGEINVOKER_CONFIG="}, wineEnvOnly(w.env)...)
	argv = append(argv, w.loader, exe)
	argv = append(argv, tmuxtest.DemoArgs(`Z:`+strings.ReplaceAll(storeDir, "/", `\`))...)
	term.Start("e2e", 80, 24, argv...)
	term.QueueOnDemo("e2e", storeDir)
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
