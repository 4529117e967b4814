package menu

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/synth"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

const (
	fRoot      = 1000001
	fWindows   = 1000002
	fLab       = 1000003
	fLinux     = 1000004
	fEmpty     = 1000005
	fElsewhere = 1000010
	fSub       = 1000011
)

// fixture: a root folder "ImageInvoker" with Windows/Lab, linux and a folder
// whose only job is denied; tagged and untagged jobs outside the root.
func fixture() *model.Snapshot {
	folders := []model.Folder{
		{ID: fRoot, Name: "ImageInvoker"},
		{ID: fWindows, ParentID: fRoot, Name: "Windows"},
		{ID: fLab, ParentID: fWindows, Name: "Lab"},
		{ID: fLinux, ParentID: fRoot, Name: "linux"},
		{ID: fEmpty, ParentID: fRoot, Name: "Empty"},
		{ID: fElsewhere, Name: "Elsewhere"},
		{ID: fSub, ParentID: fElsewhere, Name: "Sub"},
	}
	jobs := []*model.Job{
		{ID: 2000133, Name: "Win11 Physics", FolderID: fLab, Description: "Lab image"},
		{ID: 2000134, Name: "win10 Legacy", FolderID: fLab},
		{ID: 2000135, Name: "Ubuntu 24.04", FolderID: fLinux, Description: "[ImageInvoker: Ubuntu LTS] Ubuntu desktop"},
		{ID: 2000136, Name: "Denied job", FolderID: fEmpty},
		{ID: 2000137, Name: "BIOS update", FolderID: fSub, Description: "Flash BIOS [imageinvoker]"},
		{ID: 2000138, Name: "Untagged elsewhere", FolderID: fSub},
		{ID: 2000139, Name: "Root job", FolderID: fRoot},
		{ID: 2000140, Name: "Top tagged", Description: "[imageinvoker:  Inventory  ]"},
		{ID: 2000141, Name: "Apple", FolderID: fWindows},
	}
	s := &model.Snapshot{SecurityOn: true, RootFolderID: fRoot, Folders: map[int64]model.Folder{}, Jobs: map[int64]*model.Job{}}
	for _, f := range folders {
		s.Folders[f.ID] = f
	}
	for _, j := range jobs {
		s.Jobs[j.ID] = j
	}
	return s
}

func allBut(denied ...int64) func(int64) bool {
	return func(id int64) bool { return !slices.Contains(denied, id) }
}

// render is the menu as "path/name=id" lines in Entries order.
func render(m *Menu) []string {
	var out []string
	for _, e := range m.Entries() {
		out = append(out, fmt.Sprintf("%s=%d", e.FullPath(), e.ID))
	}
	return out
}

