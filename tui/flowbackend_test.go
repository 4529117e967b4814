package tui

import (
	"context"
	"sync/atomic"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/flow"
	"github.com/imageinvoker/imageinvoker/internal/setup"
	"github.com/imageinvoker/imageinvoker/pkg/express"
	"github.com/imageinvoker/imageinvoker/pkg/express/expresstest"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// lateSource is an identity source whose answer comes only once release
// is closed, whatever its context says: a bind that completed just as the
// technician pressed Esc, or a source that does not watch its context.
type lateSource struct{ release chan struct{} }

func (s lateSource) SignIn(_ context.Context, user, _ string) (*model.SignIn, error) {
	<-s.release
	return &model.SignIn{Identity: model.Identity{User: `LAB\` + user}, Authority: "dc1"}, nil
}

// closeCountingReader is a reader of which only Close is called here.
type closeCountingReader struct {
	flow.Reader
	closed *atomic.Int32
}

func (r closeCountingReader) Close() error {
	r.closed.Add(1)
	return nil
}

// A sign-in the technician left with Esc (its step's context ended, then
// the session was signed out) must not sign in when its answer comes late:
// the backend keeps no session from it, and the session it opened is
// closed once.
func TestLateSignInAfterEscDoesNotSignIn(t *testing.T) {
	release := make(chan struct{})
	var closed atomic.Int32
	f := flow.New(flow.Deps{
		Config:    config.Default(),
		Directory: lateSource{release},
		OpenReader: func(context.Context, *flow.Credentials) (flow.Reader, error) {
			return closeCountingReader{closed: &closed}, nil
		},
	})
	b := NewFlowBackend(f, flow.Override{}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := b.SignIn(ctx, "alice", "pw")
		done <- err
	}()
	// What Esc on the working screen does: end the step, then sign out.
	cancel()
	b.SignOut()
	close(release)
	err := <-done
	b.mu.Lock()
	s := b.session
	b.mu.Unlock()
	if s != nil || err == nil {
		t.Errorf("a sign-in left with Esc signed in as %s (err %v)", s.Identity.User, err)
	}
	if n := closed.Load(); n != 1 {
		t.Errorf("the late sign-in's store was closed %d times; want once", n)
	}
}

// gatedReader holds every Snapshot, once read, until gate is closed,
// whatever its context says: a menu load that finishes just as Esc is
// pressed.
type gatedReader struct {
	flow.Reader
	read, gate chan struct{}
}

func (r gatedReader) Snapshot(ctx context.Context, c model.Computer, id model.Identity, o model.SnapshotOptions) (*model.Snapshot, error) {
	snap, err := r.Reader.Snapshot(ctx, c, id, o)
	r.read <- struct{}{}
	<-r.gate
	return snap, err
}

// gatedDemo is the demo flow with its reader's snapshots behind gate.
func gatedDemo(t *testing.T, read, gate chan struct{}) *flow.Flow {
	t.Helper()
	impl := setup.Real()
	open := impl.OpenReader
	impl.OpenReader = func(ctx context.Context, cfg *config.Config, c *flow.Credentials) (flow.Reader, error) {
		r, err := open(ctx, cfg, c)
		if err != nil {
			return nil, err
		}
		return gatedReader{Reader: r, read: read, gate: gate}, nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	env, err := setup.Build(ctx, config.Default(), setup.Options{Demo: true, NeedDirectory: true, Backends: &impl})
	if err != nil {
		t.Fatalf("build demo: %v", err)
	}
	t.Cleanup(env.Close)
	return env.Flow
}

// A menu load left with Esc (which signs out) must not become the menu of
// whoever signs in next: its answer, however late, is not kept, so a
// queue can only use a menu loaded for its own session.
func TestLateMenuAfterEscIsNotKept(t *testing.T) {
	read, gate := make(chan struct{}, 1), make(chan struct{})
	b := NewFlowBackend(gatedDemo(t, read, gate), setup.DemoOverride(), nil)
	bg := context.Background()
	if _, err := b.Identify(bg); err != nil {
		t.Fatal(err)
	}
	if _, err := b.SignIn(bg, "dave", "dave-demo"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(bg)
	done := make(chan error, 1)
	go func() {
		_, err := b.LoadMenu(ctx)
		done <- err
	}()
	// Esc on "Loading your jobs" once the snapshot was read: end the
	// step, sign out; then eve signs in.
	<-read
	cancel()
	b.SignOut()
	if _, err := b.SignIn(bg, "eve", "eve-demo"); err != nil {
		t.Fatal(err)
	}
	close(gate)
	<-done
	b.mu.Lock()
	mm := b.menu
	b.mu.Unlock()
	if mm != nil {
		t.Errorf("the menu loaded for dave before Esc is kept for eve's session (%d jobs)", mm.Menu.Count)
	}
}

// countedStore is the lab store whose closes are counted.
type countedStore struct {
	*express.Store
	closed *atomic.Int32
}

func (c countedStore) Close() error {
	c.closed.Add(1)
	return c.Store.Close()
}

// The sign-in screen opens the session's store while the password is typed
// (store.auth: url) and Esc back to the machine screen closes it: nothing
// read ahead survives leaving the sign-in.
func TestEscOnSignInClosesThePreparedStore(t *testing.T) {
	path := expresstest.LabFile(t)
	var opened, closed atomic.Int32
	release := make(chan struct{})
	close(release)
	f := flow.New(flow.Deps{
		Config:    config.Default(),
		Directory: lateSource{release},
		OpenReader: func(ctx context.Context, _ *flow.Credentials) (flow.Reader, error) {
			opened.Add(1)
			return countedStore{Store: expresstest.Open(t, path, express.OpenOptions{}), closed: &closed}, nil
		},
	})
	b := NewFlowBackend(f, flow.Override{MACs: []string{"AABBCCDDEEFF"}}, nil)
	h := newHarness(t, b, testOptions(ASCII), 80, 24)
	h.waitFor("Press Enter to sign in")
	h.press(tea.KeyEnter)
	h.waitUntil("the sign-in screen", func(s snapshot) bool { return s.state == stateSignIn })
	<-b.Prepare() // the one the screen started, read ahead
	if o, c := opened.Load(), closed.Load(); o != 2 || c != 1 {
		t.Fatalf("%d stores opened, %d closed; want the machine look-up's (closed) and the sign-in's (open)", o, c)
	}
	h.press(tea.KeyEsc)
	h.waitUntil("the machine screen", func(s snapshot) bool { return s.state == stateMachine })
	if o, c := opened.Load(), closed.Load(); o != 2 || c != 2 {
		t.Errorf("after Esc: %d stores opened, %d closed; want every one closed", o, c)
	}
	b.mu.Lock()
	p := b.prepared
	b.mu.Unlock()
	if p != nil {
		t.Error("the backend still holds the prepared store after Esc")
	}
}
