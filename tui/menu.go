package tui

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/imageinvoker/imageinvoker/pkg/menu"
)

// menuScreen is the job menu: folders to open (or one flat list), and a
// filter across the whole tree.
type menuScreen struct {
	still
	*app
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

// load finds this machine in DS first when sign-in came before DS was
// asked, then loads the jobs the technician may queue here.
func (s *menuScreen) load() tea.Cmd {
	if !s.machine.LookedUp {
		return s.nav.run(newStep("Finding this machine in Deployment Server...", stateSignIn, s.b.FindComputer,
			func(mc Machine) tea.Cmd {
				s.machine = safeMachine(mc)
				return s.load()
			}))
	}
	text := "Loading your jobs"
	if s.machine.Name != "" {
		text += " for " + s.machine.Name
	}
	return s.nav.run(newStep(text+"...", stateSignIn, s.b.LoadMenu, s.loaded))
}

func (s *menuScreen) loaded(l Loaded) tea.Cmd {
	s.machine = safeMachine(l.Machine)
	*s = menuScreen{app: s.app, mn: safeMenu(l), filter: s.field("/", 128)}
	s.filter.PromptStyle = s.st.key
	if s.mn != nil {
		s.all = s.mn.Entries()
		s.idx = menu.NewIndex(s.all)
		if s.mn.Root != nil {
			s.stack = []*menu.Node{s.mn.Root}
		}
	}
	s.rebuild()
	return s.nav.show(stateMenu)
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

// top goes to the first item, the list rebuilt (a folder opened or left,
// the filter changed).
func (s *menuScreen) top() {
	s.cursor, s.offset = 0, 0
	s.rebuild()
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

func (s *menuScreen) name() string { return "Jobs" }
func (s *menuScreen) typing() bool { return s.filtering }
func (s *menuScreen) waits() bool  { return true }

func (s *menuScreen) update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyMsg)
	switch {
	case s.filtering && ok:
		return s.updateFilter(k)
	case s.filtering:
		var cmd tea.Cmd
		s.filter, cmd = s.filter.Update(msg)
		return cmd
	case !ok:
		return nil
	case k.Type == tea.KeyRunes && len(k.Runes) > 1 && k.Runes[0] == '/':
		// A fast typist, a paste, or a slow serial console delivers "/chem"
		// as one message of several runes: start the filter and type the rest.
		s.filtering = true
		focus := s.filter.Focus()
		return tea.Batch(focus, s.updateFilter(tea.KeyMsg{Type: tea.KeyRunes, Runes: k.Runes[1:]}))
	}
	page := s.listHeight()
	keys := &s.keys
	switch {
	case key.Matches(k, keys.Up):
		s.move(-1, page)
	case key.Matches(k, keys.Down):
		s.move(1, page)
	case key.Matches(k, keys.PageUp):
		s.move(-page, page)
	case key.Matches(k, keys.PageDown):
		s.move(page, page)
	case key.Matches(k, keys.Top):
		s.move(-len(s.items), page)
	case key.Matches(k, keys.Bottom):
		s.move(len(s.items), page)
	case key.Matches(k, keys.Filter):
		s.filtering = true
		return s.filter.Focus()
	case key.Matches(k, keys.Open):
		return s.openSelected()
	case key.Matches(k, keys.Back):
		if s.filter.Value() != "" {
			s.filter.Reset()
			s.top()
		} else if len(s.stack) > 1 {
			s.stack = s.stack[:len(s.stack)-1]
			s.top()
		}
	case key.Matches(k, keys.QuitMenu):
		return s.leave()
	}
	return nil
}

// filterKeys are the keys while the filter field has focus: only arrows,
// Enter and Esc act; every other key is typed into the filter.
func (s *menuScreen) filterKeys() (choose, clear key.Binding) {
	return relabel(s.keys.Submit, "enter", "choose"), relabel(s.keys.Cancel, "esc", "clear filter")
}

func (s *menuScreen) updateFilter(k tea.KeyMsg) tea.Cmd {
	page := s.listHeight()
	choose, clear := s.filterKeys()
	switch {
	case key.Matches(k, s.keys.FieldUp):
		s.move(-1, page)
		return nil
	case key.Matches(k, s.keys.FieldDown):
		s.move(1, page)
		return nil
	case key.Matches(k, s.keys.PageUp):
		s.move(-page, page)
		return nil
	case key.Matches(k, s.keys.PageDown):
		s.move(page, page)
		return nil
	case key.Matches(k, choose):
		s.filtering = false
		s.filter.Blur()
		if s.filter.Value() == "" {
			return nil
		}
		return s.openSelected()
	case key.Matches(k, clear):
		s.filtering = false
		s.filter.Blur()
		s.filter.Reset()
		s.top()
		return nil
	}
	before := s.filter.Value()
	var cmd tea.Cmd
	s.filter, cmd = s.filter.Update(k)
	if s.filter.Value() != before {
		s.top()
	}
	return cmd
}

func (s *menuScreen) openSelected() tea.Cmd {
	it := s.selected()
	switch {
	case it == nil:
		return nil
	case it.folder != nil:
		s.stack = append(s.stack, it.folder)
		s.top()
		return nil
	default:
		return s.nav.confirmJob(*it.entry)
	}
}

func (s *menuScreen) empty() bool { return s.mn == nil || s.mn.Count == 0 }

func (s *menuScreen) ShortHelp() []key.Binding {
	k := &s.keys
	switch {
	case s.filtering:
		choose, clear := s.filterKeys()
		return []key.Binding{together("↑/↓", "move", k.FieldUp, k.FieldDown), choose, clear, k.Quit}
	case s.empty():
		return []key.Binding{k.QuitMenu, k.Quit}
	}
	return []key.Binding{k.Up, k.Down, k.Open, k.Back, k.Filter, k.QuitMenu, k.Help}
}

func (s *menuScreen) FullHelp() [][]key.Binding {
	k := &s.keys
	switch {
	case s.filtering:
		choose, clear := s.filterKeys()
		return [][]key.Binding{{k.FieldUp, k.FieldDown, k.PageUp, k.PageDown, choose, clear}}
	case s.empty():
		return [][]key.Binding{s.ShortHelp()}
	}
	return [][]key.Binding{append(s.ShortHelp(), k.PageUp, k.PageDown, k.Top, k.Bottom)}
}

// menuLayout decides where the description goes: beside the list on wide
// screens, under it on narrow ones.
func (s *menuScreen) layout(w, h int) (listW, listH, paneW, paneH int, side bool) {
	const head = 2 // breadcrumbs/filter line and the count line
	if w >= 100 {
		listW = w * 55 / 100
		return listW, max(h-head, 1), w - listW - 3, max(h-head, 1), true
	}
	paneH = min(6, max(h-head-4, 0))
	return w, max(h-head-paneH-1, 1), w, paneH, false
}

func (s *menuScreen) listHeight() int {
	w, h := s.bodySize()
	_, lh, _, _, _ := s.layout(w, h)
	return lh
}

func (s *menuScreen) view(w, h int) string {
	if s.empty() {
		return s.viewEmpty(w)
	}
	listW, listH, paneW, paneH, side := s.layout(w, h)
	var b strings.Builder
	b.WriteString(truncate(s.headLine(), w) + "\n")
	b.WriteString(truncate(s.st.muted.Render(s.countLine()), w) + "\n")
	list := s.list(listW, listH)
	pane := s.describe(paneW, paneH)
	if side {
		b.WriteString(joinColumns(list, listW, s.st.vbar, pane, listH))
		return b.String()
	}
	for len(list) < listH {
		list = append(list, "")
	}
	b.WriteString(strings.Join(list, "\n") + "\n")
	b.WriteString(s.st.rules(w) + "\n")
	b.WriteString(strings.Join(pane, "\n"))
	return b.String()
}

func (s *menuScreen) headLine() string {
	if s.filtering || s.filter.Value() != "" {
		return s.filter.View()
	}
	if s.flat() {
		return s.st.folder.Render("All jobs")
	}
	var names []string
	for _, n := range s.stack {
		name := n.Name
		if name == "" {
			name = "Jobs"
		}
		names = append(names, name)
	}
	return s.st.folder.Render(strings.Join(names, s.st.sep))
}

func (s *menuScreen) countLine() string {
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

func (s *menuScreen) list(w, h int) []string {
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
		lines = append(lines, "  "+s.st.muted.Render(msg))
	}
	pad := strings.Repeat(" ", len([]rune(s.st.cursor)))
	showPath := s.flat() || s.filter.Value() != ""
	for i := s.offset; i < len(s.items) && len(lines) < h; i++ {
		it := s.items[i]
		var text string
		if it.folder != nil {
			text = it.folder.Name + "/"
			if s.st.look == ASCII {
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
		case i == s.cursor && s.st.look == ASCII:
			lines = append(lines, s.st.cursor+text)
		case i == s.cursor:
			lines = append(lines, s.st.cursor+s.st.selected.Render(text))
		case it.folder != nil:
			lines = append(lines, pad+s.st.folder.Render(text))
		default:
			lines = append(lines, pad+text)
		}
	}
	return lines
}

// describe is the selected item's description, in at most h lines of width w.
func (s *menuScreen) describe(w, h int) []string {
	if h <= 0 {
		return nil
	}
	it := s.selected()
	var out []string
	switch {
	case it == nil:
	case it.folder != nil:
		out = append(out, s.st.folder.Render(truncate(it.folder.Name, w)))
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
		out = append(out, s.st.label.Render(truncate(e.Name, w)))
		if d := strings.TrimSpace(e.Description); d != "" {
			out = append(out, wrap(d, w)...)
		}
		if fx := e.Effects(); len(fx.Steps) > 0 {
			line := "Will: " + strings.Join(fx.Steps, ", ")
			if fx.ErasesDisk {
				out = append(out, s.st.danger.Render(truncate(s.st.alarm+"ERASES THE DISK", w)))
			}
			out = append(out, wrap(line, w)...)
		}
	}
	if len(out) > h {
		out = out[:h]
	}
	return out
}

func (s *menuScreen) viewEmpty(w int) string {
	var b strings.Builder
	b.WriteString("\n  " + s.st.warning.Render("There are no jobs for you on this machine.") + "\n\n")
	name := s.machine.Name
	if name == "" {
		name = "this machine"
	}
	msg := "Your groups have no jobs on " + name + " that you may schedule. Ask your DS administrator; `imageinvoker explain` shows why each job is or is not offered."
	wrapped(&b, msg, w, plain)
	b.WriteString("\n  Press q to quit, or Ctrl+C.\n")
	return b.String()
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}
