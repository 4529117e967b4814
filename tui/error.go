package tui

import (
	"context"
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
	// doctor is the doctor checklist shown instead of the error (d), its
	// lines, and top the first line shown; running while it runs.
	doctor     []string
	showDoctor bool
	running    bool
	top        int
}

// doctorMsg is the doctor checklist, run in the background.
type doctorMsg string

const logLinesShown = 5

// open shows err; Esc returns to back.
func (e *errorScreen) open(err error, back state) {
	e.err, e.back, e.log = err, back, termsafe.Lines(e.b.LastLogLines(logLinesShown))
	e.doctor, e.showDoctor, e.top = nil, false, 0
}

// doctorKey is d: run doctor and show its checklist (again: back to the error).
func (e *errorScreen) doctorKey() key.Binding {
	return key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "doctor"))
}

// runDoctor runs the doctor in the background; its checklist arrives as a doctorMsg.
func (e *errorScreen) runDoctor() tea.Cmd {
	e.running, e.showDoctor, e.top = true, true, 0
	run, ctx := e.o.Doctor, e.o.Context
	if ctx == nil {
		ctx = context.Background()
	}
	return func() tea.Msg { return doctorMsg(run(ctx)) }
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
	if d, ok := msg.(doctorMsg); ok {
		// The checklist quotes DCs' and DS's answers: terminal-safe.
		e.running, e.doctor = false, termsafe.Lines(strings.Split(strings.TrimRight(string(d), "\n"), "\n"))
		return nil
	}
	k, ok := msg.(tea.KeyMsg)
	switch {
	case !ok:
	case e.o.Doctor != nil && key.Matches(k, e.doctorKey()):
		if e.showDoctor {
			e.showDoctor = false
			return nil
		}
		if e.doctor != nil {
			e.showDoctor, e.top = true, 0
			return nil
		}
		if !e.running {
			return e.runDoctor()
		}
	case e.showDoctor && key.Matches(k, e.keys.Up):
		e.top = max(e.top-1, 0)
	case e.showDoctor && key.Matches(k, e.keys.Down):
		e.top++
	case e.showDoctor && key.Matches(k, back):
		e.showDoctor = false
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
	if e.canGoBack() || e.showDoctor {
		ks = append(ks, back)
	}
	if e.o.Doctor != nil {
		ks = append(ks, e.doctorKey())
	}
	return append(ks, quit, e.keys.Quit)
}

func (e *errorScreen) FullHelp() [][]key.Binding { return [][]key.Binding{e.ShortHelp()} }

func (e *errorScreen) view(w, h int) string {
	if e.showDoctor {
		return e.doctorView(w, h)
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

// doctorView is the doctor checklist, scrolled with the arrow keys.
func (e *errorScreen) doctorView(w, h int) string {
	var b strings.Builder
	b.WriteString("\n  " + e.st.label.Render("Doctor's checklist") + "  (arrows scroll; d or Esc: back to the error)\n\n")
	if e.running {
		b.WriteString("  Running the checks (network, config, DCs, SQL Server, this machine)...\n")
		return b.String()
	}
	var rows []string
	for _, l := range e.doctor {
		// doctor wraps its own lines at 79 columns, indented; only a
		// narrower terminal wraps them again.
		if len([]rune(l)) <= w-4 {
			rows = append(rows, l)
		} else {
			rows = append(rows, wrap(l, w-4)...)
		}
	}
	room := max(h-4, 1)
	e.top = min(e.top, max(len(rows)-room, 0))
	for _, r := range rows[e.top:min(e.top+room, len(rows))] {
		b.WriteString("  " + r + "\n")
	}
	return b.String()
}
