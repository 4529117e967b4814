// Package flow is the imaging path as plain steps — identify the machine,
// sign in, load the snapshot, decide, build the menu, queue, watch — over
// narrow interfaces. The TUI and the `run`/`menu`/`explain` commands are
// front ends over these same steps, so they cannot disagree.
//
// The flow speaks only pkg/model's types and sentinel errors across three
// seams: a Reader (what DS knows: computers, jobs, permissions, schedules),
// a Scheduler (what queues a job) and IdentitySources (who checks a
// password). The eXpress database is today's Reader and Scheduler, AD and
// DS's console accounts the IdentitySources; internal/setup picks them from
// a registry, and internal/flow/flowtest is the contract each must pass.
package flow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/pkg/access"
	"github.com/imageinvoker/imageinvoker/pkg/machine"
	"github.com/imageinvoker/imageinvoker/pkg/menu"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// Reader is the read side of Deployment Server: what the flow looks up to
// find the machine, build the menu and watch a schedule. Errors wrap
// pkg/model's sentinels (model.ErrUnknownComputer, ...), which is all the
// flow knows of them.
type Reader interface {
	// FindComputer finds the one computer a key matches: ErrUnknownComputer
	// when none does, ErrAmbiguousComputer when several do.
	FindComputer(ctx context.Context, key model.ComputerKey) (model.Computer, error)
	// Snapshot loads everything one menu decision for c and id needs.
	Snapshot(ctx context.Context, c model.Computer, id model.Identity, opts model.SnapshotOptions) (*model.Snapshot, error)
	// Job reads one job, menu candidate or not: ErrUnknownJob when there is none.
	Job(ctx context.Context, jobID int64) (*model.Job, error)
	// Schedule reads a schedule back: ErrUnknownSchedule once DS removed it.
	Schedule(ctx context.Context, scheduleID int64) (model.Schedule, error)
	// PendingSchedules lists the schedules DS has not picked up yet for a
	// computer, of any job.
	PendingSchedules(ctx context.Context, computerID int64) ([]model.Schedule, error)
	Close() error
}

// Scheduler queues a job. It refuses, queueing nothing, a job that is gone
// (ErrUnknownJob) or differs from the menu's (ErrJobChanged), or that the
// permissions as they are now deny (ErrNotPermitted); a job already pending
// for the computer is answered with that schedule and AlreadyQueued.
type Scheduler interface {
	Queue(ctx context.Context, req model.QueueRequest) (model.QueueResult, error)
	// Close releases what the scheduler holds; a scheduler that shares its
	// session's Reader (the eXpress store is both) is closed once, as the Reader.
	Close() error
}

// IdentitySource checks a technician's password and says who they are.
// Refusals wrap the model's sign-in sentinels (ErrBadCredentials,
// ErrEmptyPassword, ErrDCUnreachable, ...) and their text is for the
// technician; it never holds the password.
type IdentitySource interface {
	SignIn(ctx context.Context, user, password string) (*model.SignIn, error)
}

// Credentials are the technician's, passed to OpenReader and OpenScheduler only when the SQL
// session runs as the technician (store.auth = technician).
type Credentials struct {
	User     string // DOMAIN\user
	Password string
}

// Deps are the flow's dependencies; commands and the TUI fill them.
type Deps struct {
	Config *config.Config
	// OpenReader opens the read side; creds is nil unless store.auth is technician.
	OpenReader func(ctx context.Context, creds *Credentials) (Reader, error)
	// OpenScheduler opens the scheduler of a session whose Reader is r (it
	// may share it: the eXpress store is both). It is called for every
	// session, previews too, so it must be cheap; nil: nothing can be queued.
	OpenScheduler func(ctx context.Context, r Reader, creds *Credentials) (Scheduler, error)
	// Directory checks AD accounts (DOMAIN\user); nil when no directory is
	// configured and for previews that take the identity from flags.
	Directory IdentitySource
	// ConsoleAccounts checks DS console accounts (.\name) over the
	// session's open Reader: their passwords live in DS's own database, so
	// the check needs no second connection. nil: they cannot sign in.
	ConsoleAccounts func(r Reader) (IdentitySource, error)
	// ReadMachine reads this machine's identifiers (machine.Read in production).
	ReadMachine func() (machine.Identity, []string, error)
	Log         *slog.Logger
}

