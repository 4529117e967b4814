package tui

import (
	"fmt"
	"io"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/imageinvoker/imageinvoker/pkg/menu"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// bigMenu is a synthetic menu of n jobs in 100 folders of 10 subfolders.
func bigMenu(n int) *menu.Menu {
	const root = 1000001
	s := &model.Snapshot{RootFolderID: root, Folders: map[int64]model.Folder{root: {ID: root, Name: "ImageInvoker"}}, Jobs: map[int64]*model.Job{}}
	for f := 0; f < 100; f++ {
		id := int64(root + 1 + f)
		s.Folders[id] = model.Folder{ID: id, ParentID: root, Name: fmt.Sprintf("Site %03d", f)}
		for sub := 0; sub < 10; sub++ {
			sid := int64(root + 1000 + f*10 + sub)
			s.Folders[sid] = model.Folder{ID: sid, ParentID: id, Name: fmt.Sprintf("Lab %d", sub)}
		}
	}
	no := false
	for j := 0; j < n; j++ {
		id := int64(2000001 + j)
		folder := int64(root + 1000 + j%1000)
		s.Jobs[id] = &model.Job{ID: id, FolderID: folder, Name: fmt.Sprintf("Win11 build %05d", j),
			Description: "Reimage with the standard build; joins the domain.",
			Tasks:       []model.Task{{Type: model.TaskImage, CreateImage: &no}, {Type: model.TaskRunScript}}}
	}
	return menu.Build(s, func(int64) bool { return true }, menu.Options{})
}

func benchModel(b *testing.B, mn *menu.Menu) *Model {
	fb := &fakeBackend{machine: knownMachine()}
	m := New(fb, testOptions(Styled), io.Discard)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.menu.loaded(Loaded{Menu: mn, Machine: fb.machine})
	return m
}

// BenchmarkFilterKeystroke is one keystroke in the menu filter over 10,000
// jobs: Update (re-filter the whole tree) and View (the rendered frame).
func BenchmarkFilterKeystroke(b *testing.B) {
	m := benchModel(b, bigMenu(10000))
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("/")})
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("build")})
	keys := []tea.KeyMsg{{Type: tea.KeyRunes, Runes: []rune("1")}, {Type: tea.KeyBackspace}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m.Update(keys[i%2])
		_ = m.View()
	}
	if !m.menu.filtering || m.menu.idx.Len() != 10000 {
		b.Fatalf("filter not active over 10000 jobs")
	}
}

// BenchmarkFirstMenuFrame is start-up to the first frame of a 10,000-job
// menu: the model, the menu screen (index included) and its first View.
func BenchmarkFirstMenuFrame(b *testing.B) {
	mn := bigMenu(10000)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m := benchModel(b, mn)
		_ = m.View()
	}
}

// BenchmarkFirstFrame is New + Init + the first View (the working screen).
func BenchmarkFirstFrame(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		m := New(&fakeBackend{machine: knownMachine()}, testOptions(Styled), io.Discard)
		m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
		_ = m.Init()
		_ = m.View()
	}
}