func TestBuild(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(*model.Snapshot)
		allowed func(int64) bool
		opts    Options
		want    []string
	}{
		{
			name:    "root subtree and tagged jobs, empty folder hidden",
			allowed: allBut(2000136),
			want: []string{
				"linux/Ubuntu LTS=2000135",
				"Windows/Lab/win10 Legacy=2000134",
				"Windows/Lab/Win11 Physics=2000133",
				"Windows/Apple=2000141",
				"BIOS update=2000137",
				"Inventory=2000140",
				"Root job=2000139",
			},
		},
		{
			name:    "denied jobs and the folders they leave empty disappear",
			allowed: allBut(2000136, 2000133, 2000134, 2000140),
			want: []string{
				"linux/Ubuntu LTS=2000135",
				"Windows/Apple=2000141",
				"BIOS update=2000137",
				"Root job=2000139",
			},
		},
		{
			name:    "folder display names overridden by id",
			allowed: allBut(2000136),
			opts:    Options{FolderNames: map[int64]string{fWindows: "Zeta Windows", fLinux: " "}},
			want: []string{
				"linux/Ubuntu LTS=2000135",
				"Zeta Windows/Lab/win10 Legacy=2000134",
				"Zeta Windows/Lab/Win11 Physics=2000133",
				"Zeta Windows/Apple=2000141",
				"BIOS update=2000137",
				"Inventory=2000140",
				"Root job=2000139",
			},
		},
		{
			name:    "an override reorders folders",
			allowed: allBut(2000136),
			opts:    Options{FolderNames: map[int64]string{fLinux: "Zeta Linux"}},
			want: []string{
				"Windows/Lab/win10 Legacy=2000134",
				"Windows/Lab/Win11 Physics=2000133",
				"Windows/Apple=2000141",
				"Zeta Linux/Ubuntu LTS=2000135",
				"BIOS update=2000137",
				"Inventory=2000140",
				"Root job=2000139",
			},
		},
		{
			name:    "another tag: the default tag means nothing, its friendly name neither",
			allowed: allBut(),
			opts:    Options{Tag: "[menu]"},
			mutate:  func(s *model.Snapshot) { s.Jobs[2000138].Description = "[MENU: Cleanup]" },
			want: []string{
				"Empty/Denied job=2000136",
				"linux/Ubuntu 24.04=2000135",
				"Windows/Lab/win10 Legacy=2000134",
				"Windows/Lab/Win11 Physics=2000133",
				"Windows/Apple=2000141",
				"Cleanup=2000138",
				"Root job=2000139",
			},
		},
		{
			name:    "no root folder: tagged jobs only, all at the top",
			allowed: allBut(),
			mutate:  func(s *model.Snapshot) { s.RootFolderID = 0 },
			want: []string{
				"BIOS update=2000137",
				"Inventory=2000140",
				"Ubuntu LTS=2000135",
			},
		},
		{
			name:    "root folder row missing: its direct jobs still count",
			allowed: allBut(),
			mutate: func(s *model.Snapshot) {
				delete(s.Folders, fRoot)
				delete(s.Folders, fWindows) // and Windows/Lab with it
			},
			want: []string{
				"Empty/Denied job=2000136",
				"linux/Ubuntu LTS=2000135",
				"BIOS update=2000137",
				"Inventory=2000140",
				"Root job=2000139",
			},
		},
		{
			name:    "a folder cycle is outside the root",
			allowed: allBut(),
			mutate: func(s *model.Snapshot) {
				s.Folders[fElsewhere] = model.Folder{ID: fElsewhere, ParentID: fSub, Name: "Elsewhere"}
				s.Jobs[2000133].FolderID = fSub
			},
			want: []string{
				"Empty/Denied job=2000136",
				"linux/Ubuntu LTS=2000135",
				"Windows/Lab/win10 Legacy=2000134",
				"Windows/Apple=2000141",
				"BIOS update=2000137",
				"Inventory=2000140",
				"Root job=2000139",
			},
		},
		{
			name:    "names equal but for case: ties by id",
			allowed: allBut(),
			mutate: func(s *model.Snapshot) {
				s.Folders = map[int64]model.Folder{fRoot: {ID: fRoot, Name: "root"}}
				s.Jobs = map[int64]*model.Job{
					2000009: {ID: 2000009, Name: "clone", FolderID: fRoot},
					2000003: {ID: 2000003, Name: "Clone", FolderID: fRoot},
					2000005: {ID: 2000005, Name: "CLONE", FolderID: fRoot},
					2000001: {ID: 2000001, Name: "Älter", FolderID: fRoot},
					2000002: {ID: 2000002, Name: "b", FolderID: fRoot},
				}
			},
			want: []string{"b=2000002", "Clone=2000003", "CLONE=2000005", "clone=2000009", "Älter=2000001"},
		},
		{
			name: "nil allowed shows nothing",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fixture()
			if tt.mutate != nil {
				tt.mutate(s)
			}
			m := Build(s, tt.allowed, tt.opts)
			got := render(m)
			if !slices.Equal(got, tt.want) {
				t.Errorf("menu\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
			if m.Count != len(tt.want) {
				t.Errorf("Count = %d, want %d", m.Count, len(tt.want))
			}
			if m.Flat != tt.opts.Flat {
				t.Errorf("Flat = %v, want %v", m.Flat, tt.opts.Flat)
			}
			checkTree(t, m.Root, "")
		})
	}
}

