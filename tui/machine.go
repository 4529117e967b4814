package tui

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// machineScreen shows who this machine is before anyone signs in.
type machineScreen struct {
	still
	*app
	// The network bring-up (Options.Network), before the machine is read.
	netBusy bool
	netErr  string
	net     NetStatus
	netCh   chan tea.Msg
	// doctor is the doctor checklist shown instead of this screen (d), as
	// on the Error screen: the first place to look when a booted machine
	// cannot reach DS.
	doctor doctorPanel
}

// doctorBack is Esc while the checklist is shown.
func (s *machineScreen) doctorBack() key.Binding { return relabel(s.keys.Cancel, "esc", "back") }

func (s *machineScreen) identify() tea.Cmd {
	return s.nav.run(newStep("Identifying this machine...", stateMachine, s.b.Identify, s.onIdentified))
}

func (s *machineScreen) onIdentified(mc Machine) tea.Cmd {
	s.machine, s.identified = safeMachine(mc), true
	return s.nav.show(stateMachine)
}

// canSignIn says sign-in may start: DS knows this machine, or is asked
// only once the technician signed in.
func (s *machineScreen) canSignIn() bool {
	return s.identified && (s.machine.Known || !s.machine.LookedUp)
}

// signInKey is Enter on this screen.
func (s *machineScreen) signInKey() key.Binding { return relabel(s.keys.Submit, "enter", "sign in") }

func (s *machineScreen) name() string { return "This machine" }

func (s *machineScreen) update(msg tea.Msg) tea.Cmd {
	if cmd, ok := s.onNet(msg); ok {
		return cmd
	}
	if cmd, ok := s.doctor.update(s.app, msg, s.doctorBack()); ok {
		return cmd
	}
	k, ok := msg.(tea.KeyMsg)
	switch {
	case !ok:
	case s.doctor.shown && key.Matches(k, s.keys.QuitMenu):
		return s.leave()
	case s.doctor.shown:
		// Under the checklist, the screen's own keys wait.
	case key.Matches(k, s.keys.Retry) && s.netErr != "":
		return s.startNetwork()
	case key.Matches(k, s.keys.Retry) && !s.netBusy:
		return s.identify()
	case key.Matches(k, s.keys.QuitMenu):
		return s.leave()
	case key.Matches(k, s.signInKey()) && s.canSignIn():
		return s.nav.show(stateSignIn)
	}
	return nil
}

func (s *machineScreen) ShortHelp() []key.Binding {
	ks := []key.Binding{}
	if s.doctor.shown {
		return append(ks, s.doctorBack(), doctorKey(), s.keys.QuitMenu, s.keys.Help, s.keys.Quit)
	}
	if s.canSignIn() {
		ks = append(ks, s.signInKey())
	}
	ks = append(ks, s.keys.Retry)
	if s.o.Doctor != nil {
		ks = append(ks, doctorKey())
	}
	return append(ks, s.keys.QuitMenu, s.keys.Help, s.keys.Quit)
}

func (s *machineScreen) FullHelp() [][]key.Binding { return [][]key.Binding{s.ShortHelp()} }

func (s *machineScreen) view(w, h int) string {
	if s.doctor.shown {
		return s.doctor.view(s.app, w, h, "this machine")
	}
	var b strings.Builder
	mc := s.machine
	b.WriteString("\n")
	if s.netBusy || s.netErr != "" {
		s.netView(&b, w)
		return b.String()
	}
	if s.net.Address != "" {
		b.WriteString("  " + s.st.label.Render("Network: ") + s.net.Address + "\n\n")
	}
	if !s.identified {
		b.WriteString("  This machine has not been identified yet. Press r to try again.\n")
		return b.String()
	}
	switch {
	case mc.Known:
		b.WriteString("  This machine is " + s.st.ok.Render(mc.Name) + " in Deployment Server")
		b.WriteString(" (computer " + strconv.FormatInt(mc.ComputerID, 10) + ").\n")
		if mc.Group != "" {
			b.WriteString("  Computer group: " + mc.Group + "\n")
		}
	case mc.LookedUp:
		b.WriteString("  " + s.st.errorText.Render("This machine is not known to Deployment Server.") + "\n\n")
		wrapped(&b, mc.Problem, w, plain)
		if s.o.HandOver {
			// Waiting here cannot help: the agent that registers a new
			// machine starts only after this console exits.
			b.WriteString("\n")
			wrapped(&b, "DS registers a new machine when its agent starts, and the agent starts only after this console exits: "+
				"press q to let the boot go on, then boot this machine again once DS lists it.", w, plain)
		}
	default:
		b.WriteString("  Deployment Server is asked who this machine is after you sign in\n")
		b.WriteString("  (the database is opened with your own account).\n")
	}
	b.WriteString("\n  " + s.st.label.Render("Read from this machine:") + "\n")
	wrapped(&b, mc.Identifiers, w, plain)
	for _, warn := range mc.Warnings {
		wrapped(&b, "note: "+warn, w, s.st.muted.Render)
	}
	for _, warn := range s.o.ConfigWarnings {
		wrapped(&b, "warning: "+warn, w, s.st.warning.Render)
	}
	b.WriteString("\n")
	if s.canSignIn() {
		b.WriteString("  Press Enter to sign in.\n")
	} else {
		b.WriteString("  Press r to look again once DS knows it, or q to quit.\n")
	}
	return b.String()
}

// statusLine is the machine (and the signed-in user) at the top of every
// screen after the machine screen.
func (m *app) statusLine() string {
	mc := m.machine
	var parts []string
	if m.o.Label != "" {
		parts = append(parts, m.o.Label)
	}
	if m.o.Site != "" {
		parts = append(parts, "site: "+m.o.Site)
	}
	switch {
	case !m.identified:
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
