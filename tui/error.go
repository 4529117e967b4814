package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/internal/termsafe"
)

// errorScreen says what happened and what to do; it never shows a stack
// or a cause chain (those go to the log).
type errorScreen struct {
	err  error
	back state // stateError: nowhere to go back to
	log  []string
}

const logLinesShown = 5

// showError switches to the error screen; Esc returns to back.
func (m *Model) showError(err error, back state) tea.Cmd {
	m.errScr = errorScreen{err: err, back: back, log: termsafe.Lines(m.b.LastLogLines(logLinesShown))}
	m.enter(stateError)
	return nil
}

func (m *Model) updateError(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return nil
	}
	switch {
	case key.Matches(k, m.keys.Cancel) && m.errScr.back != stateError:
		back := m.errScr.back
		if back == stateSignIn {
			m.b.SignOut()
			m.user, m.loaded = nil, nil
		}
		m.enter(back)
		return m.focusCmd()
	case key.Matches(k, m.keys.QuitMenu), key.Matches(k, m.keys.Submit):
		m.b.SignOut()
		return m.quit(Result{Err: m.errScr.err})
	}
	return nil
}

// focusCmd focuses the text field of the screen just entered.
func (m *Model) focusCmd() tea.Cmd {
	switch m.state {
	case stateSignIn:
		return m.signin.focus(m.signin.field)
	case stateConfirm:
		if m.o.TypeToConfirm {
			return m.confirm.typed.Focus()
		}
	}
	return nil
}

func (m *Model) keysError() []key.Binding {
	ks := []key.Binding{}
	if m.errScr.back != stateError {
		ks = append(ks, key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "go back")))
	}
	return append(ks, key.NewBinding(key.WithKeys("q", "enter"), key.WithHelp("q/enter", "quit")), m.keys.Quit)
}

func (m *Model) viewError(w, h int) string {
	var b strings.Builder
	b.WriteString("\n  " + m.st.errorText.Render("Something went wrong") + "\n\n")
	for _, l := range wrap(userMessage(m.errScr.err), w-4) {
		b.WriteString("  " + l + "\n")
	}
	b.WriteString("\n")
	if m.errScr.back != stateError {
		b.WriteString("  Press Esc to go back and try again, or q to quit")
	} else {
		b.WriteString("  Press q to quit")
	}
	b.WriteString(" (exit code " + itoa(exitcode.Of(m.errScr.err)) + ").\n")
	if len(m.errScr.log) > 0 {
		b.WriteString("\n  " + m.st.label.Render("Last lines of the log:") + "\n")
		for _, l := range m.errScr.log {
			b.WriteString(m.st.muted.Render("  "+truncate(l, w-2)) + "\n")
		}
	}
	return b.String()
}