// checkTree checks what every menu must hold: no empty folder, paths that
// follow the names, entries that carry their folder's path.
func checkTree(t *testing.T, n *Node, path string) {
	t.Helper()
	if n.Path != path {
		t.Errorf("folder %d has path %q, want %q", n.FolderID, n.Path, path)
	}
	for _, e := range n.Jobs {
		if e.Path != n.Path || e.Job == nil || e.Job.ID != e.ID {
			t.Errorf("entry %+v in folder %q", e, n.Path)
		}
	}
	for _, f := range n.Folders {
		if len(f.Folders) == 0 && len(f.Jobs) == 0 {
			t.Errorf("empty folder %q shown", f.Path)
		}
		want := f.Name
		if path != "" {
			want = path + "/" + f.Name
		}
		checkTree(t, f, want)
	}
}

// lookup is the menu folder at path (case-insensitive, slashes trimmed; ""
// is the root), or nil: how these tests find a folder in the built tree.
func lookup(m *Menu, path string) *Node {
	path = strings.Trim(strings.TrimSpace(path), "/")
	var find func(n *Node) *Node
	find = func(n *Node) *Node {
		if strings.EqualFold(n.Path, path) {
			return n
		}
		for _, f := range n.Folders {
			if found := find(f); found != nil {
				return found
			}
		}
		return nil
	}
	return find(m.Root)
}

func TestBuildNodesAndDescriptions(t *testing.T) {
	m := Build(fixture(), allBut(2000136), Options{Flat: true})
	if m.Root.FolderID != fRoot || m.Root.Name != "ImageInvoker" || m.Root.Path != "" {
		t.Errorf("root node = %+v", m.Root)
	}
	lab := lookup(m, "windows/LAB")
	if lab == nil || lab.FolderID != fLab || len(lab.Jobs) != 2 {
		t.Fatalf("lookup(windows/LAB) = %+v", lab)
	}
	for _, tt := range []struct {
		path string
		want int64 // folder id, 0 for nil
	}{
		{"", fRoot}, {"/", fRoot}, {"Windows", fWindows}, {"/Windows/Lab/", fLab}, {"LINUX", fLinux},
		{"Empty", 0}, {"Lab", 0}, {"Windows/Lab/Win11 Physics", 0},
	} {
		got := lookup(m, tt.path)
		if (got == nil && tt.want != 0) || (got != nil && got.FolderID != tt.want) {
			t.Errorf("lookup(%q) = %+v, want folder %d", tt.path, got, tt.want)
		}
	}
	descriptions := map[int64]string{}
	for _, e := range m.Entries() {
		descriptions[e.ID] = e.Description
	}
	for id, want := range map[int64]string{2000135: "Ubuntu desktop", 2000137: "Flash BIOS", 2000140: "", 2000133: "Lab image"} {
		if descriptions[id] != want {
			t.Errorf("job %d description %q, want %q", id, descriptions[id], want)
		}
	}
	// Entries is a copy: changing it must not change the menu.
	es := m.Entries()
	es[0].Name = "changed"
	if m.Entries()[0].Name == "changed" {
		t.Error("Entries returned the menu's own slice")
	}
}

func TestFind(t *testing.T) {
	s := fixture()
	// A second "Apple" under Windows makes that path ambiguous.
	s.Jobs[2000142] = &model.Job{ID: 2000142, Name: "apple", FolderID: fWindows}
	m := Build(s, allBut(2000136), Options{})
	tests := []struct {
		ref    string
		want   int64 // 0: not found
		nFound int
	}{
		{"2000133", 2000133, 1},
		{" 2000133 ", 2000133, 1},
		{"windows/lab/WIN11 physics", 2000133, 1},
		{"/Windows/Lab/Win11 Physics/", 2000133, 1},
		{"Inventory", 2000140, 1},
		{"linux/Ubuntu LTS", 2000135, 1},
		{"linux/Ubuntu 24.04", 0, 0}, // the friendly name replaced it
		{"Win11 Physics", 0, 0},      // a path is needed below the top
		{"2000136", 0, 0},            // denied
		{"2000138", 0, 0},            // not a candidate
		{"Windows/Apple", 0, 2},      // ambiguous
		{"", 0, 0},
		{"/", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			e, ok := m.Find(tt.ref)
			if ok != (tt.want != 0) || e.ID != tt.want {
				t.Errorf("Find(%q) = %d, %v; want %d", tt.ref, e.ID, ok, tt.want)
			}
			if n := len(m.FindAll(tt.ref)); n != tt.nFound {
				t.Errorf("FindAll(%q) found %d, want %d", tt.ref, n, tt.nFound)
			}
		})
	}
}

