// Package tui is the technician's console: a bubbletea program whose root
// model is an explicit state machine (machine → sign in → menu → confirm →
// queued, with working and error screens between), drawn over a narrow
// Backend so every screen can be driven in tests. Network and database work
// runs in tea.Cmds; Update never blocks.
package tui

import (
	"context"

	"github.com/imageinvoker/imageinvoker/internal/flow"
	"github.com/imageinvoker/imageinvoker/pkg/menu"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// Backend is what the console needs of the imaging flow. The real one is
// FlowBackend over *flow.Flow; tests may fake it for states the demo cannot
// reach deterministically. Every method may block and is only called from a
// tea.Cmd; errors carry an *exitcode.Error whose Msg is meant for a person.
type Backend interface {
	// Identify reads who this machine is and, unless the store signs in as
	// the technician, looks it up in DS. An unknown machine is not an error:
	// Machine.Known is false and Machine.Problem says what to do.
	Identify(ctx context.Context) (Machine, error)
	// SignIn signs the technician in (directory, groups, store).
	SignIn(ctx context.Context, user, password string) (User, error)
	// FindComputer looks the machine up in DS with the signed-in session.
	FindComputer(ctx context.Context) (Machine, error)
	// LoadMenu loads the jobs this technician may schedule on this machine.
	LoadMenu(ctx context.Context) (Loaded, error)
	// Queue queues the entry's job for this machine.
	Queue(ctx context.Context, e menu.Entry) (Queued, error)
	// Pending lists the schedules already pending for this machine (nil
	// when the store cannot say), for Confirm's warning.
	Pending(ctx context.Context) ([]model.Schedule, error)
	// CheckPickup looks once at a queued schedule: pending, picked up
	// (with the row as read) or gone (DS removed the row). The flow's
	// CheckPickup, the call `run --wait` loops over.
	CheckPickup(ctx context.Context, queued model.Schedule) (flow.PickupState, *model.Schedule, error)
	// SignOut forgets the session (closes its store).
	SignOut()
	// Info says where the backend talks to, for the working screen's words.
	Info() Info
	// LastLogLines returns up to n last lines of the log file, if there is one.
	LastLogLines(n int) []string
}

// Machine is this machine as the console shows it.
type Machine struct {
	// Name is the DS computer name ("" when not known to DS).
	Name       string
	ComputerID int64
	// Group is the DS computer group path, when known.
	Group string
	// Known says DS knows this machine; LookedUp says DS was asked at all
	// (with store.auth=technician it is asked only after sign-in).
	Known, LookedUp bool
	// Identifiers lists MACs, serial, UUID as read, for a person.
	Identifiers string
	// Problem is why DS does not know it, and what to do.
	Problem  string
	Warnings []string
}

// User is the signed-in technician.
type User struct {
	Account  string // DOMAIN\user
	FullName string
	DC       string
	Groups   int
	// Warnings from sign-in (plain LDAP allowed or used, DCs skipped) stay
	// on the status line of every later screen.
	Warnings []string
}

// Loaded is a built menu.
type Loaded struct {
	Menu    *menu.Menu
	Machine Machine
}

// Queued is a queued schedule; AlreadyQueued when DS had the same job
// queued for this machine (queueing is idempotent).
type Queued struct {
	Schedule      model.Schedule
	AlreadyQueued bool
}

// Info names what the backend talks to.
type Info struct {
	Domain string // default NetBIOS domain for bare user names
	DC     string // the first domain controller, host only
	Store  string // the store, for a person (no credentials)
}
