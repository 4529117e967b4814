package model

// The requests and answers that cross the flow's seams (internal/flow's
// Reader, Scheduler and IdentitySource). They are plain data, so a store,
// scheduler or identity source other than the eXpress database and AD can
// speak them without importing either.

// SnapshotOptions choose which jobs are menu candidates and how console
// security is detected.
type SnapshotOptions struct {
	RootFolder string // default "ImageInvoker": a folder of this name (case-insensitive), top level preferred
	Tag        string // default "[imageinvoker]", matched case-insensitively in the job's description
	// ConsoleSecurity is "auto" (follow DS: its wc_sel_security_state where
	// the database has it, else on when DS has console users or groups),
	// "on" (always on; fails closed), or "off" (what-if previews only: the
	// commands that queue refuse it before they get here).
	ConsoleSecurity string
}

// QueueRequest is one "run this job on this computer now".
type QueueRequest struct {
	Computer Computer
	// Job is the job as it was on the menu (name, folder, tasks); a
	// scheduler refuses (ErrUnknownJob, ErrJobChanged) when the job is gone
	// or differs now, and queues nothing.
	Job      *Job
	UserName string // DOMAIN\user, or the bare name of a DS console account
	// UserFullName is recorded next to UserName so the DS console shows who queued.
	UserFullName string
	// ConsoleUserID is the matched console user (DS's wc_ins_schedule
	// @userId); 0 or -1 when the technician has none (DS passes -1 then).
	ConsoleUserID int64
	// Menu is the snapshot the menu was built from. A scheduler decides the
	// job again, always, from what it reads when it queues (permissions,
	// rights, the computer's group and its chain, folders, return
	// handlers): one revoked since the menu was built refuses the queue
	// (ErrNotPermitted). The menu's matched principals are who asks, and
	// its SecurityOn keeps security on.
	Menu *Snapshot
	// Identity is who asks, matched afresh against DS's console users and
	// groups when it is set (it wins over Menu's principals). With neither
	// Identity nor Menu the scheduler cannot decide and refuses.
	Identity *Identity
}

// QueueResult is the schedule that now exists for a request.
type QueueResult struct {
	Schedule Schedule
	// AlreadyQueued: the same job was already pending for this computer;
	// nothing was written and Schedule is the pending one.
	AlreadyQueued bool
}

// SignIn is a successful sign-in, as every identity source reports it.
type SignIn struct {
	Identity Identity `json:"identity"`
	// Authority is who checked the password, for a person: the domain
	// controller that answered, or "Deployment Server (DS console account)".
	Authority string `json:"authority"`
	// Warnings are for the technician's status line (plain LDAP allowed,
	// DCs skipped).
	Warnings []string `json:"warnings,omitempty"`
	// RoundTrips counts the requests the sign-in sent (LDAP for AD).
	RoundTrips int `json:"round_trips"`
	// Detail is the source's own full answer, for diagnostics that know the
	// source (whoami shows AD's groups with their SIDs and the per-domain
	// lookups); nil when the source has nothing beyond the above.
	Detail any `json:"-"`
}