func TestParseTag(t *testing.T) {
	tests := []struct {
		name, description, tag string
		tagged                 bool
		friendly, stripped     string
	}{
		{"empty", "", "", false, "", ""},
		{"plain", "[imageinvoker]", "", true, "", ""},
		{"case-insensitive inside text", "Wipe [ImageInvoker] disk", "", true, "", "Wipe disk"},
		{"friendly name trimmed", "[imageinvoker:  Win 11 lab ] for labs", "", true, "Win 11 lab", "for labs"},
		{"space before colon", "[imageinvoker : Win 11]", "", true, "Win 11", ""},
		{"space before bracket", "[imageinvoker ]", "", true, "", ""},
		{"empty friendly name", "[imageinvoker:]", "", true, "", ""},
		{"longer word is not the tag", "[imageinvokers]", "", false, "", "[imageinvokers]"},
		{"unclosed", "see [imageinvoker", "", false, "", "see [imageinvoker"},
		{"unclosed friendly", "[imageinvoker: never closed", "", false, "", "[imageinvoker: never closed"},
		{"bare word is not the tag", "imageinvoker", "", false, "", "imageinvoker"},
		{"first friendly name wins", "[imageinvoker] a [imageinvoker: Second] b [imageinvoker: Third]", "", true, "Second", "a b"},
		{"a false start before the tag", "[imageinvokerx] [imageinvoker: Real]", "", true, "Real", "[imageinvokerx]"},
		{"multi-line description kept", "line one\nline two [imageinvoker]", "", true, "", "line one\nline two"},
		{"custom bracketed tag", "[Menu: Friendly] text", "[menu]", true, "Friendly", "text"},
		{"default tag ignored under a custom one", "[imageinvoker]", "[menu]", false, "", "[imageinvoker]"},
		{"unbracketed tag", "boot #MENU job", "#menu", true, "", "boot job"},
		{"blank tag is the default", "[imageinvoker]", "  ", true, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tagged, friendly := parseTag(tt.description, tt.tag)
			if tagged != tt.tagged || friendly != tt.friendly {
				t.Errorf("parseTag(%q, %q) = %v, %q; want %v, %q", tt.description, tt.tag, tagged, friendly, tt.tagged, tt.friendly)
			}
			if got := stripTag(tt.description, tt.tag); got != tt.stripped {
				t.Errorf("stripTag(%q, %q) = %q, want %q", tt.description, tt.tag, got, tt.stripped)
			}
		})
	}
}

func TestFilter(t *testing.T) {
	entries := Build(fixture(), allBut(2000136), Options{}).Entries()
	tests := []struct {
		query string
		want  []int64
	}{
		{"", []int64{2000135, 2000134, 2000133, 2000141, 2000137, 2000140, 2000139}},
		{"   ", []int64{2000135, 2000134, 2000133, 2000141, 2000137, 2000140, 2000139}},
		{"win", []int64{2000134, 2000133, 2000141}},
		{"WIN11", []int64{2000133}},
		{"lab 11", []int64{2000133}},
		{"11 lab", []int64{2000133}},
		{"windows apple", []int64{2000141}},
		{"lab/win", []int64{2000134, 2000133}},
		{"ubuntu lts", []int64{2000135}},
		{"24.04", nil}, // the friendly name replaced the job name
		{"zzz", nil},
		{"lab zzz", nil},
	}
	ix := NewIndex(entries)
	if ix.Len() != len(entries) {
		t.Fatalf("Len = %d, want %d", ix.Len(), len(entries))
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.query), func(t *testing.T) {
			for name, got := range map[string][]Entry{"Index": ix.Filter(tt.query), "fresh Index": NewIndex(entries).Filter(tt.query)} {
				var ids []int64
				for _, e := range got {
					ids = append(ids, e.ID)
				}
				if !slices.Equal(ids, tt.want) {
					t.Errorf("%s(%q) = %v, want %v", name, tt.query, ids, tt.want)
				}
			}
		})
	}
}

