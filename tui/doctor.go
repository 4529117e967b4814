package tui

import (
	"context"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/imageinvoker/imageinvoker/internal/termsafe"
)

// doctorPanel is doctor's checklist, which a screen (Error, This machine)
// shows instead of itself on d: run once in the background, shown again
// on the next d; the arrows scroll it; d or Esc go back to the screen.
type doctorPanel struct {
	// lines is the checklist (nil: not run yet), shown whether it is on
	// screen, running whether it runs, top the first line shown.
	lines   []string
	shown   bool
	running bool
	top     int
}

// doctorMsg is the doctor checklist, run in the background.
type doctorMsg string

// doctorKey is d: run doctor and show its checklist (again: back).
func doctorKey() key.Binding {
	return key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "doctor"))
}

// run runs the doctor in the background; its checklist arrives as a doctorMsg.
func (p *doctorPanel) run(a *app) tea.Cmd {
	p.running, p.shown, p.top = true, true, 0
	run, ctx := a.o.Doctor, a.o.Context
	if ctx == nil {
		ctx = context.Background()
	}
	return func() tea.Msg { return doctorMsg(run(ctx)) }
}

// update handles the checklist arriving, d, and (while shown) the arrows
// and back. handled false: the screen handles msg itself.
func (p *doctorPanel) update(a *app, msg tea.Msg, back key.Binding) (cmd tea.Cmd, handled bool) {
	if d, ok := msg.(doctorMsg); ok {
		// The checklist quotes DCs' and DS's answers: terminal-safe.
		p.running, p.lines = false, termsafe.Lines(strings.Split(strings.TrimRight(string(d), "\n"), "\n"))
		return nil, true
	}
	k, ok := msg.(tea.KeyMsg)
	switch {
	case !ok || a.o.Doctor == nil:
		return nil, false
	case key.Matches(k, doctorKey()):
		switch {
		case p.shown:
			p.shown = false
		case p.lines != nil:
			p.shown, p.top = true, 0
		case !p.running:
			return p.run(a), true
		}
		return nil, true
	case p.shown && key.Matches(k, a.keys.Up):
		p.top = max(p.top-1, 0)
		return nil, true
	case p.shown && key.Matches(k, a.keys.Down):
		p.top++
		return nil, true
	case p.shown && key.Matches(k, back):
		p.shown = false
		return nil, true
	}
	return nil, false
}

// view is the checklist, scrolled with the arrow keys; backTo names the
// screen d or Esc return to.
func (p *doctorPanel) view(a *app, w, h int, backTo string) string {
	var b strings.Builder
	b.WriteString("\n  " + a.st.label.Render("Doctor's checklist") + "  (arrows scroll; d or Esc: back to " + backTo + ")\n\n")
	if p.running {
		b.WriteString("  Running the checks (network, config, DCs, SQL Server, this machine)...\n")
		return b.String()
	}
	var rows []string
	for _, l := range p.lines {
		// doctor wraps its own lines at 79 columns, indented; only a
		// narrower terminal wraps them again.
		if len([]rune(l)) <= w-4 {
			rows = append(rows, l)
		} else {
			rows = append(rows, wrap(l, w-4)...)
		}
	}
	room := max(h-4, 1)
	p.top = min(p.top, max(len(rows)-room, 0))
	for _, r := range rows[p.top:min(p.top+room, len(rows))] {
		b.WriteString("  " + r + "\n")
	}
	return b.String()
}
