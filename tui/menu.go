package tui

import (
	"context"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/internal/termsafe"
	"github.com/imageinvoker/imageinvoker/pkg/menu"
)

// menuScreen is the job menu: folders to open (or one flat list), and a
// filter across the whole tree.
type menuScreen struct {
	mn      *menu.Menu
	all     []menu.Entry
	idx     *menu.Index
	stack   []*menu.Node // open folders, root first
	items   []menuItem
	matches []menu.Entry // while a filter is typed
	cursor  int
	offset  int

	filtering bool
	filter    textinput.Model
}

type menuItem struct {
	folder *menu.Node
	entry  *menu.Entry
}

type foundMsg struct {
	m   Machine
	err error
}

type loadedMsg struct {
	l   Loaded
	err error
}

func (m *Model) startFind() tea.Cmd {
	return m.startStep("Finding this machine in Deployment Server...", stateSignIn, exitcode.StoreDown, m.o.StepTimeout,
		func(ctx context.Context) tea.Msg {
			mm, err := m.b.FindComputer(ctx)
			return foundMsg{mm, err}
		})
}

func (m *Model) onFound(msg foundMsg) tea.Cmd {
	if msg.err != nil {
		return m.showError(msg.err, stateSignIn)
	}
	m.machine = safeMachine(msg.m)
	return m.startLoad()
}

func (m *Model) startLoad() tea.Cmd {
	text := "Loading your jobs"
	if m.machine.Name != "" {
		text += " for " + m.machine.Name
	}
	return m.startStep(text+"...", stateSignIn, exitcode.StoreDown, m.o.StepTimeout,
		func(ctx context.Context) tea.Msg {
			l, err := m.b.LoadMenu(ctx)
			return loadedMsg{l, err}
		})
}

func (m *Model) onLoaded(msg loadedMsg) tea.Cmd {
	if msg.err != nil {
		return m.showError(msg.err, stateSignIn)
	}
	l := msg.l
	m.loaded = &l
	m.machine = safeMachine(l.Machine)
	m.menu = newMenuScreen(l.Menu.Map(termsafe.Line, termsafe.Text), m.st)
	m.enter(stateMenu)
	return nil
}

func newMenuScreen(mn *menu.Menu, st *styles) menuScreen {
	f := textinput.New()
	f.Prompt, f.CharLimit = "/", 128
	f.Cursor.Style, f.TextStyle, f.PromptStyle = st.body, st.body, st.key
	f.Cursor.SetMode(cursor.CursorStatic)
	s := menuScreen{mn: mn, filter: f}
	if mn != nil {
		s.all = mn.Entries()
		s.idx = menu.NewIndex(s.all)
		if mn.Root != nil {
			s.stack = []*menu.Node{mn.Root}
		}
	}
	s.rebuild()
	return s
}

// flat says the menu is one list: by configuration, or while filtering.
func (s *menuScreen) flat() bool {
	return s.mn != nil && (s.mn.Flat || len(s.stack) == 0)
}

func (s *menuScreen) rebuild() {
	s.items = s.items[:0]
	switch {
	case s.filter.Value() != "":
		s.matches = s.idx.Filter(s.filter.Value())
		for i := range s.matches {
			s.items = append(s.items, menuItem{entry: &s.matches[i]})
		}
	case s.flat():
		for i := range s.all {
			s.items = append(s.items, menuItem{entry: &s.all[i]})
		}
	default:
		n := s.stack[len(s.stack)-1]
		for _, f := range n.Folders {
			s.items = append(s.items, menuItem{folder: f})
		}
		for i := range n.Jobs {
			s.items = append(s.items, menuItem{entry: &n.Jobs[i]})
		}
	}
	if s.cursor >= len(s.items) {
		s.cursor = max(len(s.items)-1, 0)
	}
}

func (s *menuScreen) move(d, page int) {
	s.cursor = min(max(s.cursor+d, 0), max(len(s.items)-1, 0))
	if s.cursor < s.offset {
		s.offset = s.cursor
	}
	if page > 0 && s.cursor >= s.offset+page {
		s.offset = s.cursor - page + 1
	}
}

func (s *menuScreen) selected() *menuItem {
	if s.cursor < len(s.items) {
		return &s.items[s.cursor]
	}
	return nil
}

