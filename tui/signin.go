package tui

import (
	"context"
	"errors"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/internal/termsafe"
)

// lockWarnAfter is when the sign-in screen warns about lockout: AD domains
// commonly lock an account after 3 to 5 bad passwords in a row.
const lockWarnAfter = 3

type signinScreen struct {
	user, pass textinput.Model
	field      int
	err        string
	failures   int
}

func newSigninScreen(st *styles) signinScreen {
	u := textinput.New()
	u.Prompt, u.Placeholder, u.CharLimit = "", "user or DOMAIN\\user", 256
	p := textinput.New()
	p.Prompt, p.CharLimit = "", 256
	p.EchoMode, p.EchoCharacter = textinput.EchoPassword, '*'
	u.Cursor.Style, p.Cursor.Style = st.body, st.body
	// A blinking cursor redraws twice a second: wasteful over serial consoles.
	u.Cursor.SetMode(cursor.CursorStatic)
	p.Cursor.SetMode(cursor.CursorStatic)
	u.PlaceholderStyle, u.TextStyle, p.TextStyle = st.muted, st.body, st.body
	return signinScreen{user: u, pass: p}
}

func (s *signinScreen) focus(i int) tea.Cmd {
	s.field = i
	if i == 0 {
		s.pass.Blur()
		return s.user.Focus()
	}
	s.user.Blur()
	return s.pass.Focus()
}

type signedInMsg struct {
	u   User
	err error
}

func (m *Model) updateSignIn(msg tea.Msg) tea.Cmd {
	s := &m.signin
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		var cmd tea.Cmd
		if s.field == 0 {
			s.user, cmd = s.user.Update(msg)
		} else {
			s.pass, cmd = s.pass.Update(msg)
		}
		return cmd
	}
	switch {
	case key.Matches(k, m.keys.NextFld):
		return s.focus(1 - s.field)
	case key.Matches(k, m.keys.PrevFld):
		return s.focus(1 - s.field)
	case key.Matches(k, m.keys.Submit):
		if s.field == 0 {
			return s.focus(1)
		}
		return m.submitSignIn()
	case key.Matches(k, m.keys.Cancel):
		if !m.machine.LookedUp || m.machine.Known {
			m.enter(stateMachine)
		}
		return nil
	}
	var cmd tea.Cmd
	if s.field == 0 {
		s.user, cmd = s.user.Update(k)
	} else {
		s.pass, cmd = s.pass.Update(k)
	}
	return cmd
}

func (m *Model) submitSignIn() tea.Cmd {
	s := &m.signin
	user := strings.TrimSpace(s.user.Value())
	pass := s.pass.Value()
	// The password leaves the field at once: it lives only in this call.
	s.pass.Reset()
	if user == "" {
		s.err = "Type your user name first."
		return s.focus(0)
	}
	if pass == "" {
		s.err = "Type your password (an empty password is never sent: AD would treat it as an anonymous sign-in)."
		return s.focus(1)
	}
	s.err = ""
	where := m.b.Info().DC
	text := "Signing in as " + user
	if where != "" {
		text = "Signing in to " + where + " as " + user
	}
	return m.startStep(text+" and reading your groups...", stateSignIn, exitcode.DirectoryDown, m.o.StepTimeout,
		func(ctx context.Context) tea.Msg {
			u, err := m.b.SignIn(ctx, user, pass)
			return signedInMsg{u, err}
		})
}

func (m *Model) onSignedIn(msg signedInMsg) tea.Cmd {
	s := &m.signin
	if msg.err != nil {
		code := exitcode.Of(msg.err)
		if code == exitcode.BadCredentials || code == exitcode.DirectoryDown || code == exitcode.Failure {
			if code == exitcode.BadCredentials {
				s.failures++
			}
			s.err = userMessage(msg.err)
			m.enter(stateSignIn)
			return s.focus(1)
		}
		return m.showError(msg.err, stateSignIn)
	}
	s.failures, s.err = 0, ""
	u := msg.u
	u.Account, u.FullName, u.DC, u.Warnings = termsafe.Line(u.Account), termsafe.Line(u.FullName), termsafe.Line(u.DC), termsafe.Lines(u.Warnings)
	m.user = &u
	if !m.machine.LookedUp {
		return m.startFind()
	}
	return m.startLoad()
}

// userMessage is an error's sentence for a person, never a stack or a cause chain.
func userMessage(err error) string {
	var e *exitcode.Error
	if errors.As(err, &e) && e.Msg != "" {
		return termsafe.Text(e.Msg)
	}
	return termsafe.Text(err.Error())
}

// safeMachine is m with everything DS or the machine's firmware wrote
// (names, group path, SMBIOS serial) made safe to draw (termsafe).
func safeMachine(m Machine) Machine {
	m.Name, m.Group, m.Identifiers = termsafe.Line(m.Name), termsafe.Line(m.Group), termsafe.Line(m.Identifiers)
	m.Problem, m.Warnings = termsafe.Text(m.Problem), termsafe.Lines(m.Warnings)
	return m
}

func (m *Model) keysSignIn() []key.Binding {
	return []key.Binding{
		key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "sign in")),
		key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field")),
		key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "machine")),
		m.keys.Quit,
	}
}

func (m *Model) viewSignIn(w, h int) string {
	s := &m.signin
	var b strings.Builder
	b.WriteString("\n")
	info := m.b.Info()
	if info.Domain != "" {
		b.WriteString("  Sign in with your " + info.Domain + " account (or DOMAIN\\user, user@domain).\n\n")
	} else {
		b.WriteString("  Sign in with your domain account (DOMAIN\\user or user@domain).\n\n")
	}
	mark := func(i int) string {
		if s.field == i {
			return m.st.cursor
		}
		return strings.Repeat(" ", len([]rune(m.st.cursor)))
	}
	b.WriteString(mark(0) + m.st.label.Render("User:     ") + s.user.View() + "\n")
	b.WriteString(mark(1) + m.st.label.Render("Password: ") + s.pass.View() + "\n\n")
	if m.work.note != "" {
		b.WriteString("  " + m.st.muted.Render(m.work.note) + "\n")
	}
	if s.err != "" {
		for _, l := range wrap(s.err, w-4) {
			b.WriteString("  " + m.st.errorText.Render(l) + "\n")
		}
	}
	if s.failures >= lockWarnAfter {
		msg := "Warning: " + itoa(s.failures) + " failed sign-ins in a row. More may lock your account: check Caps Lock and the domain, or ask the helpdesk."
		for _, l := range wrap(msg, w-4) {
			b.WriteString("  " + m.st.warning.Render(l) + "\n")
		}
	}
	if len(m.o.DemoAccounts) > 0 {
		b.WriteString("\n  " + m.st.label.Render("Demo accounts (they exist only inside this demo):") + "\n")
		for _, a := range m.o.DemoAccounts {
			line := "  " + padRight(a.User, 8) + " " + padRight(a.Password, 13) + " " + a.Story
			b.WriteString(m.st.muted.Render(truncate(line, w)) + "\n")
		}
	}
	return b.String()
}
