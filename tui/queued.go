package tui

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/config"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/imageinvoker/imageinvoker/internal/flow"
	"github.com/imageinvoker/imageinvoker/internal/termsafe"
	"github.com/imageinvoker/imageinvoker/pkg/menu"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// queuedScreen watches the schedule until DS picks it up, then runs the
// after-queue action. It asks the flow's CheckPickup on a tick, the look
// `run --wait` takes in a loop.
type queuedScreen struct {
	still
	*app
	q        Queued
	entry    menu.Entry
	cur      *model.Schedule
	pickup   flow.PickupState
	pollErr  string
	since    time.Time
	pickedAt time.Time
	stay     bool
	erases   bool
}

// pickupMsg is one CheckPickup's answer for schedule id.
type pickupMsg struct {
	id    int64
	state flow.PickupState
	s     *model.Schedule
	err   error
}

func (q *queuedScreen) open(qd Queued, e menu.Entry) tea.Cmd {
	*q = queuedScreen{app: q.app, q: qd, entry: e, since: q.now(), erases: e.Effects().ErasesDisk}
	if q.o.HandOver {
		// DS's agent starts once this program exits: no pick-up to wait
		// for, the countdown to the hand-over starts now.
		q.pickedAt = q.since
		return q.nav.show(stateQueued)
	}
	return tea.Batch(q.nav.show(stateQueued), q.schedulePoll())
}

// schedulePoll calls CheckPickup once PollEvery has passed, off the
// program's goroutine.
func (q *queuedScreen) schedulePoll() tea.Cmd {
	b, o, queued := q.b, q.o, q.q.Schedule
	return tea.Tick(o.PollEvery, func(time.Time) tea.Msg {
		ctx, cancel := context.WithTimeout(o.Context, o.StepTimeout)
		defer cancel()
		st, s, err := b.CheckPickup(ctx, queued)
		return pickupMsg{queued.ID, st, s, err}
	})
}

// pickedUp says DS took the job: its status moved on, or the row is gone.
func (q *queuedScreen) pickedUp() bool { return q.pickup != flow.PickupPending }

// stays says the console stays on this screen once DS picked the job up.
func (q *queuedScreen) stays() bool { return q.o.AfterQueue == config.AfterStay || q.stay }

func (q *queuedScreen) name() string { return "Queued" }
func (q *queuedScreen) waits() bool  { return q.pickedUp() && q.stays() }

func (q *queuedScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case pickupMsg:
		if msg.id != q.q.Schedule.ID || q.pickedUp() {
			return nil
		}
		if msg.err != nil {
			q.pollErr = userMessage(msg.err)
			return q.schedulePoll()
		}
		q.pickup, q.pollErr = msg.state, ""
		if msg.s != nil {
			q.cur = msg.s
		}
		if q.pickedUp() {
			q.pickedAt = q.now()
			q.lastInput = q.now() // the idle clock of a stayed screen starts now
			return nil
		}
		return q.schedulePoll()
	case tea.KeyMsg:
		return q.key(msg)
	}
	return nil
}

func (q *queuedScreen) key(k tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(k, q.keys.QuitMenu):
		q.b.SignOut()
		return q.nav.quit(Result{})
	case q.o.HandOver:
		if key.Matches(k, q.handOverKey()) {
			return q.handOver()
		}
		return nil
	case !q.pickedUp():
		return nil
	case key.Matches(k, q.keys.Stay) && q.o.AfterQueue != config.AfterStay:
		q.stay = true
	case key.Matches(k, q.enterKey()):
		if q.stays() {
			// Load the menu again: what was allowed before may have
			// changed, and the queued job is now pending for this machine.
			return q.nav.loadMenu()
		}
		return q.afterQueue()
	}
	return nil
}

// enterKey is Enter once DS picked the job up: what it does depends on the
// after-queue action.
func (q *queuedScreen) enterKey() key.Binding {
	switch {
	case q.stays():
		return relabel(q.keys.Submit, "enter", "back to the menu")
	case q.o.AfterQueue == config.AfterReboot:
		return relabel(q.keys.Submit, "enter", "reboot now")
	}
	return relabel(q.keys.Submit, "enter", "exit now")
}

func (q *queuedScreen) handOverKey() key.Binding {
	return relabel(q.keys.Submit, "enter", "hand over now")
}

// handOver ends the console so the boot wiring goes on to DS's agent.
func (q *queuedScreen) handOver() tea.Cmd {
	q.b.SignOut()
	return q.nav.quit(Result{})
}

func (q *queuedScreen) afterQueue() tea.Cmd {
	q.b.SignOut()
	if q.o.AfterQueue == config.AfterReboot {
		return q.nav.quit(Result{Power: PowerReboot})
	}
	return q.nav.quit(Result{})
}