// TestBuildIsStable: map order must never show through.
func TestBuildIsStable(t *testing.T) {
	s := benchSnapshot(rand.New(rand.NewPCG(1, 2)), 500, 100)
	allowed := func(id int64) bool { return id%3 != 0 }
	first := render(Build(s, allowed, Options{}))
	if len(first) == 0 {
		t.Fatal("empty menu")
	}
	for range 5 {
		if got := render(Build(s, allowed, Options{})); !slices.Equal(got, first) {
			t.Fatal("two builds of the same snapshot differ")
		}
	}
}

// benchSnapshot: jobs spread over folders up to ~8 deep below the root; one
// job in ten lives outside the root, half of those tagged.
func benchSnapshot(r *rand.Rand, jobs, folders int) *model.Snapshot {
	s := &model.Snapshot{SecurityOn: true, RootFolderID: 1000001, Folders: map[int64]model.Folder{}, Jobs: map[int64]*model.Job{}}
	outsideFolder := int64(1000001 + folders)
	s.Folders[outsideFolder] = model.Folder{ID: outsideFolder, Name: "Elsewhere"}
	synth.FolderTree(r, s, folders, 9, func(int) string { return fmt.Sprintf("Folder %d", r.IntN(folders)) })
	words := []string{"Windows", "Linux", "Lab", "Physics", "Legacy", "BIOS", "Wipe", "Capture", "Deploy", "Office"}
	for i := range jobs {
		id := int64(2000001 + i)
		j := &model.Job{ID: id, Name: fmt.Sprintf("%s %s %d", words[r.IntN(len(words))], words[r.IntN(len(words))], i),
			FolderID: int64(1000001 + r.IntN(folders)), Description: "A job that does things to a computer"}
		if r.IntN(10) == 0 {
			j.FolderID = outsideFolder
			if r.IntN(2) == 0 {
				j.Description += " [imageinvoker: Tagged " + fmt.Sprint(i) + "]"
			}
		}
		s.Jobs[id] = j
	}
	return s
}

func BenchmarkBuild10k(b *testing.B) {
	s := benchSnapshot(rand.New(rand.NewPCG(3, 4)), 10000, 2000)
	allowed := func(id int64) bool { return id%4 != 0 }
	var m *Menu
	b.ReportAllocs()
	for b.Loop() {
		m = Build(s, allowed, Options{FolderNames: map[int64]string{1000002: "Renamed"}})
	}
	b.ReportMetric(float64(m.Count), "jobs")
}

func benchEntries(b *testing.B) []Entry {
	s := benchSnapshot(rand.New(rand.NewPCG(5, 6)), 10000, 2000)
	entries := Build(s, func(int64) bool { return true }, Options{}).Entries()
	if len(entries) < 9000 {
		b.Fatalf("only %d entries", len(entries))
	}
	return entries
}

// BenchmarkIndexFilter10k is one keystroke of type-to-filter over 10,000 jobs.
func BenchmarkIndexFilter10k(b *testing.B) {
	ix := NewIndex(benchEntries(b))
	n := 0
	b.ReportAllocs()
	for b.Loop() {
		n = len(ix.Filter("lab phys"))
	}
	b.ReportMetric(float64(n), "matches")
}

// BenchmarkFilter10k is a one-off filter, index built every time.
func BenchmarkFilter10k(b *testing.B) {
	entries := benchEntries(b)
	b.ReportAllocs()
	for b.Loop() {
		NewIndex(entries).Filter("lab phys")
	}
}

// `[imageinvoker: erases]` marks a job as destroying data; it is not a
// friendly name, and another tag's friendly name still counts.
func TestErasesMarker(t *testing.T) {
	cases := []struct {
		desc     string
		erases   bool
		friendly string
	}{
		{"Wipes the disk with a vendor tool [imageinvoker: erases]", true, ""},
		{"[imageinvoker: Secure wipe] [ImageInvoker: ERASES]", true, "Secure wipe"},
		{"[imageinvoker: Erasure report]", false, "Erasure report"},
		{"[imageinvoker]", false, ""},
		{"erases everything", false, ""},
	}
	for _, tc := range cases {
		_, friendly := parseTag(tc.desc, "")
		if got := markedErases(tc.desc, ""); got != tc.erases || friendly != tc.friendly {
			t.Errorf("%q: erases %v, friendly %q; want %v, %q", tc.desc, got, friendly, tc.erases, tc.friendly)
		}
	}
}
