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
	still
	*app
	err  error
	back state // stateError: nowhere to go back to
	log  []string
	// doctor is the doctor checklist shown instead of the error (d).
	doctor doctorPanel
}

const logLinesShown = 5

// open shows err; Esc returns to back.
func (e *errorScreen) open(err error, back state) {
	e.err, e.back, e.log = err, back, termsafe.Lines(e.b.LastLogLines(logLinesShown))
	e.doctor = doctorPanel{}
}

// canGoBack says Esc has somewhere to go back to.
func (e *errorScreen) canGoBack() bool { return e.back != stateError }

// errorKeys are Esc (go back and try again) and the keys that quit with
// the error's exit code.
func (e *errorScreen) errorKeys() (back, quit key.Binding) {
	return relabel(e.keys.Cancel, "esc", "go back"), together("q/enter", "quit", e.keys.QuitMenu, e.keys.Submit)
}

func (e *errorScreen) name() string { return "Error" }
func (e *errorScreen) waits() bool  { return true }

func (e *errorScreen) update(msg tea.Msg) tea.Cmd {
	back, quit := e.errorKeys()
	if cmd, ok := e.doctor.update(e.app, msg, back); ok {
		return cmd
	}
	k, ok := msg.(tea.KeyMsg)
	switch {
	case !ok:
	case key.Matches(k, back) && e.canGoBack():
		if e.back == stateSignIn {
			e.signOut()
		}
		return e.nav.show(e.back)
	case key.Matches(k, quit):
		e.b.SignOut()
		return e.nav.quit(Result{Err: e.err})
	}
	return nil
}

func (e *errorScreen) ShortHelp() []key.Binding {
	back, quit := e.errorKeys()
	ks := []key.Binding{}
	if e.canGoBack() || e.doctor.shown {
		ks = append(ks, back)
	}
	if e.o.Doctor != nil {
		ks = append(ks, doctorKey())
	}
	return append(ks, quit, e.keys.Quit)
}

func (e *errorScreen) FullHelp() [][]key.Binding { return [][]key.Binding{e.ShortHelp()} }

func (e *errorScreen) view(w, h int) string {
	if e.doctor.shown {
		return e.doctor.view(e.app, w, h, "the error")
	}
	var b strings.Builder
	b.WriteString("\n  " + e.st.errorText.Render("Something went wrong") + "\n\n")
	wrapped(&b, userMessage(e.err), w, plain)
	b.WriteString("\n")
	if e.canGoBack() {
		b.WriteString("  Press Esc to go back and try again, or q to quit")
	} else {
		b.WriteString("  Press q to quit")
	}
	b.WriteString(" (exit code " + itoa(exitcode.Of(e.err)) + ").\n")
	if len(e.log) > 0 {
		// Wrapped, not cut: the end of a log line (the error, the
		// address) is what the technician reads out to the helpdesk. The
		// latest lines that fit the screen, whole.
		room := h - strings.Count(b.String(), "\n") - 2
		var shown []string
		for i := len(e.log) - 1; i >= 0; i-- {
			var rows []string
			for j, part := range wrap(e.log[i], w-6) {
				indent := "  "
				if j > 0 {
					indent = "    "
				}
				rows = append(rows, e.st.muted.Render(indent+part))
			}
			if len(rows) > room-len(shown) {
				break
			}
			shown = append(rows, shown...)
		}
		if len(shown) > 0 {
			b.WriteString("\n  " + e.st.label.Render("Last lines of the log:") + "\n")
			b.WriteString(strings.Join(shown, "\n") + "\n")
		}
	}
	return b.String()
}
