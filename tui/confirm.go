package tui

import (
	"context"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/internal/termsafe"
	"github.com/imageinvoker/imageinvoker/pkg/menu"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

type confirmScreen struct {
	entry menu.Entry
	typed textinput.Model
	err   string
	// others are the other jobs already pending for this machine.
	others []model.Schedule
}

// pendingMsg is what Confirm learned of the machine's pending schedules.
type pendingMsg struct {
	jobID int64
	list  []model.Schedule
}

type queuedMsg struct {
	q   Queued
	err error
}

func (m *Model) openConfirm(e menu.Entry) tea.Cmd {
	t := textinput.New()
	t.Prompt, t.CharLimit = "", 64
	t.Cursor.Style, t.TextStyle = m.st.body, m.st.body
	t.Cursor.SetMode(cursor.CursorStatic)
	m.confirm = confirmScreen{entry: e, typed: t}
	m.enter(stateConfirm)
	// Ask, without blocking, whether another job is already pending here:
	// two imaging jobs queued for one machine run one after the other.
	b, timeout := m.b, m.o.StepTimeout
	pending := func() tea.Msg {
		ctx, cancel := context.WithTimeout(m.o.Context, timeout)
		defer cancel()
		list, err := b.Pending(ctx)
		if err != nil {
			return nil // only a warning: Confirm works without it
		}
		return pendingMsg{jobID: e.ID, list: list}
	}
	if m.o.TypeToConfirm {
		return tea.Batch(m.confirm.typed.Focus(), pending)
	}
	return pending
}

func (m *Model) onPending(msg pendingMsg) {
	c := &m.confirm
	if msg.jobID != c.entry.ID {
		return
	}
	c.others = nil
	for _, s := range msg.list {
		if s.JobID != c.entry.ID {
			c.others = append(c.others, s)
		}
	}
}

func (m *Model) updateConfirm(msg tea.Msg) tea.Cmd {
	c := &m.confirm
	if p, ok := msg.(pendingMsg); ok {
		m.onPending(p)
		return nil
	}
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		var cmd tea.Cmd
		c.typed, cmd = c.typed.Update(msg)
		return cmd
	}
	if m.o.TypeToConfirm {
		switch {
		case key.Matches(k, m.keys.Cancel):
			m.enter(stateMenu)
			return nil
		case key.Matches(k, m.keys.Submit):
			// DS computer names are NetBIOS names: case does not matter.
			if !strings.EqualFold(strings.TrimSpace(c.typed.Value()), m.machine.Name) {
				c.err = "That is not this machine's name. Type " + m.machine.Name + " exactly, or Esc to go back."
				c.typed.Reset()
				return nil
			}
			return m.startQueue()
		}
		var cmd tea.Cmd
		c.typed, cmd = c.typed.Update(k)
		return cmd
	}
	switch {
	case key.Matches(k, m.keys.Yes):
		return m.startQueue()
	case key.Matches(k, m.keys.No):
		m.enter(stateMenu)
	}
	return nil
}

func (m *Model) startQueue() tea.Cmd {
	e := m.confirm.entry
	return m.startStep("Queueing "+e.Name+" for "+m.machine.Name+"...", stateConfirm, exitcode.StoreDown, m.o.StepTimeout,
		func(ctx context.Context) tea.Msg {
			q, err := m.b.Queue(ctx, e)
			return queuedMsg{q, err}
		})
}

func (m *Model) keysConfirm() []key.Binding {
	if m.o.TypeToConfirm {
		return []key.Binding{
			key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "queue it")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
			m.keys.Quit,
		}
	}
	return []key.Binding{m.keys.Yes, m.keys.No, m.keys.Help, m.keys.Quit}
}

