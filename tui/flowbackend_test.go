package tui

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/flow"
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
