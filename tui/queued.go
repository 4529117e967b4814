package tui

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/internal/flow"
	"github.com/imageinvoker/imageinvoker/internal/termsafe"
	"github.com/imageinvoker/imageinvoker/pkg/menu"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// queuedScreen watches the schedule until DS picks it up, then runs the
// after-queue action.
type queuedScreen struct {
	q        Queued
	entry    menu.Entry
	cur      *model.Schedule
	pickedUp bool
	gone     bool // DS removed the row: it took the job and finished or dropped it
	pollErr  string
	since    time.Time
	pickedAt time.Time
	stay     bool
	erases   bool
}

type pollDue struct{ id int64 }

type scheduleMsg struct {
	id  int64
	s   *model.Schedule
	err error
}

func (m *Model) onQueued(msg queuedMsg) tea.Cmd {
	if msg.err != nil {
		return m.showError(msg.err, stateMenu)
	}
	_, erases := describeTasks(jobTasks(m.confirm.entry))
	m.queued = queuedScreen{q: msg.q, entry: m.confirm.entry, since: m.now(), erases: erases}
	m.enter(stateQueued)
	return m.schedulePoll()
}

func jobTasks(e menu.Entry) []model.Task {
	if e.Job == nil {
		return nil
	}
	return e.Job.Tasks
}

func (m *Model) schedulePoll() tea.Cmd {
	id := m.queued.q.Schedule.ID
	return tea.Tick(m.o.PollEvery, func(time.Time) tea.Msg { return pollDue{id} })
}

func (m *Model) poll(id int64) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(m.o.Context, m.o.StepTimeout)
		defer cancel()
		s, err := m.b.Schedule(ctx, id)
		return scheduleMsg{id, s, err}
	}
}

func (m *Model) updateQueued(msg tea.Msg) tea.Cmd {
	q := &m.queued
	switch msg := msg.(type) {
	case pollDue:
		if msg.id != q.q.Schedule.ID || q.pickedUp {
			return nil
		}
		return m.poll(msg.id)
	case scheduleMsg:
		if msg.id != q.q.Schedule.ID || q.pickedUp {
			return nil
		}
		switch {
		case msg.err != nil:
			q.pollErr = userMessage(msg.err)
		case msg.s == nil:
			q.pickedUp, q.gone, q.pickedAt, q.pollErr = true, true, m.now(), ""
		default:
			q.cur, q.pollErr = msg.s, ""
			if flow.PickedUp(q.q.Schedule, *msg.s) {
				q.pickedUp, q.pickedAt = true, m.now()
			}
		}
		if q.pickedUp {
			m.lastInput = m.now() // the idle clock of a stayed screen starts now
			return nil
		}
		return m.schedulePoll()
	case tea.KeyMsg:
		return m.queuedKey(msg)
	}
	return nil
}

func (m *Model) queuedKey(k tea.KeyMsg) tea.Cmd {
	q := &m.queued
	switch {
	case key.Matches(k, m.keys.QuitMenu):
		m.b.SignOut()
		return m.quit(Result{})
	case !q.pickedUp:
		return nil
	case key.Matches(k, m.keys.Stay) && m.o.AfterQueue != "stay":
		q.stay = true
	case key.Matches(k, m.keys.Submit):
		if m.o.AfterQueue == "stay" || q.stay {
			// Load the menu again: what was allowed before may have
			// changed, and the queued job is now pending for this machine.
			return m.startLoad()
		}
		return m.afterQueue()
	}
	return nil
}

func (m *Model) afterQueue() tea.Cmd {
	m.b.SignOut()
	if m.o.AfterQueue == "reboot" {
		return m.quit(Result{Power: "reboot"})
	}
	return m.quit(Result{})
}

func (m *Model) queuedClock(now time.Time) tea.Cmd {
	q := &m.queued
	if !q.pickedUp {
		if now.Sub(q.since) > m.o.WatchTimeout {
			return m.showError(exitcode.New(exitcode.Timeout,
				"Deployment Server has not picked up schedule %d yet after %s. It stays queued; check the DS console.",
				q.q.Schedule.ID, m.o.WatchTimeout), stateError)
		}
		return nil
	}
	if m.o.AfterQueue == "stay" || q.stay {
		return nil
	}
	if m.afterQueueLeft(now) <= 0 {
		return m.afterQueue()
	}
	return nil
}

func (m *Model) afterQueueLeft(now time.Time) time.Duration {
	return m.o.AfterQueueDelay - now.Sub(m.queued.pickedAt)
}

func (m *Model) keysQueued() []key.Binding {
	q := &m.queued
	ks := []key.Binding{}
	if q.pickedUp {
		switch {
		case m.o.AfterQueue == "stay" || q.stay:
			ks = append(ks, key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "back to the menu")))
		case m.o.AfterQueue == "reboot":
			ks = append(ks, key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "reboot now")), m.keys.Stay)
		default:
			ks = append(ks, key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "exit now")), m.keys.Stay)
		}
	}
	return append(ks, m.keys.QuitMenu, m.keys.Quit)
}

func (m *Model) viewQueued(w, h int) string {
	q := &m.queued
	var b strings.Builder
	put := func(s string) {
		for _, l := range wrap(s, w-4) {
			b.WriteString("  " + l + "\n")
		}
	}
	b.WriteString("\n")
	id := strconv.FormatInt(q.q.Schedule.ID, 10)
	if q.q.AlreadyQueued {
		b.WriteString("  " + m.st.ok.Render("Already queued: schedule "+id) + "\n")
		put(q.entry.Name + " was already queued for " + m.machine.Name + "; nothing new was added.")
	} else {
		b.WriteString("  " + m.st.ok.Render("Queued: schedule "+id) + "\n")
		put(q.entry.Name + " is queued for " + m.machine.Name + ".")
	}
	b.WriteString("\n")
	status := "queued"
	if q.cur != nil {
		status = scheduleStatus(*q.cur)
	} else if q.q.Schedule.Status != "" {
		status = scheduleStatus(q.q.Schedule)
	}
	switch {
	case q.gone:
		b.WriteString("  " + m.st.label.Render("Status: ") + "taken by Deployment Server (no longer scheduled)\n\n")
	default:
		b.WriteString("  " + m.st.label.Render("Status: ") + truncate(status, w-12) + "\n\n")
	}
	if !q.pickedUp {
		put("Waiting for Deployment Server to pick it up (checking every " + m.o.PollEvery.String() + ").")
		put("Leave this machine on: DS starts the job the next time its agent checks in.")
		if q.erases {
			put("DS will reboot this machine into automation and image it there; the screen going dark is expected.")
		} else {
			put("DS may reboot this machine to run it; that is expected.")
		}
		if q.pollErr != "" {
			b.WriteString("\n")
			for _, l := range wrap("Could not read the schedule back (retrying): "+q.pollErr, w-4) {
				b.WriteString("  " + m.st.warning.Render(l) + "\n")
			}
		}
		return b.String()
	}
	put("Deployment Server picked it up. It now runs the job; this machine may reboot at any moment; that is expected.")
	b.WriteString("\n")
	switch {
	case m.o.AfterQueue == "stay" || q.stay:
		put("Press Enter to go back to the menu, or q to quit.")
	default:
		left := int((m.afterQueueLeft(m.now()) + time.Second - 1) / time.Second)
		what := "Exiting"
		if m.o.AfterQueue == "reboot" {
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
