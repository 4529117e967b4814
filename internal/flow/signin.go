package flow

import (
	"context"
	"errors"
	"strings"

	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// Session is a signed-in technician (or a previewed identity) with an open
// reader and scheduler.
type Session struct {
	Identity model.Identity
	// SignIn is the identity source's answer; nil for previews.
	SignIn    *model.SignIn
	Reader    Reader
	Scheduler Scheduler
}

// Close closes the session's scheduler and reader (once when they are one).
func (s *Session) Close() error {
	if s == nil {
		return nil
	}
	var errs []error
	if s.Scheduler != nil && any(s.Scheduler) != any(s.Reader) {
		errs = append(errs, s.Scheduler.Close())
	}
	if s.Reader != nil {
		errs = append(errs, s.Reader.Close())
	}
	return errors.Join(errs...)
}

// open opens the session's reader and scheduler; the reader is closed again
// when the scheduler cannot be opened.
func (f *Flow) open(ctx context.Context, id model.Identity, creds *Credentials) (*Session, error) {
	r, err := f.d.OpenReader(ctx, creds)
	if err != nil {
		return nil, f.storeError(err, nil)
	}
	s := &Session{Identity: id, Reader: r}
	if f.d.OpenScheduler != nil {
		if s.Scheduler, err = f.d.OpenScheduler(ctx, r, creds); err != nil {
			r.Close()
			return nil, f.storeError(err, nil)
		}
	}
	return s, nil
}

// Preview opens the store for an identity given by flags (menu, explain):
// no password, no directory.
func (f *Flow) Preview(ctx context.Context, id model.Identity) (*Session, error) {
	return f.open(ctx, f.withDomains(f.qualify(id)), nil)
}

// qualify gives bare preview names the configured NetBIOS domain: a name
// without a domain proves nothing and would match no console entry.
func (f *Flow) qualify(id model.Identity) model.Identity {
	dom, _ := f.d.Config.Directory.DefaultDomain()
	if id.DSAccount || dom == "" {
		return id
	}
	q := func(s string) string {
		if s != "" && !strings.Contains(s, `\`) {
			return dom + `\` + s
		}
		return s
	}
	id.User = q(id.User)
	groups := make([]string, len(id.Groups))
	for i, g := range id.Groups {
		groups[i] = q(g)
	}
	id.Groups = groups
	return id
}

// withDomains pairs each configured NetBIOS domain (directory.domain, or
// every entry of directory.domains) with its DNS name, so console entries
// that keep only the DNS name (securityuser.domain, ad_group_domain) match.
func (f *Flow) withDomains(id model.Identity) model.Identity {
	if id.DSAccount {
		return id
	}
	d := f.d.Config.Directory
	pairs := []model.Domain{{NetBIOS: d.Domain, DNS: d.DNSDomain}}
	if len(d.Domains) > 0 {
		pairs = nil
		for _, dom := range d.Domains {
			pairs = append(pairs, model.Domain{NetBIOS: strings.ToUpper(dom.NetBIOS), DNS: dom.DNS})
		}
	}
	var add []model.Domain
	for _, p := range pairs {
		if p.NetBIOS != "" && p.DNS != "" && id.DNSOf(p.NetBIOS) == "" {
			add = append(add, p)
		}
	}
	if len(add) > 0 {
		id.Domains = append(append([]model.Domain(nil), id.Domains...), add...)
	}
	return id
}

// SignIn signs the technician in with the identity source that serves the
// name — the directory (AD) for DOMAIN\user, DS's console accounts for
// .\name — and opens the session's reader and scheduler: as the technician
// when store.auth is technician.
func (f *Flow) SignIn(ctx context.Context, user, password string) (*Session, error) {
	return f.SignInPrepared(ctx, nil, user, password)
}

// SignInPrepared is SignIn with the store Prepare opened while the password
// was typed (nil: none, the store is opened now). The sign-in takes p
// whatever its outcome: the session keeps its store, any refusal closes it
// before SignInPrepared returns.
func (f *Flow) SignInPrepared(ctx context.Context, p *Prepared, user, password string) (*Session, error) {
	early, warm := p.take()
	handed := false
	defer func() {
		if !handed {
			early.close()
		}
		if warm != nil {
			_ = warm.Close() // unless the directory took it (then a no-op)
		}
	}()
	ctx, cancel := context.WithTimeout(ctx, f.d.Config.Session.StepTimeout)
	defer cancel()
	if model.IsDSAccountName(user) {
		return f.signInDSAccount(ctx, user, password, func() (*Session, error) {
			if early == nil {
				return f.open(ctx, model.Identity{}, nil)
			}
			handed = true
			if s, err := early.wait(ctx); err == nil || ctx.Err() != nil || errors.Is(err, model.ErrStoreLoginRefused) {
				return s, err
			}
			// Opened before Enter, failed then: stale (see below).
			return f.open(ctx, model.Identity{}, nil)
		})
	}
	if f.d.Directory == nil {
		return nil, exitcode.New(exitcode.Usage,
			"no Active Directory is configured here, so %s cannot sign in: only DS console accounts can (.\\name). Set directory.dns_domain or directory.dcs in the config file for AD accounts.", user)
	}
	// A store opened while the password was typed may have failed long
	// before Enter (SQL Server still starting at boot): its error is stale,
	// so the sign-in opens afresh instead of reporting it.
	prepared := early != nil
	if early == nil {
		early = f.openEarly(ctx, nil)
	}
	var si *model.SignIn
	var err error
	if w, ok := f.d.Directory.(warmer); ok && warm != nil {
		si, err = w.SignInWarm(ctx, warm, user, password)
	} else {
		si, err = f.d.Directory.SignIn(ctx, user, password)
	}
	if err != nil {
		early.close()
		// What was typed in the user field is logged only under --debug: a
		// technician who typed the password there by mistake must not find
		// it in the log file.
		if f.d.Config.Log.Debug {
			f.log.Warn("sign-in failed", "user", user, "error", err.Error())
		} else {
			f.log.Warn("sign-in failed", "error", err.Error())
		}
		return nil, directoryError(err)
	}
	f.log.Info("signed in", "user", si.Identity.User, "dc", si.Authority, "groups", len(si.Identity.Groups))
	var creds *Credentials
	if f.d.Config.Store.Auth == config.AuthTechnician {
		creds = &Credentials{User: si.Identity.User, Password: password}
	}
	si.Identity = f.withDomains(si.Identity)
	if f.d.OpenReader == nil { // a sign-in check without a store (whoami)
		return &Session{Identity: si.Identity, SignIn: si}, nil
	}
	var s *Session
	if early != nil {
		handed = true
		s, err = early.wait(ctx)
		// A refused login is not retried: it would count again against
		// the store's account (lockout), and it would be refused again.
		if err != nil && prepared && ctx.Err() == nil && !errors.Is(err, model.ErrStoreLoginRefused) {
			f.log.Debug("the store opened before Enter failed; opening it again", "error", err.Error())
			s, err = f.open(ctx, si.Identity, creds)
		}
	} else {
		s, err = f.open(ctx, si.Identity, creds)
	}
	if err != nil {
		return nil, err
	}
	s.Identity, s.SignIn = si.Identity, si
	return s, nil
}

// signInDSAccount signs `.\name` in against DS's own console accounts: no
// domain controller, the store checks the password. Refused unless the
// config file allows it; a wrong name or password reads exactly like a
// wrong AD password (the identity source words it so). The store is opened
// first: the accounts live there, and the session keeps that connection.
//
// open opens the store (or takes the one opened early).
func (f *Flow) signInDSAccount(ctx context.Context, user, password string, open func() (*Session, error)) (*Session, error) {
	cfg := f.d.Config
	if !cfg.Directory.DSAccounts || f.d.ConsoleAccounts == nil {
		return nil, exitcode.New(exitcode.BadCredentials,
			"%s is a DS console account (.\\name), and DS console accounts are turned off here. Sign in with your AD account (DOMAIN\\user), or ask the image builder to set directory.ds_accounts: true in the config file.", user)
	}
	// Refused here, before the store is opened, whatever identity source is
	// registered: an empty password never reaches a check, and says so even
	// when the store is down. Worded as the directory words it.
	if password == "" {
		return nil, exitcode.Wrap(exitcode.BadCredentials, model.ErrEmptyPassword,
			"the password is empty. Type the password (an empty one is never sent: AD would let anyone in)")
	}
	if cfg.Store.Auth == config.AuthTechnician {
		return nil, exitcode.New(exitcode.Usage,
			"DS console accounts cannot log in to SQL Server (store.auth: technician needs an AD account). Sign in with DOMAIN\\user, or use store.auth: url.")
	}
	s, err := open()
	if err != nil {
		return nil, err
	}
	src, err := f.d.ConsoleAccounts(s.Reader)
	if err == nil {
		s.SignIn, err = src.SignIn(ctx, user, password)
	}
	if err != nil {
		s.Close()
		// A refusal is the identity source's answer; anything else is the store failing.
		switch {
		case errors.Is(err, model.ErrBadCredentials):
			f.log.Warn("sign-in failed", "kind", "DS console account")
			return nil, directoryError(err)
		case errors.Is(err, model.ErrEmptyPassword):
			return nil, directoryError(err)
		}
		return nil, f.storeError(err, nil)
	}
	s.Identity = s.SignIn.Identity
	f.log.Info("signed in", "user", s.Identity.User, "kind", "DS console account")
	return s, nil
}
