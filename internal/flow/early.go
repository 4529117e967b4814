package flow

import (
	"context"
	"io"
	"sync"

	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// earlyOpen is the session's store being opened before the sign-in needs
// it (issue 21): while the directory checks the password (the SQL login,
// its TLS, the ping and the schema discovery overlap the LDAP bind instead
// of following it), or earlier still, while the password is typed
// (Prepare). Only with store.auth: url, where the store's login does not
// depend on who signs in; nothing read early depends on who signs in
// either. The session gets the store only when the sign-in succeeds; a
// refused sign-in (or Esc, which ends ctx) cancels the open and closes what
// it opened before SignIn returns, so nothing opened early outlives the
// attempt.
type earlyOpen struct {
	cancel  context.CancelFunc
	done    chan struct{}
	s       *Session
	err     error
	discard func()
}

// prefetcher is a Reader that can read ahead what does not depend on who
// signs in (the eXpress store: express.Store.Prefetch). What it reads only
// tells the next Snapshot which statements to send with its first batch;
// the decision is made on what that Snapshot reads.
type prefetcher interface {
	Prefetch(ctx context.Context, c model.Computer, opts model.SnapshotOptions) error
}

// openEarly starts opening the session's store, or returns nil when the
// store must wait for the sign-in (store.auth: technician logs in with the
// technician's password) or there is none (whoami). With computer c it
// also prefetches c's part of the snapshot, where the reader can.
func (f *Flow) openEarly(ctx context.Context, c *model.Computer) *earlyOpen {
	if f.d.OpenReader == nil || f.d.Config.Store.Auth == config.AuthTechnician {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	e := &earlyOpen{cancel: cancel, done: make(chan struct{})}
	var once sync.Once
	e.discard = func() {
		once.Do(func() {
			e.cancel()
			<-e.done
			if e.s != nil {
				_ = e.s.Close()
			}
		})
	}
	go func() {
		defer close(e.done)
		e.s, e.err = f.open(ctx, model.Identity{}, nil)
		if e.err != nil || c == nil {
			return
		}
		if p, ok := e.s.Reader.(prefetcher); ok {
			if err := p.Prefetch(ctx, *c, f.snapshotOptions()); err != nil {
				// The snapshot reads everything itself; it will say what fails.
				f.log.Debug("prefetch failed", "error", err.Error())
			}
		}
	}()
	return e
}

// wait is the opened session (its identity still empty: the caller sets
// it); when ctx ends first (Esc), what was opened is closed.
func (e *earlyOpen) wait(ctx context.Context) (*Session, error) {
	select {
	case <-e.done:
	case <-ctx.Done():
		e.discard()
		return nil, ctx.Err()
	}
	e.cancel()
	return e.s, e.err
}

// close cancels the open and closes what it opened (nil-safe; once).
func (e *earlyOpen) close() {
	if e != nil {
		e.discard()
	}
}

// snapshotOptions are the config's options for a menu's snapshot.
func (f *Flow) snapshotOptions() model.SnapshotOptions {
	cfg := f.d.Config
	return model.SnapshotOptions{RootFolder: cfg.Menu.Root, Tag: cfg.Menu.Tag, ConsoleSecurity: string(cfg.Store.ConsoleSecurity)}
}

// warmer is an IdentitySource that can start reaching its server while
// the password is typed (the AD directory, directory.Client: its DC list
// resolved and a TLS-checked connection opened to the DC a sign-in tries
// first). Warm never blocks; what it returns goes to SignInWarm once, which
// uses it only where a sign-in without it would have connected, or is
// closed unused. DS console accounts and fakes need not implement it.
type warmer interface {
	Warm() io.Closer
	SignInWarm(ctx context.Context, warm io.Closer, user, password string) (*model.SignIn, error)
}

// Prepared is what is made ready while the password is typed: the
// session's store opened, with what the menu's snapshot can read ahead
// already read (store.auth: url), and the directory's connection to its
// DC (warmer). SignInPrepared takes it: the session keeps the store when
// the sign-in succeeds, and anything else closes it; the directory's
// connection serves that one sign-in's bind, or is closed. Close drops
// both unused (Esc leaves the sign-in screen: nothing prefetched survives a
// sign-out).
type Prepared struct {
	mu   sync.Mutex
	e    *earlyOpen
	warm io.Closer
	done chan struct{}
}

// Prepare starts opening the session's store, and prefetching the menu's
// identity-independent part for machine m when it is known, and the
// directory's connection to its DC, before anyone signs in; nil when there
// is nothing to prepare (store.auth: technician, whose store waits for the
// sign-in, with no directory that warms).
func (f *Flow) Prepare(m *Machine) *Prepared {
	var c *model.Computer
	if m != nil && m.Computer != nil {
		cc := *m.Computer
		c = &cc
	}
	// The open and the reads ahead are bounded like a sign-in step; the
	// store they open is not (it waits for the technician).
	ctx, cancel := context.WithTimeout(context.Background(), f.d.Config.Session.StepTimeout)
	e := f.openEarly(ctx, c)
	if e == nil {
		cancel()
	} else {
		inner := e.cancel
		e.cancel = func() { inner(); cancel() }
	}
	var warm io.Closer
	if w, ok := f.d.Directory.(warmer); ok {
		warm = w.Warm()
	}
	if e == nil && warm == nil {
		return nil
	}
	p := &Prepared{e: e, warm: warm, done: make(chan struct{})}
	go func() {
		// Both end on their own: the open within the step timeout, the
		// connection within the directory's per-DC timeout.
		defer close(p.done)
		if e != nil {
			<-e.done
		}
		if d, ok := warm.(interface{ Done() <-chan struct{} }); ok {
			<-d.Done()
		}
	}()
	return p
}

// Done is closed once the store is open and the reads ahead are done (or
// failed), and the directory's connection open (or failed); nil-safe.
func (p *Prepared) Done() <-chan struct{} {
	if p == nil {
		ch := make(chan struct{})
		close(ch)
		return ch
	}
	return p.done
}

// Close closes what was prepared for a sign-in that did not take it
// (nil-safe; once taken, the sign-in owns it).
func (p *Prepared) Close() {
	e, warm := p.take()
	e.close()
	if warm != nil {
		_ = warm.Close()
	}
}

// take hands the early open and the directory's connection to a sign-in,
// once.
func (p *Prepared) take() (*earlyOpen, io.Closer) {
	if p == nil {
		return nil, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	e, warm := p.e, p.warm
	p.e, p.warm = nil, nil
	return e, warm
}
