package tui

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"

	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/internal/flow"
	"github.com/imageinvoker/imageinvoker/pkg/menu"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// FlowBackend is the real Backend: the flow's own steps, so the console
// and the `run` command cannot disagree.
type FlowBackend struct {
	f        *flow.Flow
	override flow.Override
	lastLog  func(n int) []string

	mu      sync.Mutex
	machine *flow.Machine
	session *flow.Session
	menu    *flow.Menu
	// prepared is the store opened and the DC dialled while the password is
	// typed, until a sign-in takes them or the technician leaves the
	// sign-in screen.
	prepared *flow.Prepared
}

// NewFlowBackend wraps f. override names the machine (flags, or the demo
// machine); an empty one reads this machine. logFile ("" for none) is
// tailed on the error screen.
func NewFlowBackend(f *flow.Flow, override flow.Override, lastLog func(n int) []string) *FlowBackend {
	return &FlowBackend{f: f, override: override, lastLog: lastLog}
}

func (b *FlowBackend) technicianStore() bool {
	return b.f.Config().Store.Auth == config.AuthTechnician
}

// Identify implements Backend. With store.auth=url the store is opened
// without a user to look the machine up before anyone signs in.
func (b *FlowBackend) Identify(ctx context.Context) (Machine, error) {
	fm, err := b.f.Identify(b.override)
	if err != nil {
		return Machine{}, err
	}
	b.mu.Lock()
	b.machine = fm
	b.mu.Unlock()
	if b.technicianStore() {
		return describeMachine(fm, nil, false), nil
	}
	s, err := b.f.Preview(ctx, model.Identity{})
	if err != nil {
		return Machine{}, err
	}
	defer s.Close()
	if err := b.f.FindComputer(ctx, s.Reader, fm); err != nil {
		if exitcode.Of(err) == exitcode.UnknownComputer {
			mm := describeMachine(fm, nil, true)
			mm.Problem = userMessage(err)
			return mm, nil
		}
		return Machine{}, err
	}
	return describeMachine(fm, nil, true), nil
}

// Prepare starts opening the session's store, and reading ahead what the
// menu needs that does not depend on who signs in (store.auth: url), and
// the directory's connection to its DC, while the password is typed
// (flow.Prepare). The sign-in screen calls it when it shows; it never
// blocks. The channel is closed once that is done.
func (b *FlowBackend) Prepare() <-chan struct{} {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.prepared == nil && b.session == nil {
		b.prepared = b.f.Prepare(b.machine)
	}
	return b.prepared.Done()
}

// Unprepare closes what Prepare opened, unused: the technician left the
// sign-in screen (Esc), so nothing read ahead survives.
func (b *FlowBackend) Unprepare() {
	b.mu.Lock()
	p := b.prepared
	b.prepared = nil
	b.mu.Unlock()
	p.Close()
}

// SignIn implements Backend. It takes the store Prepare opened, if any.
func (b *FlowBackend) SignIn(ctx context.Context, user, password string) (User, error) {
	b.mu.Lock()
	p := b.prepared
	b.prepared = nil
	b.mu.Unlock()
	s, err := b.f.SignInPrepared(ctx, p, user, password)
	if err != nil {
		return User{}, err
	}
	if err := b.swap(ctx, s); err != nil {
		return User{}, err
	}
	u := User{Account: s.Identity.User, FullName: s.Identity.FullName, Groups: len(s.Identity.Groups)}
	if s.SignIn != nil {
		u.DC, u.Warnings = s.SignIn.Authority, s.SignIn.Warnings
	}
	return u, nil
}

func (b *FlowBackend) current() (*flow.Session, *flow.Machine, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.session == nil || b.machine == nil {
		return nil, nil, errors.New("not signed in")
	}
	return b.session, b.machine, nil
}

// FindComputer implements Backend.
func (b *FlowBackend) FindComputer(ctx context.Context) (Machine, error) {
	s, fm, err := b.current()
	if err != nil {
		return Machine{}, err
	}
	if err := b.f.FindComputer(ctx, s.Reader, fm); err != nil {
		return Machine{}, err
	}
	return describeMachine(fm, nil, true), nil
}

// LoadMenu implements Backend.
func (b *FlowBackend) LoadMenu(ctx context.Context) (Loaded, error) {
	s, fm, err := b.current()
	if err != nil {
		return Loaded{}, err
	}
	mm, err := b.f.LoadMenu(ctx, s, fm)
	if err != nil {
		return Loaded{}, err
	}
	b.mu.Lock()
	// The menu is kept only for the session it was loaded with, and not
	// from a load left with Esc: Queue re-decides the job against this
	// menu's principals, so another technician's must never stand in.
	if err := ctx.Err(); err != nil || b.session != s {
		b.mu.Unlock()
		if err == nil {
			err = errors.New("signed out while the menu loaded")
		}
		return Loaded{}, err
	}
	b.menu = mm
	b.mu.Unlock()
	return Loaded{Menu: mm.Menu, Machine: describeMachine(fm, mm.Snapshot, true)}, nil
}