func (m *Model) viewConfirm(w, h int) string {
	c := &m.confirm
	e := c.entry
	var b strings.Builder
	b.WriteString("\n  " + m.st.label.Render("Queue this job?") + "\n\n")
	row := func(label, v string) {
		b.WriteString("  " + m.st.label.Render(padRight(label, 9)) + truncate(v, w-13) + "\n")
	}
	row("Job:", e.Name)
	if e.Path != "" {
		row("Folder:", e.Path)
	}
	row("Machine:", m.machine.Name+" (computer "+strconv.FormatInt(m.machine.ComputerID, 10)+")")
	if d := strings.TrimSpace(e.Description); d != "" {
		// The administrator's own words on what the job does; at most
		// three lines, so the erase warning always fits below.
		lines := wrap(strings.Join(strings.Fields(d), " "), w-13)
		if len(lines) > 3 {
			lines = append(lines[:2], truncate(lines[2]+" ...", w-13))
		}
		for i, l := range lines {
			label := ""
			if i == 0 {
				label = "About:"
			}
			b.WriteString("  " + m.st.label.Render(padRight(label, 9)) + m.st.muted.Render(l) + "\n")
		}
	}
	var words []string
	erases := false
	if e.Job != nil {
		words, erases = describeTasks(e.Job.Tasks)
	}
	if e.Erases {
		words = append(words, "destroy data on this machine (marked so by your DS administrator)")
		erases = true
	}
	b.WriteString("\n  " + m.st.label.Render("It will:") + "\n")
	for i, wd := range words {
		b.WriteString("    " + truncate(strconv.Itoa(i+1)+". "+wd, w-6) + "\n")
	}
	if len(words) == 0 {
		b.WriteString("    (this job has no tasks)\n")
	}
	b.WriteString("\n")
	if erases {
		warn := m.st.alarm + "THIS ERASES THE DISK OF " + strings.ToUpper(m.machine.Name) + ". Everything on it is lost."
		b.WriteString("  " + m.st.danger.Render(truncate(warn, w-4)) + "\n\n")
	}
	for _, o := range c.others {
		by := ""
		if o.UserName != "" {
			by = " by " + termsafe.Line(o.UserName)
		}
		warn := "Another job (id " + strconv.FormatInt(o.JobID, 10) + ", schedule " + strconv.FormatInt(o.ID, 10) + ") is already queued for this machine" + by + "; DS runs both."
		for _, l := range wrap(warn, w-4) {
			b.WriteString("  " + m.st.warning.Render(l) + "\n")
		}
	}
	if len(c.others) > 0 {
		b.WriteString("\n")
	}
	if m.work.note != "" {
		for _, l := range wrap(m.work.note+" Queueing again is safe: DS keeps one schedule per job and machine.", w-4) {
			b.WriteString("  " + m.st.muted.Render(l) + "\n")
		}
	}
	if m.o.TypeToConfirm {
		b.WriteString("  To queue it, type this machine's name (" + m.machine.Name + ") and press Enter:\n")
		b.WriteString("  " + m.st.cursor + c.typed.View() + "\n")
		if c.err != "" {
			b.WriteString("  " + m.st.errorText.Render(truncate(c.err, w-4)) + "\n")
		}
	} else {
		b.WriteString("  Press y to queue it, n or Esc to go back.\n")
	}
	return b.String()
}

// describeTasks says what a job's tasks do, in plain words, and whether
// any of them erases the disk: a distribute-image task (or an image task
// whose create/distribute detail is unknown — fail safe) or a scripted OS
// install.
func describeTasks(tasks []model.Task) (words []string, erases bool) {
	for _, t := range tasks {
		w, e := describeTask(t)
		words = append(words, w)
		erases = erases || e
	}
	return words, erases
}

func describeTask(t model.Task) (string, bool) {
	switch t.Type {
	case model.TaskRunScript:
		return "run a script", false
	case model.TaskPowerControl:
		if t.PowerType != nil {
			switch *t.PowerType {
			case model.PowerReboot:
				return "reboot", false
			case model.PowerShutdown:
				return "shut down", false
			case model.PowerLogOff:
				return "log off", false
			case model.PowerWakeUp:
				return "wake up", false
			}
		}
		return "power control (reboot or shut down)", false
	case model.TaskCopyFile:
		return "copy files to this machine", false
	case model.TaskRegistry:
		return "back up or restore the registry", false
	case model.TaskModifyConfig:
		return "change the machine's configuration (name, domain, network)", false
	case model.TaskImage:
		if t.CreateImage != nil && *t.CreateImage {
			return "create a disk image of this machine", false
		}
		return "distribute a disk image (ERASES THE DISK)", true
	case model.TaskSoftware:
		return "install software", false
	case model.TaskScriptedInstall:
		return "scripted OS install (ERASES THE DISK)", true
	case model.TaskPersonality:
		return "capture or restore user settings (personality)", false
	case model.TaskInventory:
		return "collect inventory", false
	}
	return "task of type " + strconv.Itoa(t.Type), false
}
