// Package menu turns a Snapshot and a permission decision into the boot
// menu a technician sees: the job tree under the root folder plus tagged
// jobs from anywhere, in a stable order, with empty folders left out. It
// does no I/O.
package menu

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// Options shape the menu.
type Options struct {
	// Tag opts a job in from anywhere; blank means DefaultTag.
	Tag string
	// FolderNames overrides folder display names by folder id.
	FolderNames map[int64]string
	// Flat asks front ends for one list (Entries, with paths as hints)
	// instead of folders to open; the tree is built either way.
	Flat bool
}

// Menu is the built menu. It is read-only once built.
type Menu struct {
	Root *Node
	// Count is the number of allowed jobs shown.
	Count int
	Flat  bool

	entries []Entry // menu order, built once
}

// Node is a folder of the menu. The root node has Path "".
type Node struct {
	FolderID int64
	Name     string
	// Path is the folder's display path below the root, joined with "/".
	Path    string
	Folders []*Node
	Jobs    []Entry

	count int // allowed jobs directly in this folder, while building
}

// Entry is one job on the menu.
type Entry struct {
	ID int64
	// Name is the friendly name from the tag when there is one, else the job's name.
	Name string
	// Path is the display path of the job's menu folder ("" at the top).
	Path string
	// Description is the job's description without the tag.
	Description string
	Job         *model.Job
	// MarkedErases is set by `[imageinvoker: erases]` in the description;
	// Effects decides from it and the tasks whether the job erases the disk.
	MarkedErases bool
}

// FullPath is the entry's path and name as typed to Find ("Windows/Lab/Win11").
func (e Entry) FullPath() string {
	if e.Path == "" {
		return e.Name
	}
	return e.Path + "/" + e.Name
}

// Build makes the menu of the snapshot's candidate jobs that allowed
// accepts. A nil allowed shows nothing: the menu fails closed.
//
// Jobs under the root folder keep their folder path relative to it; tagged
// jobs elsewhere sit at the top. A job under the root that is also tagged
// stays in its folder and takes the tag's friendly name. Folder names that
// contain "/" make paths ambiguous for Find and Lookup; DS allows them, so
// they are kept as they are rather than silently renamed.
func Build(s *model.Snapshot, allowed func(jobID int64) bool, opts Options) *Menu {
	if s == nil {
		s = &model.Snapshot{}
	}
	b := builder{s: s, opts: opts, tag: normalizeTag(opts.Tag),
		nodes: map[int64]*Node{}, state: map[int64]folderState{}}
	b.root = &Node{FolderID: s.RootFolderID}
	if s.RootFolderID != 0 {
		if _, ok := s.Folders[s.RootFolderID]; ok {
			b.root.Name = b.display(s.RootFolderID)
		}
		b.nodes[s.RootFolderID] = b.root
		b.state[s.RootFolderID] = underRoot
	}
	m := &Menu{Root: b.root, Flat: opts.Flat}
	// Allowed jobs are found first and counted per folder; then every
	// folder gets its window of one backing array, laid out in menu order,
	// so the menu's entries, each folder's jobs and Entries all share one
	// allocation: at 10,000 jobs, copying and collecting entries was most
	// of the cost of a menu.
	type placed struct {
		n        *Node
		j        *model.Job
		friendly string
		tagged   bool
	}
	all := make([]placed, 0, len(s.Jobs))
	for _, j := range s.Jobs {
		if j == nil {
			continue
		}
		tagged, friendly := parseTag(j.Description, b.tag)
		inRoot := s.RootFolderID != 0 && j.FolderID != 0 && b.underRoot(j.FolderID)
		if (!inRoot && !tagged) || allowed == nil || !allowed(j.ID) {
			continue
		}
		n := b.root
		if inRoot {
			n = b.node(j.FolderID)
		}
		all = append(all, placed{n, j, friendly, tagged})
		n.count++
	}
	m.Count = len(all)
	sortFolders(b.root)
	m.entries = make([]Entry, m.Count)
	layout(b.root, m.entries, 0)
	for _, p := range all {
		e := Entry{ID: p.j.ID, Name: p.j.Name, Path: p.n.Path, Description: strings.TrimSpace(p.j.Description), Job: p.j,
			MarkedErases: p.tagged && markedErases(p.j.Description, b.tag)}
		if p.friendly != "" {
			e.Name = p.friendly
		}
		if p.tagged {
			e.Description = stripTag(p.j.Description, b.tag)
		}
		p.n.Jobs = append(p.n.Jobs, e)
	}
	sortJobs(b.root)
	return m
}

// layout gives n and its subtree their windows of entries from off, in
// menu order (depth first, folders before jobs), and returns the next offset.
func layout(n *Node, entries []Entry, off int) int {
	for _, f := range n.Folders {
		off = layout(f, entries, off)
	}
	n.Jobs = entries[off : off : off+n.count]
	return off + n.count
}

type folderState uint8

const (
	unknown folderState = iota
	underRoot
	outside
	visiting
)

type builder struct {
	s     *model.Snapshot
	opts  Options
	tag   string
	root  *Node
	nodes map[int64]*Node
	state map[int64]folderState
}