// Flow runs the steps.
type Flow struct {
	d   Deps
	log *slog.Logger
}

// New returns a Flow.
func New(d Deps) *Flow {
	log := d.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Flow{d: d, log: log}
}

// Config is the flow's configuration.
func (f *Flow) Config() *config.Config { return f.d.Config }

// Override replaces what the machine reads of itself (script and preview flags).
type Override struct {
	MACs       []string
	Serial     string
	UUID       string
	AssetTag   string
	ComputerID int64
}

func (o Override) empty() bool {
	return len(o.MACs) == 0 && o.Serial == "" && o.UUID == "" && o.AssetTag == "" && o.ComputerID == 0
}

// Machine is this machine as the flow knows it.
type Machine struct {
	Local    machine.Identity
	Warnings []string
	Keys     []model.ComputerKey
	// Computer is the DS computer, nil until found.
	Computer *model.Computer
}

// Describe lists the machine's identifiers for a person.
func (m *Machine) Describe() string {
	var parts []string
	for _, mac := range m.Local.MACs {
		parts = append(parts, "MAC "+machine.FormatMAC(mac))
	}
	if m.Local.Serial != "" {
		parts = append(parts, "serial "+m.Local.Serial)
	}
	if m.Local.UUID != "" {
		parts = append(parts, "UUID "+m.Local.UUID)
	}
	if m.Local.AssetTag != "" {
		parts = append(parts, "asset tag "+m.Local.AssetTag)
	}
	for _, k := range m.Keys {
		if k.By == model.MatchComputerID {
			parts = append(parts, "computer id "+strconv.FormatInt(k.ID, 10))
		}
	}
	if len(parts) == 0 {
		return "no identifiers could be read"
	}
	return strings.Join(parts, ", ")
}

// Identify reads this machine (or takes the override) and builds the keys
// that find it in DS, in the configured order. It does not touch the store.
func (f *Flow) Identify(o Override) (*Machine, error) {
	m := &Machine{}
	if o.empty() {
		if f.d.ReadMachine == nil {
			return nil, errors.New("identify machine: no machine reader")
		}
		id, warns, err := f.d.ReadMachine()
		if err != nil {
			return nil, fmt.Errorf("identify machine: %w", err)
		}
		m.Local, m.Warnings = id, warns
	} else {
		for _, mac := range o.MACs {
			n, err := machine.NormalizeMAC(mac)
			if err != nil {
				return nil, usage("%v", err)
			}
			m.Local.MACs = append(m.Local.MACs, n)
		}
		m.Local.Serial, m.Local.AssetTag = o.Serial, o.AssetTag
		if o.UUID != "" {
			u, err := machine.NormalizeUUID(o.UUID)
			if err != nil {
				return nil, usage("%v", err)
			}
			m.Local.UUID = u
		}
		if o.ComputerID != 0 {
			m.Keys = append(m.Keys, model.ComputerKey{By: model.MatchComputerID, ID: o.ComputerID})
		}
	}
	// Flags name exactly what to match; the config's order applies to what the machine read of itself.
	order := f.d.Config.Machine.Match
	if !o.empty() {
		order = config.MatchKeys
	}
	for _, by := range order {
		switch model.MatchBy(by) {
		case model.MatchMAC:
			if len(m.Local.MACs) > 0 {
				m.Keys = append(m.Keys, model.ComputerKey{By: model.MatchMAC, Values: m.Local.MACs})
			}
		case model.MatchSerial:
			if m.Local.Serial != "" {
				m.Keys = append(m.Keys, model.ComputerKey{By: model.MatchSerial, Values: []string{m.Local.Serial}})
			}
		case model.MatchUUID:
			if m.Local.UUID != "" {
				m.Keys = append(m.Keys, model.ComputerKey{By: model.MatchUUID, Values: []string{m.Local.UUID}})
			}
		case model.MatchAssetTag:
			if m.Local.AssetTag != "" {
				m.Keys = append(m.Keys, model.ComputerKey{By: model.MatchAssetTag, Values: []string{m.Local.AssetTag}})
			}
		}
	}
	f.log.Info("machine identified", "identifiers", m.Describe())
	return m, nil
}

