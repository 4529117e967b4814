package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
)

// SitePrompt is the screen the console shows before anything else when the
// config lists sites, none of their subnets holds this machine's addresses
// and sites_prompt is on: the technician picks the Deployment Server site.
// It is its own small program, not a state of Model, because the site
// decides the store and directory the main console is built on.
type SitePrompt struct {
	// Sites are the names to choose from, in file order.
	Sites []string
	// Reason says why the console asks (no subnet matched these addresses).
	Reason string
	Look   Look
	// IdleTimeout ends an unattended prompt like any idle screen (exit 10).
	IdleTimeout time.Duration
}

type siteModel struct {
	p             SitePrompt
	st            *styles
	cursor        int
	chosen        string
	err           error
	idleGen       int
	width, height int
}

type siteIdleMsg struct{ gen int }

func (m *siteModel) idle() tea.Cmd {
	m.idleGen++
	gen := m.idleGen
	return tea.Tick(m.p.IdleTimeout, func(time.Time) tea.Msg { return siteIdleMsg{gen} })
}

func (m *siteModel) Init() tea.Cmd { return m.idle() }

func (m *siteModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
	case siteIdleMsg:
		if msg.gen == m.idleGen {
			m.err = &exitcode.Error{Code: exitcode.Idle, Msg: "the console was idle on the site choice for " + m.p.IdleTimeout.String()}
			return m, tea.Quit
		}
	case tea.KeyMsg:
		switch msg.String() {
		case "up", "k":
			m.cursor = max(m.cursor-1, 0)
		case "down", "j", "tab":
			m.cursor = min(m.cursor+1, len(m.p.Sites)-1)
		case "home", "g":
			m.cursor = 0
		case "end", "G":
			m.cursor = len(m.p.Sites) - 1
		case "enter":
			m.chosen = m.p.Sites[m.cursor]
			return m, tea.Quit
		case "ctrl+c", "q", "esc":
			m.err = &exitcode.Error{Code: exitcode.Interrupted, Msg: "interrupted: no site chosen"}
			return m, tea.Quit
		}
		return m, m.idle()
	}
	return m, nil
}

func (m *siteModel) View() string {
	if m.chosen != "" || m.err != nil {
		return ""
	}
	w := m.width
	if w <= 0 {
		w = 80
	}
	var b strings.Builder
	title := "ImageInvoker - Choose the site"
	if m.st.look == ASCII {
		b.WriteString(truncate(title, w))
	} else {
		b.WriteString(m.st.title.Render(padRight(truncate(" ImageInvoker · Choose the site", w), w)))
	}
	b.WriteString("\n" + m.st.muted.Render(strings.Repeat(m.st.rule, w)) + "\n\n")
	for _, l := range wrap("Which Deployment Server site is this machine at? "+m.p.Reason+".", w-4) {
		b.WriteString("  " + l + "\n")
	}
	b.WriteString("\n")
	for i, name := range m.p.Sites {
		line := "    " + name
		if i == m.cursor {
			line = m.st.selected.Render(truncate("  "+m.st.cursor+" "+name, w))
		}
		b.WriteString(truncate(line, w) + "\n")
	}
	arrows := "↑/↓"
	if m.st.look == ASCII {
		arrows = "up/down" // the WinPE console font may lack the arrows
	}
	b.WriteString("\n" + m.st.key.Render(arrows) + " " + m.st.muted.Render("choose") + m.st.dot +
		m.st.key.Render("enter") + " " + m.st.muted.Render("use this site") + m.st.dot +
		m.st.key.Render("q") + " " + m.st.muted.Render("quit"))
	return b.String()
}

// ChooseSite shows the prompt on a terminal and returns the chosen site.
func ChooseSite(p SitePrompt, o Options, in io.Reader, out io.Writer) (string, error) {
	if len(p.Sites) == 0 {
		return "", errors.New("no sites to choose from")
	}
	if p.IdleTimeout <= 0 {
		p.IdleTimeout = 10 * time.Minute
	}
	if o.Context == nil {
		o.Context = context.Background()
	}
	m := &siteModel{p: p, st: newStyles(p.Look, out, o.Profile)}
	prog := tea.NewProgram(m, tea.WithInput(in), tea.WithOutput(out), tea.WithAltScreen(), tea.WithContext(o.Context))
	final, err := prog.Run()
	switch {
	case errors.Is(err, tea.ErrInterrupted), errors.Is(err, tea.ErrProgramKilled):
		return "", &exitcode.Error{Code: exitcode.Interrupted, Msg: "interrupted"}
	case err != nil:
		return "", fmt.Errorf("site choice: %w", err)
	}
	fm := final.(*siteModel)
	return fm.chosen, fm.err
}