func (m *Model) updateMenu(msg tea.Msg) tea.Cmd {
	s := &m.menu
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		if s.filtering {
			var cmd tea.Cmd
			s.filter, cmd = s.filter.Update(msg)
			return cmd
		}
		return nil
	}
	if s.filtering {
		return m.updateMenuFilter(k)
	}
	// A fast typist, a paste, or a slow serial console delivers "/chem" as
	// one message of several runes: start the filter and type the rest.
	if k.Type == tea.KeyRunes && len(k.Runes) > 1 && k.Runes[0] == '/' {
		s.filtering = true
		focus := s.filter.Focus()
		return tea.Batch(focus, m.updateMenuFilter(tea.KeyMsg{Type: tea.KeyRunes, Runes: k.Runes[1:]}))
	}
	page := m.menuListHeight()
	switch {
	case key.Matches(k, m.keys.Up):
		s.move(-1, page)
	case key.Matches(k, m.keys.Down):
		s.move(1, page)
	case key.Matches(k, m.keys.PageUp):
		s.move(-page, page)
	case key.Matches(k, m.keys.PageDown):
		s.move(page, page)
	case key.Matches(k, m.keys.Top):
		s.move(-len(s.items), page)
	case key.Matches(k, m.keys.Bottom):
		s.move(len(s.items), page)
	case key.Matches(k, m.keys.Filter):
		s.filtering = true
		return s.filter.Focus()
	case key.Matches(k, m.keys.Open):
		return m.openSelected()
	case key.Matches(k, m.keys.Back):
		if s.filter.Value() != "" {
			s.filter.Reset()
			s.cursor, s.offset = 0, 0
			s.rebuild()
		} else if len(s.stack) > 1 {
			s.stack = s.stack[:len(s.stack)-1]
			s.cursor, s.offset = 0, 0
			s.rebuild()
		}
	case key.Matches(k, m.keys.QuitMenu):
		return m.quitUnqueued()
	}
	return nil
}

// updateMenuFilter handles keys while the filter field has focus: only
// arrows, Enter and Esc act; every other key is typed into the filter.
func (m *Model) updateMenuFilter(k tea.KeyMsg) tea.Cmd {
	s := &m.menu
	page := m.menuListHeight()
	switch {
	case key.Matches(k, m.keys.FieldUp):
		s.move(-1, page)
		return nil
	case key.Matches(k, m.keys.FieldDown):
		s.move(1, page)
		return nil
	case k.Type == tea.KeyPgUp:
		s.move(-page, page)
		return nil
	case k.Type == tea.KeyPgDown:
		s.move(page, page)
		return nil
	case key.Matches(k, m.keys.Submit):
		s.filtering = false
		s.filter.Blur()
		if s.filter.Value() == "" {
			return nil
		}
		return m.openSelected()
	case key.Matches(k, m.keys.Cancel):
		s.filtering = false
		s.filter.Blur()
		s.filter.Reset()
		s.cursor, s.offset = 0, 0
		s.rebuild()
		return nil
	}
	before := s.filter.Value()
	var cmd tea.Cmd
	s.filter, cmd = s.filter.Update(k)
	if s.filter.Value() != before {
		s.cursor, s.offset = 0, 0
		s.rebuild()
	}
	return cmd
}

func (m *Model) openSelected() tea.Cmd {
	s := &m.menu
	it := s.selected()
	switch {
	case it == nil:
		return nil
	case it.folder != nil:
		s.stack = append(s.stack, it.folder)
		s.cursor, s.offset = 0, 0
		s.rebuild()
		return nil
	default:
		return m.openConfirm(*it.entry)
	}
}

func (m *Model) keysMenu() []key.Binding {
	if m.menu.filtering {
		return []key.Binding{
			key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "move")),
			key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "choose")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
			m.keys.Quit,
		}
	}
	if m.menu.mn == nil || m.menu.mn.Count == 0 {
		return []key.Binding{m.keys.QuitMenu, m.keys.Quit}
	}
	return []key.Binding{m.keys.Up, m.keys.Down, m.keys.Open, m.keys.Back, m.keys.Filter, m.keys.QuitMenu, m.keys.Help}
}

// menuLayout decides where the description goes: beside the list on wide
// screens, under it on narrow ones.
func (m *Model) menuLayout(w, h int) (listW, listH, paneW, paneH int, side bool) {
	const head = 2 // breadcrumbs/filter line and the count line
	if w >= 100 {
		listW = w * 55 / 100
		return listW, max(h-head, 1), w - listW - 3, max(h-head, 1), true
	}
	paneH = min(6, max(h-head-4, 0))
	return w, max(h-head-paneH-1, 1), w, paneH, false
}

func (m *Model) menuListHeight() int {
	w, h := m.bodySize()
	_, lh, _, _, _ := m.menuLayout(w, h)
	return lh
}

func (m *Model) viewMenu(w, h int) string {
	s := &m.menu
	if s.mn == nil || s.mn.Count == 0 {
		return m.viewEmptyMenu(w)
	}
	listW, listH, paneW, paneH, side := m.menuLayout(w, h)
	var b strings.Builder
	b.WriteString(truncate(m.menuHeadLine(), w) + "\n")
	b.WriteString(truncate(m.st.muted.Render(m.menuCountLine()), w) + "\n")
	list := m.menuList(listW, listH)
	pane := m.describe(paneW, paneH)
	if side {
		b.WriteString(joinColumns(list, listW, m.st.vbar, pane, listH))
		return b.String()
	}
	for len(list) < listH {
		list = append(list, "")
	}
	b.WriteString(strings.Join(list, "\n") + "\n")
	b.WriteString(m.st.muted.Render(strings.Repeat(m.st.rule, w)) + "\n")
	b.WriteString(strings.Join(pane, "\n"))
	return b.String()
}

