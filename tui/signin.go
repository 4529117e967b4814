package tui

import (
	"context"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
)

// lockWarnAfter is when the sign-in screen warns about lockout: AD domains
// commonly lock an account after 3 to 5 bad passwords in a row.
const lockWarnAfter = 3

// signinScreen takes the technician's user name and password.
type signinScreen struct {
	still
	*app
	user, pass textinput.Model
	field      int
	err        string
	failures   int
	form       signinKeys // the form's keys; s.keys are the console's
}

// signinKeys are the keys of the sign-in form: none of them can be typed.
type signinKeys struct {
	submit, next, prev, back key.Binding
}

func newSigninScreen(a *app) *signinScreen {
	u := a.field("", 256)
	u.Placeholder, u.PlaceholderStyle = "user or DOMAIN\\user", a.st.muted
	p := a.field("", 256)
	p.EchoMode, p.EchoCharacter = textinput.EchoPassword, '*'
	k := a.keys
	return &signinScreen{app: a, user: u, pass: p, form: signinKeys{
		submit: relabel(k.Submit, "enter", "sign in"), next: k.NextFld, prev: k.PrevFld,
		back: relabel(k.Cancel, "esc", "machine"),
	}}
}

func (s *signinScreen) name() string { return "Sign in" }
func (s *signinScreen) typing() bool { return true }
func (s *signinScreen) waits() bool  { return true }
func (s *signinScreen) focus() tea.Cmd {
	if p, ok := s.b.(preparer); ok {
		p.Prepare()
	}
	return s.focusOn(s.field)
}

// preparer is a backend that opens the store and dials the DC while the
// password is typed (FlowBackend): Prepare when the sign-in screen shows,
// Unprepare when the technician leaves it with Esc.
type preparer interface {
	Prepare() <-chan struct{}
	Unprepare()
}

func (s *signinScreen) focusOn(i int) tea.Cmd {
	s.field = i
	if i == 0 {
		s.pass.Blur()
		return s.user.Focus()
	}
	s.user.Blur()
	return s.pass.Focus()
}

func (s *signinScreen) update(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyMsg); ok {
		switch {
		case key.Matches(k, s.form.next), key.Matches(k, s.form.prev):
			return s.focusOn(1 - s.field)
		case key.Matches(k, s.form.submit):
			if s.field == 0 {
				return s.focusOn(1)
			}
			return s.submit()
		case key.Matches(k, s.form.back):
			if !s.machine.LookedUp || s.machine.Known {
				s.field = 0 // Enter on the machine screen starts over at the user name
				if p, ok := s.b.(preparer); ok {
					p.Unprepare() // nothing read ahead survives leaving the sign-in
				}
				return s.nav.show(stateMachine)
			}
			return nil
		}
	}
	var cmd tea.Cmd
	if s.field == 0 {
		s.user, cmd = s.user.Update(msg)
	} else {
		s.pass, cmd = s.pass.Update(msg)
	}
	return cmd
}

func (s *signinScreen) submit() tea.Cmd {
	user := strings.TrimSpace(s.user.Value())
	pass := s.pass.Value()
	// The password leaves the field at once: it lives only in this call.
	s.pass.Reset()
	if user == "" {
		s.err = "Type your user name first."
		return s.focusOn(0)
	}
	if pass == "" {
		s.err = "Type your password (an empty password is never sent: AD would treat it as an anonymous sign-in)."
		return s.focusOn(1)
	}
	s.err = ""
	where := s.b.Info().DC
	text := "Signing in as " + user
	if where != "" {
		text = "Signing in to " + where + " as " + user
	}
	signIn := func(ctx context.Context) (User, error) { return s.b.SignIn(ctx, user, pass) }
	return s.nav.run(newStep(text+" and reading your groups...", stateSignIn, signIn, s.signedIn).timeoutCode(exitcode.DirectoryDown).orElse(s.refused))
}

// refused keeps the technician on the form for what they can fix there:
// a wrong password, an unreachable DC, a refused account.
func (s *signinScreen) refused(err error) tea.Cmd {
	code := exitcode.Of(err)
	if code != exitcode.BadCredentials && code != exitcode.DirectoryDown && code != exitcode.Failure {
		return s.nav.fail(err, stateSignIn)
	}
	if code == exitcode.BadCredentials {
		s.failures++
	}
	s.err = userMessage(err)
	s.field = 1
	return s.nav.show(stateSignIn)
}

func (s *signinScreen) signedIn(u User) tea.Cmd {
	s.failures, s.err = 0, ""
	u = safeUser(u)
	s.app.user = &u
	return s.nav.loadMenu()
}

func (s *signinScreen) ShortHelp() []key.Binding {
	return []key.Binding{s.form.submit, s.form.next, s.form.back, s.keys.Quit}
}

func (s *signinScreen) FullHelp() [][]key.Binding {
	return [][]key.Binding{{s.form.submit, s.form.next, s.form.prev, s.form.back}}
}

func (s *signinScreen) view(w, h int) string {
	var b strings.Builder
	b.WriteString("\n")
	info := s.b.Info()
	if info.Domain != "" {
		b.WriteString("  Sign in with your " + info.Domain + " account (or DOMAIN\\user, user@domain).\n\n")
	} else {
		b.WriteString("  Sign in with your domain account (DOMAIN\\user or user@domain).\n\n")
	}
	mark := func(i int) string {
		if s.field == i {
			return s.st.cursor
		}
		return strings.Repeat(" ", len([]rune(s.st.cursor)))
	}
	b.WriteString(mark(0) + s.st.label.Render("User:     ") + s.user.View() + "\n")
	b.WriteString(mark(1) + s.st.label.Render("Password: ") + s.pass.View() + "\n\n")
	if s.note != "" {
		b.WriteString("  " + s.st.muted.Render(s.note) + "\n")
	}
	if s.err != "" {
		wrapped(&b, s.err, w, s.st.errorText.Render)
	}
	if s.failures >= lockWarnAfter {
		wrapped(&b, "Warning: "+itoa(s.failures)+" failed sign-ins in a row. More may lock your account: check Caps Lock and the domain, or ask the helpdesk.", w, s.st.warning.Render)
	}
	if len(s.o.DemoAccounts) > 0 {
		b.WriteString("\n  " + s.st.label.Render("Demo accounts (they exist only inside this demo):") + "\n")
		for _, a := range s.o.DemoAccounts {
			line := "  " + padRight(a.User, 8) + " " + padRight(a.Password, 13) + " " + a.Story
			b.WriteString(s.st.muted.Render(truncate(line, w)) + "\n")
		}
	}
	return b.String()
}
