package tui

import (
	"context"
	"sync/atomic"

	"github.com/imageinvoker/imageinvoker/internal/flow"
	"github.com/imageinvoker/imageinvoker/pkg/menu"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// fakeBackend reaches states the demo cannot reach deterministically: a
// step that hangs until cancelled, a store that fails.
type fakeBackend struct {
	machine   Machine
	signIn    func(ctx context.Context) (User, error)
	loadMenu  func(ctx context.Context) (Loaded, error)
	log       []string
	pending   []model.Schedule
	cancelled atomic.Int32
	signedOut atomic.Int32
}

func (f *fakeBackend) Identify(context.Context) (Machine, error) { return f.machine, nil }

func (f *fakeBackend) SignIn(ctx context.Context, _, _ string) (User, error) {
	if f.signIn != nil {
		return f.signIn(ctx)
	}
	return User{Account: "LAB\\alice"}, nil
}

func (f *fakeBackend) FindComputer(context.Context) (Machine, error) { return f.machine, nil }

func (f *fakeBackend) LoadMenu(ctx context.Context) (Loaded, error) {
	if f.loadMenu != nil {
		return f.loadMenu(ctx)
	}
	return Loaded{Menu: &menu.Menu{Root: &menu.Node{}}, Machine: f.machine}, nil
}

func (f *fakeBackend) Queue(context.Context, menu.Entry) (Queued, error) { return Queued{}, nil }

func (f *fakeBackend) Pending(context.Context) ([]model.Schedule, error) { return f.pending, nil }

// CheckPickup says DS took the job at once: the row is gone.
func (f *fakeBackend) CheckPickup(context.Context, model.Schedule) (flow.PickupState, *model.Schedule, error) {
	return flow.PickupGone, nil, nil
}

func (f *fakeBackend) SignOut() { f.signedOut.Add(1) }

func (f *fakeBackend) Info() Info { return Info{Domain: "LAB", DC: "dc1.lab.example"} }

func (f *fakeBackend) LastLogLines(n int) []string {
	if len(f.log) > n {
		return f.log[len(f.log)-n:]
	}
	return f.log
}

// hang blocks until the step's context ends, and counts the cancellation.
func (f *fakeBackend) hang(ctx context.Context) error {
	<-ctx.Done()
	f.cancelled.Add(1)
	return ctx.Err()
}

func knownMachine() Machine {
	return Machine{Name: "PC-042", ComputerID: 5000042, Known: true, LookedUp: true, Identifiers: "MAC 00:15:5D:2A:00:42"}
}