func (q *queuedScreen) tick(now time.Time) tea.Cmd {
	if q.o.HandOver {
		if q.afterQueueLeft(now) <= 0 {
			return q.handOver()
		}
		return nil
	}
	if !q.pickedUp() {
		if now.Sub(q.since) > q.o.WatchTimeout {
			return q.nav.fail(flow.NotPickedUp(q.q.Schedule.ID, q.o.WatchTimeout), stateError)
		}
		return nil
	}
	if !q.stays() && q.afterQueueLeft(now) <= 0 {
		return q.afterQueue()
	}
	return nil
}

func (q *queuedScreen) afterQueueLeft(now time.Time) time.Duration {
	return q.o.AfterQueueDelay - now.Sub(q.pickedAt)
}

func (q *queuedScreen) ShortHelp() []key.Binding {
	ks := []key.Binding{}
	if q.o.HandOver {
		return append(ks, q.handOverKey(), q.keys.Quit)
	}
	if q.pickedUp() {
		ks = append(ks, q.enterKey())
		if !q.stays() {
			ks = append(ks, q.keys.Stay)
		}
	}
	return append(ks, q.keys.QuitMenu, q.keys.Quit)
}

func (q *queuedScreen) FullHelp() [][]key.Binding { return [][]key.Binding{q.ShortHelp()} }

func (q *queuedScreen) view(w, h int) string {
	var b strings.Builder
	put := func(s string) { wrapped(&b, s, w, plain) }
	b.WriteString("\n")
	id := strconv.FormatInt(q.q.Schedule.ID, 10)
	if q.q.AlreadyQueued {
		b.WriteString("  " + q.st.ok.Render("Already queued: schedule "+id) + "\n")
		put(q.entry.Name + " was already queued for " + q.machine.Name + "; nothing new was added.")
	} else {
		b.WriteString("  " + q.st.ok.Render("Queued: schedule "+id) + "\n")
		put(q.entry.Name + " is queued for " + q.machine.Name + ".")
	}
	if q.erases {
		b.WriteString("  " + q.st.danger.Render(truncate(eraseWarning(q.st, q.machine.Name), w-4)) + "\n")
	}
	b.WriteString("\n")
	if q.o.HandOver {
		put("Deployment Server's agent starts when this console exits, and picks the job up. " +
			"Nothing more is needed here: leave this machine on.")
		if q.erases {
			put("DS will reboot this machine into automation and image it there; the screen going dark is expected.")
		} else {
			put("DS may reboot this machine to run it; that is expected.")
		}
		b.WriteString("\n")
		left := int((q.afterQueueLeft(q.now()) + time.Second - 1) / time.Second)
		put("Handing over to DS's agent in " + strconv.Itoa(max(left, 0)) + " s. Enter: now.")
		return b.String()
	}
	status := "queued"
	if q.cur != nil {
		status = scheduleStatus(*q.cur)
	} else if q.q.Schedule.Status != "" {
		status = scheduleStatus(q.q.Schedule)
	}
	switch q.pickup {
	case flow.PickupGone:
		b.WriteString("  " + q.st.label.Render("Status: ") + "taken by Deployment Server (no longer scheduled)\n\n")
	default:
		b.WriteString("  " + q.st.label.Render("Status: ") + truncate(status, w-12) + "\n\n")
	}
	if !q.pickedUp() {
		put(q.pickup.Sentence() + " Checking every " + q.o.PollEvery.String() + ".")
		put("Leave this machine on: DS starts the job the next time its agent checks in.")
		if q.erases {
			put("DS will reboot this machine into automation and image it there; the screen going dark is expected.")
		} else {
			put("DS may reboot this machine to run it; that is expected.")
		}
		if q.pollErr != "" {
			b.WriteString("\n")
			wrapped(&b, "Could not read the schedule back (retrying): "+q.pollErr, w, q.st.warning.Render)
		}
		return b.String()
	}
	if q.pickup == flow.PickupGone {
		put(q.pickup.Sentence() + " This machine may reboot at any moment; that is expected.")
	} else {
		put(q.pickup.Sentence() + " It now runs the job; this machine may reboot at any moment; that is expected.")
	}
	b.WriteString("\n")
	if q.stays() {
		put("Press Enter to go back to the menu, or q to quit.")
	} else {
		left := int((q.afterQueueLeft(q.now()) + time.Second - 1) / time.Second)
		what := "Exiting"
		if q.o.AfterQueue == config.AfterReboot {
			what = "Rebooting"
		}
		put(what + " in " + strconv.Itoa(max(left, 0)) + " s. Enter: now. s: stay here.")
	}
	return b.String()
}

func scheduleStatus(s model.Schedule) string {
	st := termsafe.Line(s.Status)
	if st == "" {
		st = "queued"
	}
	if s.StatusCode != nil {
		st += " (code " + strconv.Itoa(*s.StatusCode) + ")"
	}
	return st
}
