package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// The demo's "Disk wipe (DoD 3-pass)" runs a script and shuts down: only
// its `[imageinvoker: erases]` marker says it destroys data. The menu
// preview, Confirm and Queued all warn for it, as they do for an image
// (menu.Entry.Effects decides; the screens only render it).
func TestErasingJobWarnsOnEveryScreen(t *testing.T) {
	cases := []struct {
		name  string
		drive func(h *harness)
		want  state
		warn  string
	}{
		{"menu preview", func(h *harness) { h.filterMenu("dave", "dave-demo", "disk wipe") }, stateMenu, "ERASES THE DISK"},
		{"confirm", func(h *harness) { h.confirmJob("dave", "dave-demo", "disk wipe") }, stateConfirm, "THIS ERASES THE DISK OF PC-042"},
		{"queued", func(h *harness) { h.queueJob("dave", "dave-demo", "disk wipe") }, stateQueued, "THIS ERASES THE DISK OF PC-042"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newDemoHarness(t, testOptions(ASCII), 120, 40, nil)
			tc.drive(h)
			m := h.finish()
			if m.state != tc.want {
				t.Fatalf("on screen %v, want %v", m.state, tc.want)
			}
			view := m.View()
			if !strings.Contains(view, "Disk wipe") || !strings.Contains(view, tc.warn) {
				t.Errorf("the %s of the marked wipe job does not warn %q:\n%s", tc.name, tc.warn, view)
			}
		})
	}
}

// A job that erases nothing gets no warning on any screen.
func TestHarmlessJobDoesNotWarn(t *testing.T) {
	h := newDemoHarness(t, testOptions(ASCII), 120, 40, nil)
	h.filterMenu("dave", "dave-demo", "inventory only")
	h.press(tea.KeyEnter)
	h.waitFor("Queue this job?")
	h.runes("y")
	h.waitFor("Queued: schedule")
	if view := h.finish().View(); strings.Contains(view, "ERASES") {
		t.Errorf("the queued screen of Inventory only warns:\n%s", view)
	}
}
