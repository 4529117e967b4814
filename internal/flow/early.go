package flow

import (
	"context"

	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// earlyOpen is the session's store being opened while the directory
// checks the password (issue 21: the SQL login, its TLS, the ping and the
// schema discovery overlap the LDAP bind instead of following it). Only
// with store.auth: url, where the store's login does not depend on who
// signs in; nothing identity-dependent is read by opening. The session
// gets the store only when the sign-in succeeds; a refused sign-in (or
// Esc, which ends ctx) cancels the open and closes what it opened before
// SignIn returns, so nothing opened early outlives the attempt.
type earlyOpen struct {
	cancel context.CancelFunc
	done   chan struct{}
	s      *Session
	err    error
}

// openEarly starts opening the session's store, or returns nil when the
// store must wait for the sign-in (store.auth: technician logs in with the
// technician's password) or there is none (whoami).
func (f *Flow) openEarly(ctx context.Context) *earlyOpen {
	if f.d.OpenReader == nil || f.d.Config.Store.Auth == config.AuthTechnician {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	e := &earlyOpen{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(e.done)
		e.s, e.err = f.open(ctx, model.Identity{}, nil)
	}()
	return e
}

// wait is the opened session (its identity still empty: the caller sets it).
func (e *earlyOpen) wait() (*Session, error) {
	<-e.done
	e.cancel()
	return e.s, e.err
}

// discard cancels the open and closes what it opened.
func (e *earlyOpen) discard() {
	if e == nil {
		return
	}
	e.cancel()
	<-e.done
	if e.s != nil {
		_ = e.s.Close()
	}
}