func (m *Model) menuHeadLine() string {
	s := &m.menu
	if s.filtering || s.filter.Value() != "" {
		return s.filter.View()
	}
	if s.flat() {
		return m.st.folder.Render("All jobs")
	}
	var names []string
	for _, n := range s.stack {
		name := n.Name
		if name == "" {
			name = "Jobs"
		}
		names = append(names, name)
	}
	return m.st.folder.Render(strings.Join(names, m.st.sep))
}

func (m *Model) menuCountLine() string {
	s := &m.menu
	total := s.mn.Count
	if s.filter.Value() != "" {
		return strconv.Itoa(len(s.matches)) + " of " + plural(total, "job") + " match"
	}
	if s.flat() {
		return plural(total, "job")
	}
	n := s.stack[len(s.stack)-1]
	return plural(len(n.Folders), "folder") + ", " + plural(len(n.Jobs), "job") + " here; " + plural(total, "job") + " in all"
}

func (m *Model) menuList(w, h int) []string {
	s := &m.menu
	if s.cursor >= s.offset+h {
		s.offset = s.cursor - h + 1
	}
	if s.cursor < s.offset {
		s.offset = s.cursor
	}
	lines := make([]string, 0, h)
	if len(s.items) == 0 {
		msg := "This folder is empty."
		if s.filter.Value() != "" {
			msg = "No job matches \"" + s.filter.Value() + "\". Esc clears the filter."
		}
		lines = append(lines, "  "+m.st.muted.Render(msg))
	}
	pad := strings.Repeat(" ", len([]rune(m.st.cursor)))
	showPath := s.flat() || s.filter.Value() != ""
	for i := s.offset; i < len(s.items) && len(lines) < h; i++ {
		it := s.items[i]
		var text string
		if it.folder != nil {
			text = it.folder.Name + "/"
			if m.st.look == ASCII {
				text = "[+] " + text
			}
		} else {
			text = it.entry.Name
			if showPath && it.entry.Path != "" {
				text += "  (" + it.entry.Path + ")"
			}
		}
		text = truncate(text, w-len([]rune(pad)))
		switch {
		case i == s.cursor && m.st.look == ASCII:
			lines = append(lines, m.st.cursor+text)
		case i == s.cursor:
			lines = append(lines, m.st.cursor+m.st.selected.Render(text))
		case it.folder != nil:
			lines = append(lines, pad+m.st.folder.Render(text))
		default:
			lines = append(lines, pad+text)
		}
	}
	return lines
}

// describe is the selected item's description, in at most h lines of width w.
func (m *Model) describe(w, h int) []string {
	if h <= 0 {
		return nil
	}
	it := m.menu.selected()
	var out []string
	switch {
	case it == nil:
	case it.folder != nil:
		out = append(out, m.st.folder.Render(truncate(it.folder.Name, w)))
		var parts []string
		if n := len(it.folder.Folders); n > 0 {
			parts = append(parts, plural(n, "folder"))
		}
		if n := len(it.folder.Jobs); n > 0 {
			parts = append(parts, plural(n, "job"))
		}
		out = append(out, wrap("Folder: "+strings.Join(parts, " and ")+". Enter opens it.", w)...)
	default:
		e := it.entry
		out = append(out, m.st.label.Render(truncate(e.Name, w)))
		if d := strings.TrimSpace(e.Description); d != "" {
			out = append(out, wrap(d, w)...)
		}
		if e.Job != nil {
			words, erases := describeTasks(e.Job.Tasks)
			line := "Will: " + strings.Join(words, ", ")
			if erases {
				out = append(out, m.st.danger.Render(truncate(m.st.alarm+"ERASES THE DISK", w)))
			}
			out = append(out, wrap(line, w)...)
		}
	}
	if len(out) > h {
		out = out[:h]
	}
	return out
}

func (m *Model) viewEmptyMenu(w int) string {
	var b strings.Builder
	b.WriteString("\n  " + m.st.warning.Render("There are no jobs for you on this machine.") + "\n\n")
	name := m.machine.Name
	if name == "" {
		name = "this machine"
	}
	msg := "Your groups have no jobs on " + name + " that you may schedule. Ask your DS administrator; `imageinvoker explain` shows why each job is or is not offered."
	for _, l := range wrap(msg, w-4) {
		b.WriteString("  " + l + "\n")
	}
	b.WriteString("\n  Press q to quit, or Ctrl+C.\n")
	return b.String()
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}
