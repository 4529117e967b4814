package tui

import (
	"context"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
)

// machineScreen shows who this machine is before anyone signs in.
type machineScreen struct {
	identified bool
}

type identifiedMsg struct {
	m   Machine
	err error
}

func (m *Model) startIdentify() tea.Cmd {
	return m.startStep("Identifying this machine...", stateMachine, exitcode.StoreDown, m.o.StepTimeout,
		func(ctx context.Context) tea.Msg {
			mm, err := m.b.Identify(ctx)
			return identifiedMsg{mm, err}
		})
}

func (m *Model) onIdentified(msg identifiedMsg) tea.Cmd {
	if msg.err != nil {
		return m.showError(msg.err, stateMachine)
	}
	m.machine, m.machineScr.identified = safeMachine(msg.m), true
	m.enter(stateMachine)
	return nil
}

func (m *Model) updateMachine(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return nil
	}
	switch {
	case key.Matches(k, m.keys.Retry):
		return m.startIdentify()
	case key.Matches(k, m.keys.QuitMenu):
		return m.quitUnqueued()
	case key.Matches(k, m.keys.Submit) && m.machineScr.identified && (m.machine.Known || !m.machine.LookedUp):
		m.enter(stateSignIn)
		return m.signin.focus(0)
	}
	return nil
}

// quitUnqueued leaves without queueing anything: the technician gave up,
// which scripts around the console see as an interruption.
func (m *Model) quitUnqueued() tea.Cmd {
	m.b.SignOut()
	return m.quit(Result{Err: &exitcode.Error{Code: exitcode.Interrupted, Msg: "left without queueing a job"}})
}

func (m *Model) keysMachine() []key.Binding {
	ks := []key.Binding{}
	if m.machineScr.identified && (m.machine.Known || !m.machine.LookedUp) {
		ks = append(ks, key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "sign in")))
	}
	return append(ks, m.keys.Retry, m.keys.QuitMenu, m.keys.Help, m.keys.Quit)
}

func (m *Model) viewMachine(w, h int) string {
	var b strings.Builder
	mc := m.machine
	b.WriteString("\n")
	if !m.machineScr.identified {
		b.WriteString("  This machine has not been identified yet. Press r to try again.\n")
		return b.String()
	}
	switch {
	case mc.Known:
		b.WriteString("  This machine is " + m.st.ok.Render(mc.Name) + " in Deployment Server")
		b.WriteString(" (computer " + strconv.FormatInt(mc.ComputerID, 10) + ").\n")
		if mc.Group != "" {
			b.WriteString("  Computer group: " + mc.Group + "\n")
		}
	case mc.LookedUp:
		b.WriteString("  " + m.st.errorText.Render("This machine is not known to Deployment Server.") + "\n\n")
		for _, l := range wrap(mc.Problem, w-4) {
			b.WriteString("  " + l + "\n")
		}
	default:
		b.WriteString("  Deployment Server is asked who this machine is after you sign in\n")
		b.WriteString("  (the database is opened with your own account).\n")
	}
	b.WriteString("\n  " + m.st.label.Render("Read from this machine:") + "\n")
	for _, l := range wrap(mc.Identifiers, w-4) {
		b.WriteString("  " + l + "\n")
	}
	for _, warn := range mc.Warnings {
		for _, l := range wrap("note: "+warn, w-4) {
			b.WriteString("  " + m.st.muted.Render(l) + "\n")
		}
	}
	for _, warn := range m.o.ConfigWarnings {
		for _, l := range wrap("warning: "+warn, w-4) {
			b.WriteString("  " + m.st.warning.Render(l) + "\n")
		}
	}
	b.WriteString("\n")
	if mc.Known || !mc.LookedUp {
		b.WriteString("  Press Enter to sign in.\n")
	} else {
		b.WriteString("  Press r to look again once DS knows it, or q to quit.\n")
	}
	return b.String()
}

// statusLine is the machine (and the signed-in user) at the top of every
// screen after the machine screen.
func (m *Model) statusLine() string {
	mc := m.machine
	var parts []string
	if m.o.Site != "" {
		parts = append(parts, "site: "+m.o.Site)
	}
	switch {
	case !m.machineScr.identified:
		parts = append(parts, "machine: not identified yet")
	case mc.Known:
		s := "machine: " + mc.Name
		if mc.Group != "" {
			s += " (" + mc.Group + ")"
		}
		parts = append(parts, s)
	case mc.LookedUp:
		parts = append(parts, "machine: not known to Deployment Server")
	default:
		parts = append(parts, "machine: "+firstIdentifier(mc.Identifiers))
	}
	if m.user != nil {
		parts = append(parts, "user: "+m.user.Account)
		if len(m.user.Warnings) > 0 {
			parts = append(parts, "! "+strings.Join(m.user.Warnings, "; "))
		}
	}
	for _, w := range m.o.ConfigWarnings {
		parts = append(parts, "! "+w)
	}
	return strings.Join(parts, " | ")
}

func firstIdentifier(s string) string {
	if i := strings.Index(s, ", "); i > 0 {
		return s[:i]
	}
	return s
}
