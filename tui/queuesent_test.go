package tui

import (
	"context"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/imageinvoker/imageinvoker/pkg/menu"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// gatedQueue is a backend whose queue call lands only when released, as a
// commit on a slow SQL Server does.
type gatedQueue struct {
	*fakeBackend
	release chan struct{}
}

func (g *gatedQueue) LoadMenu(context.Context) (Loaded, error) {
	const root = 1000001
	s := &model.Snapshot{RootFolderID: root, Folders: map[int64]model.Folder{root: {ID: root, Name: "ImageInvoker"}},
		Jobs: map[int64]*model.Job{2000002: {ID: 2000002, FolderID: root, Name: "Win11 image", Tasks: []model.Task{{Type: model.TaskRunScript}}}}}
	return Loaded{Menu: menu.Build(s, func(int64) bool { return true }, menu.Options{}), Machine: g.machine}, nil
}

func (g *gatedQueue) Queue(context.Context, menu.Entry) (Queued, error) {
	<-g.release
	return Queued{Schedule: model.Schedule{ID: 100000042, ComputerID: 5000042, JobID: 2000002}}, nil
}

// Esc during "Queueing…" said "Cancelled" while the commit could still land
// (issue 20, low): the queue step now says it cannot be cancelled once
// sent, ignores Esc, and shows the answer when it comes.
func TestQueueStepCannotBeCancelled(t *testing.T) {
	g := &gatedQueue{fakeBackend: &fakeBackend{machine: knownMachine()}, release: make(chan struct{})}
	h := newHarness(t, g, testOptions(ASCII), 100, 30)
	h.signIn("alice", "pw", "Win11 image")
	h.press(tea.KeyEnter)
	h.waitFor("Queue this job?")
	h.runes("y")
	h.waitFor("Queueing Win11 image", "cannot be cancelled once sent")
	h.press(tea.KeyEsc)
	close(g.release)
	h.waitFor("Queued: schedule")
	if m := h.finish(); m.state == stateConfirm || m.state == stateMenu {
		t.Errorf("state %v: Esc left the queue step", m.state)
	}
}
