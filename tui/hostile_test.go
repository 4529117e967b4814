package tui

import (
	"database/sql"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/imageinvoker/imageinvoker/internal/demo"
	"github.com/imageinvoker/imageinvoker/internal/setup"
)

// hostileName is what someone with DS rights could name a job (issue 9,
// attack 5): clear the screen, set the window title, leave the alternate
// screen, an 8-bit CSI and a C1 control, and a bare CR that returns the
// cursor to draw over what came before.
const hostileName = "\x1b[2J\x1b]0;pwned\x07\x1b[?1049l\u009b2J\u0085\rSAFE"

// hostileSequences are what must never reach the terminal from DS text.
var hostileSequences = []string{"\x1b[2J", "\x1b]0;", "\x1b[?1049l", "\u009b", "\u0085", "\r", "pwned"}

// The console draws DS names and descriptions without their control and
// escape sequences, so the erase warning stays on the screen.
func TestHostileJobNameIsDrawnHarmless(t *testing.T) {
	env, cfg := demoEnv(t, nil)
	db, err := sql.Open("sqlite", strings.TrimPrefix(cfg.Store.URL, "sqlite:"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, stmt := range []string{
		"UPDATE event SET name = name || ?, description = 'Wipes it.' || ? WHERE event_id = " + itoa(int(demo.JobWin11PhysicsLab)),
		"UPDATE event_folder SET name = name || ? || ? WHERE folder_id = (SELECT folder_id FROM event WHERE event_id = " + itoa(int(demo.JobWin11PhysicsLab)) + ")",
	} {
		if _, err := db.Exec(stmt, hostileName, hostileName); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	for _, look := range []Look{Styled, ASCII} {
		for _, screen := range []string{"menu", "confirm"} {
			name := screen + "_hostile_80x24_" + map[Look]string{Styled: "styled", ASCII: "ascii"}[look]
			t.Run(name, func(t *testing.T) {
				h := newHarness(t, NewFlowBackend(env.Flow, setup.DemoOverride(), nil), testOptions(look), 80, 24)
				h.filterMenu("dave", "dave-demo", "physics")
				if screen == "confirm" {
					h.press(tea.KeyEnter)
					h.waitFor("Queue this job?")
				}
				view := h.finish().View()
				for _, seq := range hostileSequences {
					if strings.Contains(view, seq) {
						t.Errorf("the frame holds %q from DS:\n%q", seq, view)
					}
				}
				if !strings.Contains(view, "SAFE") {
					t.Errorf("the frame lacks the job's name:\n%s", view)
				}
				if screen == "confirm" && !strings.Contains(view, "THIS ERASES THE DISK") {
					t.Errorf("confirm lacks the erase warning:\n%s", view)
				}
				if look == ASCII {
					golden(t, name, view)
				}
			})
		}
	}
}
