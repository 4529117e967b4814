// Package flow is the imaging path as plain steps — identify the machine,
// sign in, load the snapshot, decide, build the menu, queue, watch — over
// narrow interfaces. The TUI and the `run`/`menu`/`explain` commands are
// front ends over these same steps, so they cannot disagree.
//
// The flow speaks only pkg/model's types and sentinel errors across three
// seams: a Reader (what DS knows: computers, jobs, permissions, schedules),
// a Scheduler (what queues a job) and IdentitySources (who checks a
// password). The eXpress database is today's Reader and Scheduler, AD and
// DS's console accounts the IdentitySources; internal/setup wires them
// (setup.Backends), and internal/flow/flowtest is the contract each must pass.
package flow

import (
	"context"
	"log/slog"

	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/pkg/machine"
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
