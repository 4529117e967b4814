package tui

import (
	"context"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/imageinvoker/imageinvoker/internal/termsafe"
	"github.com/imageinvoker/imageinvoker/pkg/menu"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// confirmScreen says what the chosen job will do to this machine and asks
// before queueing it: y, or the machine's name typed (TypeToConfirm).
type confirmScreen struct {
	still
	*app
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

// open asks about e, and, without blocking, whether another job is already
// pending here: two imaging jobs queued for one machine run one after the
// other.
func (c *confirmScreen) open(e menu.Entry) tea.Cmd {
	*c = confirmScreen{app: c.app, entry: e, typed: c.field("", 64)}
	b, o := c.b, c.o
	pending := func() tea.Msg {
		ctx, cancel := context.WithTimeout(o.Context, o.StepTimeout)
		defer cancel()
		list, err := b.Pending(ctx)
		if err != nil {
			return nil // only a warning: Confirm works without it
		}
		return pendingMsg{jobID: e.ID, list: list}
	}
	return tea.Batch(c.nav.show(stateConfirm), pending)
}

func (c *confirmScreen) onPending(msg pendingMsg) {
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

func (c *confirmScreen) name() string { return "Confirm" }
func (c *confirmScreen) typing() bool { return c.o.TypeToConfirm }
func (c *confirmScreen) waits() bool  { return true }

func (c *confirmScreen) focus() tea.Cmd {
	if c.o.TypeToConfirm {
		return c.typed.Focus()
	}
	return nil
}

// yes and no are the keys that queue the job and go back.
func (c *confirmScreen) yesNo() (yes, no key.Binding) {
	if c.o.TypeToConfirm {
		return relabel(c.keys.Submit, "enter", "queue it"), c.keys.Cancel
	}
	return c.keys.Yes, c.keys.No
}

func (c *confirmScreen) update(msg tea.Msg) tea.Cmd {
	yes, no := c.yesNo()
	k, ok := msg.(tea.KeyMsg)
	switch {
	case !ok:
		if p, ok := msg.(pendingMsg); ok {
			c.onPending(p)
			return nil
		}
	case key.Matches(k, no):
		return c.nav.show(stateMenu)
	case key.Matches(k, yes) && c.o.TypeToConfirm:
		// DS computer names are NetBIOS names: case does not matter.
		if !strings.EqualFold(strings.TrimSpace(c.typed.Value()), c.machine.Name) {
			c.err = "That is not this machine's name. Type " + c.machine.Name + " exactly, or Esc to go back."
			c.typed.Reset()
			return nil
		}
		return c.queue()
	case key.Matches(k, yes):
		return c.queue()
	case !c.o.TypeToConfirm:
		return nil
	}
	var cmd tea.Cmd
	c.typed, cmd = c.typed.Update(msg)
	return cmd
}

func (c *confirmScreen) queue() tea.Cmd {
	e := c.entry
	queue := func(ctx context.Context) (Queued, error) { return c.b.Queue(ctx, e) }
	watch := func(q Queued) tea.Cmd { return c.nav.watch(q, e) }
	st := newStep("Queueing "+e.Name+" for "+c.machine.Name+"...", stateConfirm, queue, watch)
	st.sent = true
	return c.nav.run(st.orElse(func(err error) tea.Cmd { return c.nav.fail(err, stateMenu) }))
}

func (c *confirmScreen) ShortHelp() []key.Binding {
	yes, no := c.yesNo()
	if c.o.TypeToConfirm {
		return []key.Binding{yes, no, c.keys.Quit}
	}
	return []key.Binding{yes, no, c.keys.Help, c.keys.Quit}
}

func (c *confirmScreen) FullHelp() [][]key.Binding { return [][]key.Binding{c.ShortHelp()} }

func (c *confirmScreen) view(w, h int) string {
	e := c.entry
	var b strings.Builder
	b.WriteString("\n  " + c.st.label.Render("Queue this job?") + "\n\n")
	row := func(label, v string) {
		b.WriteString("  " + c.st.label.Render(padRight(label, 9)) + truncate(v, w-13) + "\n")
	}
	row("Job:", e.Name)
	if e.Path != "" {
		row("Folder:", e.Path)
	}
	row("Machine:", c.machine.Name+" (computer "+strconv.FormatInt(c.machine.ComputerID, 10)+")")
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
			b.WriteString("  " + c.st.label.Render(padRight(label, 9)) + c.st.muted.Render(l) + "\n")
		}
	}
	fx := e.Effects()
	words, erases := fx.Steps, fx.ErasesDisk
	b.WriteString("\n  " + c.st.label.Render("It will:") + "\n")
	for i, wd := range words {
		b.WriteString("    " + truncate(strconv.Itoa(i+1)+". "+wd, w-6) + "\n")
	}
	if len(words) == 0 {
		b.WriteString("    (this job has no tasks)\n")
	}
	b.WriteString("\n")
	if erases {
		b.WriteString("  " + c.st.danger.Render(truncate(eraseWarning(c.st, c.machine.Name), w-4)) + "\n\n")
	}
	for _, o := range c.others {
		by := ""
		if o.UserName != "" {
			by = " by " + termsafe.Line(o.UserName)
		}
		warn := "Another job (id " + strconv.FormatInt(o.JobID, 10) + ", schedule " + strconv.FormatInt(o.ID, 10) + ") is already queued for this machine" + by + "; DS runs both."
		wrapped(&b, warn, w, c.st.warning.Render)
	}
	if len(c.others) > 0 {
		b.WriteString("\n")
	}
	if c.note != "" {
		wrapped(&b, c.note+" Queueing again is safe: DS keeps one schedule per job and machine.", w, c.st.muted.Render)
	}
	if c.o.TypeToConfirm {
		b.WriteString("  To queue it, type this machine's name (" + c.machine.Name + ") and press Enter:\n")
		b.WriteString("  " + c.st.cursor + c.typed.View() + "\n")
		if c.err != "" {
			b.WriteString("  " + c.st.errorText.Render(truncate(c.err, w-4)) + "\n")
		}
	} else {
		b.WriteString("  Press y to queue it, n or Esc to go back.\n")
	}
	return b.String()
}

// eraseWarning is the sentence Confirm and Queued show for a job whose
// Effects erase the disk.
func eraseWarning(st *styles, machine string) string {
	return st.alarm + "THIS ERASES THE DISK OF " + strings.ToUpper(machine) + ". Everything on it is lost."
}
