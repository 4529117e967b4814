package tui

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/imageinvoker/imageinvoker/internal/config"
)

// pendingStatus reads a schedule's status from the harness's demo store.
func (h *harness) pendingStatus(id string) string {
	h.t.Helper()
	db, err := sql.Open("sqlite", strings.TrimPrefix(h.cfg.Store.URL, "sqlite:"))
	if err != nil {
		h.t.Fatal(err)
	}
	defer db.Close()
	var status sql.NullString
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := db.QueryRowContext(ctx, `SELECT status FROM event_schedule WHERE schedule_id = ?`, id).Scan(&status); err != nil {
		h.t.Fatalf("schedule %s: %v", id, err)
	}
	return status.String
}

// TestHandOverAfterQueueing: from the boot wiring, DS's agent starts only
// after the console exits, so the console must not wait for a pick-up.
// The Queued screen names the schedule, says the agent starts now, and
// Enter ends the console at once, exit 0, with the job still pending for
// the agent. after_queue: stay does not hold it back.
func TestHandOverAfterQueueing(t *testing.T) {
	o := testOptions(ASCII)
	o.HandOver = true
	o.AfterQueue = config.AfterStay
	o.AfterQueueDelay = time.Hour
	h := newDemoHarness(t, o, 80, 24, nil)
	h.queueJob("dave", "dave-demo", "win11")
	h.waitFor("Handing over to DS's agent in")
	h.press(tea.KeyEnter)
	m := h.final()
	if err := m.Result().Err; err != nil {
		t.Errorf("hand-over ended with %v, want exit 0", err)
	}
	view := m.queued.view(80, 24) // the screen as it was: the ended program draws nothing
	if !strings.Contains(joined(view), "agent starts when this console exits, and picks the job up") {
		t.Errorf("the Queued screen does not say DS's agent starts once the console exits:\n%s", view)
	}
	for _, not := range []string{"Waiting for Deployment Server", "Leave this machine on:"} {
		if strings.Contains(view, not) {
			t.Errorf("the hand-over screen still waits for the pick-up (%q):\n%s", not, view)
		}
	}
	id := strings.TrimPrefix(firstMatch(t, view, "Queued: schedule "), "Queued: schedule ")
	if st := h.pendingStatus(id); st != "" && !strings.EqualFold(st, "scheduled") {
		t.Errorf("schedule %s has status %q: something picked it up while the console ran", id, st)
	}
}

// TestHandOverCountsDown: without a key the console hands over by itself
// once the countdown ran out (here at the first clock tick).
func TestHandOverCountsDown(t *testing.T) {
	o := testOptions(ASCII)
	o.HandOver = true
	o.AfterQueueDelay = time.Millisecond
	h := newDemoHarness(t, o, 80, 24, nil)
	h.queueJob("dave", "dave-demo", "win11")
	if err := h.final().Result().Err; err != nil {
		t.Errorf("hand-over ended with %v, want exit 0", err)
	}
}

// TestHandOverExplainsUnknownMachine: an unknown machine cannot be waited
// for from the boot wiring (the agent that registers it starts after the
// console), and the machine screen says what to do.
func TestHandOverExplainsUnknownMachine(t *testing.T) {
	o := testOptions(ASCII)
	o.HandOver = true
	b := &fakeBackend{machine: Machine{LookedUp: true, Problem: "No computer in DS has MAC 52:54:00:12:34:56.", Identifiers: "MAC 52:54:00:12:34:56"}}
	h := newHarness(t, b, o, 80, 24)
	h.waitFor("not known to Deployment Server")
	view := h.finish().machineScr.view(80, 24)
	if !strings.Contains(joined(view), "the agent starts only after this console exits: press q to let the boot go on") {
		t.Errorf("the machine screen does not explain why waiting cannot help:\n%s", view)
	}
}

// joined is a screen's words on one line, wrapping undone.
func joined(s string) string { return strings.Join(strings.Fields(s), " ") }

func firstMatch(t *testing.T, s, prefix string) string {
	t.Helper()
	i := strings.Index(s, prefix)
	if i < 0 {
		t.Fatalf("%q not on screen:\n%s", prefix, s)
	}
	rest := s[i+len(prefix):]
	j := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
	if j < 0 {
		j = len(rest)
	}
	return prefix + rest[:j]
}