// registrationPoll is how often an unknown machine is looked up again: one
// indexed query, cheap enough for the DS database, quick enough for a person.
const registrationPoll = 2 * time.Second

// FindComputer looks the machine up in DS by each key in turn. With
// machine.wait_registration set it polls until DS registers the machine
// (DS adds machines to New Computers on first contact) or the time passes.
func (f *Flow) FindComputer(ctx context.Context, st Reader, m *Machine) error {
	if m.Computer != nil {
		return nil
	}
	wait := f.d.Config.Machine.WaitRegistration
	deadline := time.Now().Add(wait)
	for {
		c, err := f.findOnce(ctx, st, m)
		if err == nil {
			m.Computer = &c
			f.log.Info("computer found", "id", c.ID, "name", c.Name)
			return nil
		}
		if !errors.Is(err, model.ErrUnknownComputer) || wait <= 0 || time.Now().After(deadline) {
			return f.storeError(err, m)
		}
		f.log.Info("machine not registered yet; waiting", "until", deadline.Format(time.TimeOnly))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(min(registrationPoll, time.Until(deadline)+time.Millisecond)):
		}
	}
}

func (f *Flow) findOnce(ctx context.Context, st Reader, m *Machine) (model.Computer, error) {
	if len(m.Keys) == 0 {
		return model.Computer{}, model.ErrUnknownComputer
	}
	ctx, cancel := context.WithTimeout(ctx, f.d.Config.Store.Timeout)
	defer cancel()
	var last error
	for _, k := range m.Keys {
		c, err := st.FindComputer(ctx, k)
		if err == nil {
			return c, nil
		}
		if !errors.Is(err, model.ErrUnknownComputer) {
			return c, err
		}
		last = err
	}
	return model.Computer{}, last
}

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
	ctx, cancel := context.WithTimeout(ctx, f.d.Config.Session.StepTimeout)
	defer cancel()
	if model.IsDSAccountName(user) {
		return f.signInDSAccount(ctx, user, password)
	}
	if f.d.Directory == nil {
		return nil, exitcode.New(exitcode.Usage,
			"no Active Directory is configured here, so %s cannot sign in: only DS console accounts can (.\\name). Set directory.dns_domain or directory.dcs in the config file for AD accounts.", user)
	}
	early := f.openEarly(ctx)
	si, err := f.d.Directory.SignIn(ctx, user, password)
	if err != nil {
		early.discard()
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
		s, err = early.wait()
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
func (f *Flow) signInDSAccount(ctx context.Context, user, password string) (*Session, error) {
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
	s, err := f.open(ctx, model.Identity{}, nil)
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

// Menu is a built menu for one computer and one identity.
type Menu struct {
	Computer model.Computer
	Snapshot *model.Snapshot
	Eval     *access.Evaluator
	Menu     *menu.Menu
	Took     time.Duration
}

// LoadMenu finds the computer if needed, loads the snapshot, decides and builds the menu.
func (f *Flow) LoadMenu(ctx context.Context, s *Session, m *Machine) (*Menu, error) {
	start := time.Now()
	if err := f.FindComputer(ctx, s.Reader, m); err != nil {
		return nil, err
	}
	cfg := f.d.Config
	sctx, cancel := context.WithTimeout(ctx, cfg.Store.Timeout)
	defer cancel()
	snap, err := s.Reader.Snapshot(sctx, *m.Computer, s.Identity, model.SnapshotOptions{
		RootFolder: cfg.Menu.Root, Tag: cfg.Menu.Tag, ConsoleSecurity: string(cfg.Store.ConsoleSecurity),
	})
	if err != nil {
		return nil, f.storeError(err, m)
	}
	ev := access.New(snap)
	mn := menu.Build(snap, ev.Allowed, menu.Options{Tag: cfg.Menu.Tag, FolderNames: cfg.Menu.FolderNames, Flat: cfg.Menu.Flat})
	took := time.Since(start)
	f.log.Info("menu built", "computer", m.Computer.Name, "jobs", mn.Count, "statements", snap.Statements, "ms", took.Milliseconds())
	return &Menu{Computer: *m.Computer, Snapshot: snap, Eval: ev, Menu: mn, Took: took}, nil
}

// Choose finds a job on the menu by id or menu path. A job that exists but
// is not on this user's menu is refused as not permitted, with the reason.
func (f *Flow) Choose(mm *Menu, ref string) (menu.Entry, error) {
	switch all := mm.Menu.FindAll(ref); {
	case len(all) == 1:
		return all[0], nil
	case len(all) > 1:
		// Two jobs with one path (DS allows duplicate names in a folder):
		// a script must never queue one it merely guessed.
		var ids []string
		for _, e := range all {
			ids = append(ids, fmt.Sprintf("%d (%s)", e.ID, e.FullPath()))
		}
		return menu.Entry{}, exitcode.New(exitcode.Usage,
			"the menu path %q is ambiguous: it matches %d jobs: %s. Give the job id instead.", ref, len(all), strings.Join(ids, ", "))
	}
	if id, err := strconv.ParseInt(strings.TrimSpace(ref), 10, 64); err == nil {
		if _, known := mm.Snapshot.Jobs[id]; known {
			why := ""
			if r, denied := mm.Eval.Decide(id).Denial(); denied {
				why = " " + r.String()
			}
			return menu.Entry{}, exitcode.New(exitcode.NotPermitted,
				"job %d is not on your menu for %s.%s Ask your DS administrator; `imageinvoker explain --job %d` shows every rule.",
				id, mm.Computer.Name, why, id)
		}
	}
	return menu.Entry{}, exitcode.New(exitcode.NotPermitted,
		"no job %q on your menu for %s. Run `imageinvoker menu` to list the jobs you may schedule here.", ref, mm.Computer.Name)
}

// ExplainJob decides one job for the menu's identity and computer, with
// every rule. A job that exists in DS but is not a boot-menu candidate (not
// under the root folder, not tagged) is decided too, so an administrator
// sees both why it is missing from the menu and what its permissions say.
func (f *Flow) ExplainJob(ctx context.Context, s *Session, mm *Menu, jobID int64) (j *model.Job, d access.Decision, onMenu bool, err error) {
	if j = mm.Snapshot.Jobs[jobID]; j != nil {
		_, onMenu = mm.Menu.Find(strconv.FormatInt(jobID, 10))
		return j, mm.Eval.Decide(jobID), onMenu, nil
	}
	ctx, cancel := context.WithTimeout(ctx, f.d.Config.Store.Timeout)
	defer cancel()
	j, err = s.Reader.Job(ctx, jobID)
	if err != nil {
		if errors.Is(err, model.ErrUnknownJob) {
			return nil, d, false, exitcode.Wrap(exitcode.UnknownJob, err, "there is no job %d in Deployment Server. `imageinvoker menu` lists the jobs on the menu.", jobID)
		}
		return nil, d, false, f.storeError(err, nil)
	}
	// Decide it as if it were on the menu: the snapshot holds every folder,
	// so its chain is known; only the job itself is added, to a copy.
	snap := *mm.Snapshot
	snap.Jobs = map[int64]*model.Job{jobID: j}
	return j, access.New(&snap).Decide(jobID), false, nil
}

// Queue queues the chosen job for this machine, as this user.
func (f *Flow) Queue(ctx context.Context, s *Session, mm *Menu, e menu.Entry) (model.QueueResult, error) {
	if s.Scheduler == nil {
		return model.QueueResult{}, f.storeError(fmt.Errorf("%w: no scheduler is set up here", model.ErrQueueUnsupported), nil)
	}
	ctx, cancel := context.WithTimeout(ctx, f.d.Config.Store.Timeout)
	defer cancel()
	res, err := s.Scheduler.Queue(ctx, model.QueueRequest{
		Computer: mm.Computer, Job: e.Job, UserName: recordedUser(s.Identity), UserFullName: s.Identity.FullName,
		ConsoleUserID: consoleUserID(mm.Snapshot), Menu: mm.Snapshot, Identity: &s.Identity,
	})
	if err != nil {
		f.log.Warn("queue failed", "job", e.ID, "error", err.Error())
		return res, f.storeError(err, nil)
	}
	f.log.Info("queued", "schedule", res.Schedule.ID, "job", e.ID, "computer", mm.Computer.ID, "already", res.AlreadyQueued)
	return res, nil
}

// recordedUser is who the schedule says queued it: DOMAIN\user for AD, the
// bare name for a DS console account (DS's own console records it so).
func recordedUser(id model.Identity) string {
	if id.DSAccount {
		return strings.TrimPrefix(id.User, model.DSAccountPrefix)
	}
	return id.User
}

// consoleUserID is the console user DS knows the technician as (the lowest
// id when several rows match), or -1: what DS passes to wc_ins_schedule.
func consoleUserID(snap *model.Snapshot) int64 {
	id := int64(-1)
	if snap == nil {
		return id
	}
	for _, p := range snap.Principals {
		if p.Kind == model.ConsoleUser && (id < 0 || p.ID < id) {
			id = p.ID
		}
	}
	return id
}

// Pending lists the schedules pending for the menu's computer, so Confirm
// can warn that another job is already queued.
func (f *Flow) Pending(ctx context.Context, s *Session, mm *Menu) ([]model.Schedule, error) {
	ctx, cancel := context.WithTimeout(ctx, f.d.Config.Store.Timeout)
	defer cancel()
	out, err := s.Reader.PendingSchedules(ctx, mm.Computer.ID)
	if err != nil {
		return nil, f.storeError(err, nil)
	}
	return out, nil
}

// Schedule reads a schedule back; nil (and no error) once DS removed the row.
func (f *Flow) Schedule(ctx context.Context, s *Session, id int64) (*model.Schedule, error) {
	ctx, cancel := context.WithTimeout(ctx, f.d.Config.Store.Timeout)
	defer cancel()
	cur, err := s.Reader.Schedule(ctx, id)
	if errors.Is(err, model.ErrUnknownSchedule) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &cur, nil
}

// Watch polls the schedule until DS picks it up — its status changes from
// what was queued, or the row leaves the schedule table — or ctx ends.
// onUpdate sees every poll's schedule (nil when the row is gone).
func (f *Flow) Watch(ctx context.Context, s *Session, queued model.Schedule, every time.Duration, onUpdate func(*model.Schedule)) (*model.Schedule, error) {
	ctx, cancel := context.WithTimeout(ctx, f.d.Config.Session.WatchTimeout)
	defer cancel()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return nil, exitcode.New(exitcode.Timeout,
					"Deployment Server has not picked up schedule %d yet after %s. It stays queued; check the DS console.", queued.ID, f.d.Config.Session.WatchTimeout)
			}
			return nil, ctx.Err()
		case <-t.C:
		}
		cur, err := s.Reader.Schedule(ctx, queued.ID)
		if errors.Is(err, model.ErrUnknownSchedule) {
			if onUpdate != nil {
				onUpdate(nil)
			}
			return nil, nil
		}
		if err != nil {
			f.log.Warn("watch poll failed", "error", err.Error())
			continue
		}
		if onUpdate != nil {
			onUpdate(&cur)
		}
		if PickedUp(queued, cur) {
			return &cur, nil
		}
	}
}

// PickedUp says whether DS has taken the schedule: its status moved on.
func PickedUp(queued, cur model.Schedule) bool {
	if cur.Status != queued.Status {
		return true
	}
	return (cur.StatusCode == nil) != (queued.StatusCode == nil) ||
		(cur.StatusCode != nil && queued.StatusCode != nil && *cur.StatusCode != *queued.StatusCode)
}