// underRoot reports whether folder id is the root folder or below it,
// memoized per folder. A folder on a cycle, or leading into one, never
// reaches the root and is outside.
func (b *builder) underRoot(id int64) bool {
	switch b.state[id] {
	case underRoot:
		return true
	case outside, visiting:
		return false
	}
	f, ok := b.s.Folders[id]
	if !ok || f.ParentID == 0 {
		b.state[id] = outside
		return false
	}
	b.state[id] = visiting
	in := b.underRoot(f.ParentID)
	b.state[id] = outside
	if in {
		b.state[id] = underRoot
	}
	return in
}

// node returns the menu folder for a folder known to be under the root.
func (b *builder) node(id int64) *Node {
	if n, ok := b.nodes[id]; ok {
		return n
	}
	parent := b.node(b.s.Folders[id].ParentID)
	n := &Node{FolderID: id, Name: b.display(id)}
	n.Path = n.Name
	if parent.Path != "" {
		n.Path = parent.Path + "/" + n.Name
	}
	parent.Folders = append(parent.Folders, n)
	b.nodes[id] = n
	return n
}

func (b *builder) display(id int64) string {
	if name := strings.TrimSpace(b.opts.FolderNames[id]); name != "" {
		return name
	}
	if name := b.s.Folders[id].Name; strings.TrimSpace(name) != "" {
		return name
	}
	return fmt.Sprintf("folder %d", id)
}

// sortFolders and sortJobs order folders, then jobs, by display name
// without regard to case, ties by id, so the same data always gives the
// same menu. Folders are ordered before the jobs are placed (layout follows
// folder order); jobs are sorted in place within their folder's window.
func sortFolders(n *Node) {
	slices.SortFunc(n.Folders, func(a, b *Node) int {
		if c := compareFold(a.Name, b.Name); c != 0 {
			return c
		}
		return cmpInt(a.FolderID, b.FolderID)
	})
	for _, f := range n.Folders {
		sortFolders(f)
	}
}

func sortJobs(n *Node) {
	slices.SortFunc(n.Jobs, func(a, b Entry) int {
		if c := compareFold(a.Name, b.Name); c != 0 {
			return c
		}
		return cmpInt(a.ID, b.ID)
	})
	for _, f := range n.Folders {
		sortJobs(f)
	}
}

// Entries is every job once, in menu order: depth first, at each level the
// folders and then the jobs. The slice is the caller's.
func (m *Menu) Entries() []Entry { return slices.Clone(m.entries) }

// Find finds one entry by job id ("2000133") or by path and name
// ("Windows/Lab/Win11 Physics", case-insensitive). It reports false when
// nothing or more than one entry matches: a script must never queue a job
// it merely guessed. FindAll lists the candidates.
func (m *Menu) Find(idOrPath string) (Entry, bool) {
	all := m.FindAll(idOrPath)
	if len(all) != 1 {
		return Entry{}, false
	}
	return all[0], true
}

// FindAll is every entry Find would consider: the job with that id, else
// every entry whose path and name match.
func (m *Menu) FindAll(idOrPath string) []Entry {
	ref := strings.TrimSpace(idOrPath)
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		for _, e := range m.entries {
			if e.ID == id {
				return []Entry{e}
			}
		}
	}
	ref = strings.Trim(ref, "/")
	if ref == "" {
		return nil
	}
	var out []Entry
	for _, e := range m.entries {
		if strings.EqualFold(e.FullPath(), ref) {
			out = append(out, e)
		}
	}
	return out
}

// compareFold orders strings without regard to case, by lower-cased bytes
// for ASCII and by lower-cased runes beyond it, without allocating.
func compareFold(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		ca, cb := a[i], b[i]
		if ca >= 0x80 || cb >= 0x80 {
			return strings.Compare(strings.ToLower(a[i:]), strings.ToLower(b[i:]))
		}
		if ca, cb = lowerASCII(ca), lowerASCII(cb); ca != cb {
			return int(ca) - int(cb)
		}
	}
	return len(a) - len(b)
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Map returns a copy of the menu whose folder names, paths and job names
// pass through line and descriptions through text; ids and jobs are kept.
// The console draws such a copy (termsafe), so nothing DS holds reaches the
// terminal unfiltered, while JSON output keeps the exact values.
func (m *Menu) Map(line, text func(string) string) *Menu {
	if m == nil {
		return nil
	}
	out := &Menu{Count: m.Count, Flat: m.Flat}
	var copyNode func(n *Node) *Node
	copyNode = func(n *Node) *Node {
		c := &Node{FolderID: n.FolderID, Name: line(n.Name), Path: line(n.Path), count: len(n.Jobs)}
		for _, f := range n.Folders {
			c.Folders = append(c.Folders, copyNode(f))
		}
		return c
	}
	out.Root = copyNode(m.Root)
	out.entries = make([]Entry, len(m.entries))
	layout(out.Root, out.entries, 0)
	var fill func(src, dst *Node)
	fill = func(src, dst *Node) {
		for i, f := range src.Folders {
			fill(f, dst.Folders[i])
		}
		for _, e := range src.Jobs {
			e.Name, e.Path, e.Description = line(e.Name), line(e.Path), text(e.Description)
			dst.Jobs = append(dst.Jobs, e)
		}
	}
	fill(m.Root, out.Root)
	return out
}
