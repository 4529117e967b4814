package tui

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
)

// workingScreen is a spinner and the step in words while a network step runs.
type workingScreen struct {
	spin   spinner.Model
	text   string
	seq    int
	cancel context.CancelFunc
	back   state
	note   string // shown where Esc went, once
}

// stepDone carries a step's result; seq tells a current step from one the
// technician already left with Esc.
type stepDone struct {
	seq     int
	msg     tea.Msg
	timeout time.Duration
	text    string
	code    int // exit code of a timeout in this step
	ctxErr  error
}

func (w *workingScreen) cancelStep() {
	if w.cancel != nil {
		w.cancel()
		w.cancel = nil
	}
}

// startStep runs fn in a tea.Cmd under the step timeout; Esc cancels it and
// goes to back.
func (m *Model) startStep(text string, back state, code int, timeout time.Duration, fn func(ctx context.Context) tea.Msg) tea.Cmd {
	m.work.cancelStep()
	m.work.seq++
	seq := m.work.seq
	ctx, cancel := context.WithTimeout(m.o.Context, timeout)
	m.work.cancel, m.work.text, m.work.back = cancel, text, back
	if m.work.spin.Spinner.FPS == 0 {
		m.work.spin = spinner.New()
		m.work.spin.Spinner = spinner.Dot
		if m.st.look == ASCII {
			m.work.spin.Spinner = spinner.Line
		}
	}
	m.state, m.showHelp = stateWorking, false
	run := func() tea.Msg {
		defer cancel()
		out := fn(ctx)
		return stepDone{seq: seq, msg: out, timeout: timeout, text: text, code: code, ctxErr: ctx.Err()}
	}
	return tea.Batch(m.work.spin.Tick, run)
}

func (m *Model) onStepDone(d stepDone) tea.Cmd {
	if d.seq != m.work.seq || m.state != stateWorking {
		return nil // the technician left this step with Esc
	}
	m.work.cancel = nil
	if errors.Is(d.ctxErr, context.DeadlineExceeded) {
		return m.showError(exitcode.New(d.code, "%s did not finish within %s. Check the network cable and that the server is up, then try again.",
			strings.TrimSuffix(d.text, "..."), d.timeout), m.work.back)
	}
	switch msg := d.msg.(type) {
	case identifiedMsg:
		return m.onIdentified(msg)
	case signedInMsg:
		return m.onSignedIn(msg)
	case foundMsg:
		return m.onFound(msg)
	case loadedMsg:
		return m.onLoaded(msg)
	case queuedMsg:
		return m.onQueued(msg)
	}
	return nil
}

func (m *Model) updateWorking(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		if key.Matches(msg, m.keys.Cancel) {
			m.work.cancelStep()
			m.work.seq++
			m.work.note = "Cancelled: " + strings.TrimSuffix(m.work.text, "...") + "."
			if m.work.back == stateSignIn {
				m.b.SignOut()
				m.user, m.loaded = nil, nil
			}
			m.enter(m.work.back)
			return m.focusCmd()
		}
	case spinner.TickMsg:
		var cmd tea.Cmd
		m.work.spin, cmd = m.work.spin.Update(msg)
		return cmd
	}
	return nil
}

func (m *Model) viewWorking(w, h int) string {
	var b strings.Builder
	b.WriteString("\n  " + m.work.spin.View() + " " + m.work.text + "\n\n")
	b.WriteString(m.st.muted.Render("  Each step gives up after "+m.o.StepTimeout.String()+"; Esc goes back.") + "\n")
	return b.String()
}

func (m *Model) keysWorking() []key.Binding {
	return []key.Binding{m.keys.Cancel, m.keys.Quit}
}
