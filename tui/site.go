package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/internal/termsafe"
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
	keys          siteKeys
	cursor        int
	chosen        string
	err           error
	idleGen       int
	width, height int
}

// siteKeys are the keys of the site prompt: a list to choose from.
type siteKeys struct {
	up, down, top, bottom, choose, quit key.Binding
}

func newSiteKeys() siteKeys {
	k := newKeyMap()
	return siteKeys{
		up: k.Up, down: together("↓/j", "down", k.Down, key.NewBinding(key.WithKeys("tab"))),
		top: k.Top, bottom: k.Bottom,
		choose: relabel(k.Submit, "enter", "use this site"),
		quit:   together("q", "quit", k.Quit, k.QuitMenu, k.Cancel),
	}
}

func newSiteModel(p SitePrompt, st *styles) *siteModel {
	// The names come from the config, perhaps a central file: safe to draw.
	p.Sites, p.Reason = termsafe.Lines(p.Sites), termsafe.Line(p.Reason)
	return &siteModel{p: p, st: st, keys: newSiteKeys()}
}

// ShortHelp is the prompt's footer.
func (m *siteModel) ShortHelp() []key.Binding {
	return []key.Binding{together("↑/↓", "choose", m.keys.up, m.keys.down), m.keys.choose, m.keys.quit}
}

// FullHelp is every key of the prompt.
func (m *siteModel) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{{k.up, k.down, k.top, k.bottom, k.choose, k.quit}}
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
		k := m.keys
		switch {
		case key.Matches(msg, k.up):
			m.cursor = max(m.cursor-1, 0)
		case key.Matches(msg, k.down):
			m.cursor = min(m.cursor+1, len(m.p.Sites)-1)
		case key.Matches(msg, k.top):
			m.cursor = 0
		case key.Matches(msg, k.bottom):
			m.cursor = len(m.p.Sites) - 1
		case key.Matches(msg, k.choose):
			m.chosen = m.p.Sites[m.cursor]
			return m, tea.Quit
		case key.Matches(msg, k.quit):
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
	b.WriteString(m.st.header("Choose the site", w))
	b.WriteString("\n" + m.st.rules(w) + "\n\n")
	wrapped(&b, "Which Deployment Server site is this machine at? "+m.p.Reason+".", w, plain)
	b.WriteString("\n")
	for i, name := range m.p.Sites {
		line := "    " + name
		if i == m.cursor {
			line = m.st.selected.Render(truncate("  "+m.st.cursor+" "+name, w))
		}
		b.WriteString(truncate(line, w) + "\n")
	}
	b.WriteString("\n" + m.st.footer(m.ShortHelp(), w))
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
	m := newSiteModel(p, newStyles(p.Look, out, o.Profile))
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
