package tui

import (
	"context"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
)

// workingScreen is a spinner and the step in words while a network step runs.
type workingScreen struct {
	still
	*app
	spin   spinner.Model
	cur    *step
	seq    int
	cancel context.CancelFunc
}

func newWorkingScreen(a *app) *workingScreen {
	w := &workingScreen{app: a, spin: spinner.New()}
	w.spin.Spinner = spinner.Dot
	if a.st.look == ASCII {
		w.spin.Spinner = spinner.Line
	}
	return w
}

// stop cancels the running step, if any.
func (w *workingScreen) stop() {
	if w.cancel != nil {
		w.cancel()
		w.cancel = nil
	}
}

// start runs s's call in a tea.Cmd under the step timeout.
func (w *workingScreen) start(s *step) tea.Cmd {
	w.stop()
	w.seq++
	seq := w.seq
	ctx, cancel := context.WithTimeout(w.o.Context, w.o.StepTimeout)
	w.cancel, w.cur = cancel, s
	return tea.Batch(w.spin.Tick, func() tea.Msg {
		defer cancel()
		return runStep(ctx, seq, s)
	})
}

func (w *workingScreen) name() string { return "Working" }

func (w *workingScreen) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case stepResult:
		return w.finished(msg)
	case tea.KeyMsg:
		if key.Matches(msg, w.keys.Cancel) {
			if w.cur.sent {
				return nil // cannot be cancelled once sent; the view says so
			}
			w.stop()
			w.seq++
			w.note = "Cancelled: " + strings.TrimSuffix(w.cur.text, "...") + "."
			if w.cur.back == stateSignIn {
				w.signOut()
			}
			return w.nav.show(w.cur.back)
		}
	case spinner.TickMsg:
		var cmd tea.Cmd
		w.spin, cmd = w.spin.Update(msg)
		return cmd
	}
	return nil
}

func (w *workingScreen) finished(r stepResult) tea.Cmd {
	if r.seq != w.seq {
		return nil // the technician left this step with Esc
	}
	w.cancel = nil
	s := w.cur
	switch {
	case r.timedOut:
		return w.nav.fail(exitcode.New(s.code, "%s did not finish within %s. Check the network cable and that the server is up, then try again.",
			strings.TrimSuffix(s.text, "..."), w.o.StepTimeout), s.back)
	case r.err != nil && s.failed != nil:
		return s.failed(r.err)
	case r.err != nil:
		return w.nav.fail(r.err, s.back)
	}
	return s.done(r.value)
}

func (w *workingScreen) view(int, int) string {
	if w.cur.sent {
		return "\n  " + w.spin.View() + " " + w.cur.text + "\n\n" +
			w.st.muted.Render("  This step cannot be cancelled once sent: DS may already have the job. Its answer shows here (at most "+w.o.StepTimeout.String()+").") + "\n"
	}
	return "\n  " + w.spin.View() + " " + w.cur.text + "\n\n" +
		w.st.muted.Render("  Each step gives up after "+w.o.StepTimeout.String()+"; Esc goes back.") + "\n"
}

func (w *workingScreen) ShortHelp() []key.Binding {
	if w.cur != nil && w.cur.sent {
		return []key.Binding{w.keys.Quit}
	}
	return []key.Binding{w.keys.Cancel, w.keys.Quit}
}
func (w *workingScreen) FullHelp() [][]key.Binding { return [][]key.Binding{w.ShortHelp()} }
