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
	// DN is the account's distinguished name in the directory, "" when the
	// source has none (a DS console account).
	DN string `json:"dn,omitempty"`
	// Groups are the identity's security groups with their SIDs and
	// domains, for a person (whoami); Identity.Groups holds their names
	// for matching. Empty when the source knows no SIDs.
	Groups []Group `json:"groups,omitempty"`
	// Lookups say, when several domains took part, what each one's part of
	// the sign-in cost.
	Lookups []DomainLookup `json:"lookups,omitempty"`
}

// Group is one security group of a signed-in user.
type Group struct {
	Name string `json:"name"` // DOMAIN\name, BUILTIN\name, or "" when the SID did not resolve
	SID  string `json:"sid"`
	// Domain is the NetBIOS name of the group's domain (BUILTIN for a
	// builtin alias of the user's domain).
	Domain string `json:"domain,omitempty"`
}

// DomainLookup is what one domain's part of a sign-in cost.
type DomainLookup struct {
	Domain     string `json:"domain"` // NetBIOS name
	DC         string `json:"dc"`
	Home       bool   `json:"home,omitempty"` // the user's own domain (bind, tokenGroups)
	Groups     int    `json:"groups"`
	RoundTrips int    `json:"round_trips"`
	Millis     int64  `json:"ms"`
}