// Queue implements Backend.
func (b *FlowBackend) Queue(ctx context.Context, e menu.Entry) (Queued, error) {
	s, _, err := b.current()
	if err != nil {
		return Queued{}, err
	}
	b.mu.Lock()
	mm := b.menu
	b.mu.Unlock()
	if mm == nil {
		return Queued{}, errors.New("queue: no menu loaded")
	}
	res, err := b.f.Queue(ctx, s, mm, e)
	if err != nil {
		return Queued{}, err
	}
	return Queued{Schedule: res.Schedule, AlreadyQueued: res.AlreadyQueued}, nil
}

// Pending implements Backend.
func (b *FlowBackend) Pending(ctx context.Context) ([]model.Schedule, error) {
	s, _, err := b.current()
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	mm := b.menu
	b.mu.Unlock()
	if mm == nil {
		return nil, nil
	}
	return b.f.Pending(ctx, s, mm)
}

// CheckPickup implements Backend.
func (b *FlowBackend) CheckPickup(ctx context.Context, queued model.Schedule) (flow.PickupState, *model.Schedule, error) {
	s, _, err := b.current()
	if err != nil {
		return flow.PickupPending, nil, err
	}
	return b.f.CheckPickup(ctx, s, queued)
}

// SignOut implements Backend; what Prepare opened is closed too.
func (b *FlowBackend) SignOut() {
	b.Unprepare()
	_ = b.swap(context.Background(), nil)
}

// swap makes s the session (nil: none), drops the menu built for the one
// before and closes that one. Esc ends a sign-in step's context before it
// signs out: an answer that comes after that (a bind that finished as Esc
// was pressed, a source that does not watch its context) must not sign in.
// Checked under the lock, so a session installed just before is closed by
// that sign-out.
func (b *FlowBackend) swap(ctx context.Context, s *flow.Session) error {
	b.mu.Lock()
	if err := ctx.Err(); err != nil {
		b.mu.Unlock()
		if s != nil {
			_ = s.Close()
		}
		return err
	}
	old := b.session
	b.session, b.menu = s, nil
	b.mu.Unlock()
	if old != nil {
		_ = old.Close()
	}
	return nil
}

// Info implements Backend.
func (b *FlowBackend) Info() Info {
	cfg := b.f.Config()
	dom, dns := cfg.Directory.DefaultDomain()
	store, _ := cfg.Store.Location()
	in := Info{Domain: dom, Store: store.Short()}
	dcs := cfg.Directory.DCs
	if len(cfg.Directory.Domains) > 0 {
		dcs = cfg.Directory.Domains[0].DCs
	}
	if len(dcs) > 0 {
		in.DC = hostOf(dcs[0])
	} else if dns != "" {
		in.DC = dns
	}
	return in
}

// LastLogLines implements Backend: the log's last lines, kept in memory.
func (b *FlowBackend) LastLogLines(n int) []string {
	if b.lastLog == nil || n <= 0 {
		return nil
	}
	return b.lastLog(n)
}

func hostOf(dc string) string {
	if u, err := url.Parse(dc); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return dc
}

// describeMachine turns the flow's machine into the console's; snap (when
// loaded) names the computer group.
func describeMachine(fm *flow.Machine, snap *model.Snapshot, lookedUp bool) Machine {
	m := Machine{Identifiers: fm.Describe(), Warnings: fm.Warnings, LookedUp: lookedUp}
	if fm.Computer != nil {
		m.Known, m.Name, m.ComputerID = true, fm.Computer.Name, fm.Computer.ID
		if snap != nil {
			m.Group = groupPath(snap.ComputerGroups, fm.Computer.GroupID)
		}
	}
	return m
}

// groupPath is the computer group's path from the top, as the DS console shows it.
func groupPath(groups map[int64]model.ComputerGroup, id int64) string {
	var names []string
	for depth := 0; depth < 64; depth++ { // DS trees are shallow; the bound guards a cycle
		g, ok := groups[id]
		if !ok {
			break
		}
		names = append([]string{g.Name}, names...)
		if g.ParentID == 0 || g.ParentID == id {
			break
		}
		id = g.ParentID
	}
	if len(names) == 0 {
		switch id {
		case model.NewComputersGroupID:
			return "New Computers"
		}
	}
	return strings.Join(names, "/")
}
