// Package access decides, in memory and with an explanation, which jobs a
// signed-in technician may schedule on one computer, exactly as Deployment
// Server 6.9 console security does (docs/ds-schema.md, Admin Guide p.92).
//
// It replaces the original add-on's T-SQL `Effective_Permission` walk — one
// query per tree level, per job, per principal — with indexes built once per
// Snapshot. It does no I/O.
package access

import (
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// Evaluator answers permission questions over one Snapshot. Build it with New;
// it is read-only afterwards and safe for concurrent use.
type Evaluator struct {
	s     *model.Snapshot
	links map[linkKey][]entry
	admin int32 // index of a matched principal with the Administrative right, -1 when none

	// folder66 caches the walk for "Schedule this job" from each loaded
	// folder, as seen from a job inside it, so Allowed costs a few map
	// lookups per job however deep the tree.
	folder66 map[int64]outcome
	// allJobs66 is the walk from All Jobs (-10), for jobs at the top level.
	allJobs66 outcome
	// jobEntries66 holds the "Schedule this job" entries set on jobs themselves,
	// keyed by job id alone: most jobs have none, and a small int64-keyed
	// map is what keeps Allowed cheap across 10,000 jobs.
	jobEntries66 map[int64][]entry
	// computer holds the walk for every computer permission, indexed by
	// permission id; the computer is the same for every job of a menu.
	computer [maxPerm + 1]outcome
}

const maxPerm = model.PermScheduleJob

type linkKey struct {
	perm   int
	object int64
}

// entry is one explicit link of a matched principal.
type entry struct {
	principal int32 // index into Snapshot.Principals
	allow     bool
}

// New indexes the snapshot once; the snapshot must not change afterwards.
// Links of principals that are not in Snapshot.Principals are ignored: they
// are someone else's entries. The store must load every ancestor folder of
// every candidate job and every ancestor group of the computer: a walk that
// reaches a row it was not given denies ("unknown-parent").
func New(s *model.Snapshot) *Evaluator {
	if s == nil {
		s = &model.Snapshot{SecurityOn: true}
	}
	e := &Evaluator{s: s, links: make(map[linkKey][]entry, len(s.Links)), admin: -1}
	byID := make(map[int64]int32, len(s.Principals))
	for i, p := range s.Principals {
		if _, dup := byID[p.ID]; !dup {
			byID[p.ID] = int32(i)
		}
		if p.Admin && e.admin < 0 {
			e.admin = int32(i)
		}
	}
	for _, l := range s.Links {
		idx, ok := byID[l.PrincipalID]
		if !ok {
			continue
		}
		k := linkKey{l.PermissionID, l.ObjectID}
		e.links[k] = append(e.links[k], entry{principal: idx, allow: l.Allow})
	}
	e.jobEntries66 = map[int64][]entry{}
	for k, entries := range e.links {
		if k.perm == model.PermScheduleJob {
			e.jobEntries66[k.object] = entries
		}
	}
	e.allJobs66 = e.walk(model.PermScheduleJob, node{kindAllJobs, model.AllJobsFolderID}, 1)
	e.folder66 = make(map[int64]outcome, len(s.Folders))
	for id := range s.Folders {
		e.folder66[id] = e.walk(model.PermScheduleJob, node{kindFolder, id}, 1)
	}
	if s.Computer.ID != 0 {
		for p := range e.computer {
			if _, ok := permissionNames[p]; ok && p != model.PermScheduleJob && p != model.RightAdministrative {
				e.computer[p] = e.walk(p, node{kindComputer, s.Computer.ID}, 0)
			}
		}
	}
	return e
}

// Allowed reports whether the job may be scheduled on the snapshot's
// computer. It is Decide(jobID).Allowed without building explanations.
func (e *Evaluator) Allowed(jobID int64) bool {
	j, ok := e.s.Jobs[jobID]
	if !ok || j == nil {
		return false
	}
	if !e.s.SecurityOn || e.admin >= 0 {
		return true
	}
	if !e.allowedSelf(j) {
		return false
	}
	if len(j.Handlers) == 0 {
		return true
	}
	for _, h := range e.handlerClosure(j) {
		hj := e.job(h)
		if hj == nil || !e.allowedSelf(hj) {
			return false
		}
	}
	return true
}

// job is a candidate or a handler job, nil when neither was loaded.
func (e *Evaluator) job(id int64) *model.Job {
	if j := e.s.Jobs[id]; j != nil {
		return j
	}
	return e.s.HandlerJobs[id]
}

// handlerClosure is every job reachable from j through return handlers,
// j itself excluded, in the order first reached (breadth first); a cycle
// ends where it meets a job already seen.
func (e *Evaluator) handlerClosure(j *model.Job) []int64 {
	seen := map[int64]bool{j.ID: true}
	var out []int64
	queue := []*model.Job{j}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, h := range cur.Handlers {
			if seen[h] {
				continue
			}
			seen[h] = true
			out = append(out, h)
			if hj := e.job(h); hj != nil {
				queue = append(queue, hj)
			}
		}
	}
	return out
}

// allowedSelf decides the job on its own, without its return handlers.
func (e *Evaluator) allowedSelf(j *model.Job) bool {
	if !e.job66(j).allow {
		return false
	}
	for _, t := range j.Tasks {
		perms, n, d := taskPermissions(t)
		if d == detailUnknownTask || e.s.Computer.ID == 0 {
			return false
		}
		for _, p := range perms[:n] {
			if !e.computer[p].allow {
				return false
			}
		}
	}
	return true
}

// job66 is the walk for "Schedule this job" from the job, through the folder cache.
func (e *Evaluator) job66(j *model.Job) outcome {
	if entries := e.jobEntries66[j.ID]; len(entries) > 0 {
		o := e.level(entries)
		o.level = node{kindJob, j.ID}
		return o
	}
	if j.FolderID == 0 || j.FolderID == model.AllJobsFolderID {
		o := e.allJobs66
		if o.rule == ruleDefaultDeny {
			o.level = node{kindJob, j.ID}
		}
		return o
	}
	if o, ok := e.folder66[j.FolderID]; ok {
		if o.rule == ruleDefaultDeny {
			o.level = node{kindJob, j.ID}
		}
		return o
	}
	return e.walk(model.PermScheduleJob, node{kindFolder, j.FolderID}, 1)
}

// Decision is the answer for one job with every rule that decided it.
// Allowed is true exactly when every Reason allows.
type Decision struct {
	JobID   int64    `json:"job_id"`
	Allowed bool     `json:"allowed"`
	Reasons []Reason `json:"reasons"`
}

// Denial is the first reason that denies, for a one-line "why not".
func (d Decision) Denial() (Reason, bool) {
	for _, r := range d.Reasons {
		if !r.Allow {
			return r, true
		}
	}
	return Reason{}, false
}

// Decide answers like Allowed and says why: one Reason for "Schedule this
// job" on the job and one for each distinct permission its tasks need on the
// computer, plus one for each task whose detail forced extra permissions or
// whose type is unknown. It walks the trees afresh rather than reading the
// caches Allowed uses, so the two can be checked against each other.
func (e *Evaluator) Decide(jobID int64) Decision {
	d := Decision{JobID: jobID}
	j, ok := e.s.Jobs[jobID]
	if !ok || j == nil {
		d.Reasons = []Reason{{Rule: "unknown-job", TargetKind: kindJob.String(), TargetID: jobID}}
		return d
	}
	target := func(r Reason) Reason {
		r.TargetKind, r.TargetID, r.TargetName = kindJob.String(), j.ID, j.Name
		return r
	}
	if !e.s.SecurityOn {
		d.Allowed = true
		d.Reasons = []Reason{target(Reason{Rule: "security-off", Allow: true})}
		return d
	}
	if e.admin >= 0 {
		p := e.s.Principals[e.admin]
		d.Allowed = true
		d.Reasons = []Reason{target(Reason{Rule: "administrative", Allow: true,
			Permission: model.RightAdministrative, PermissionName: PermissionName(model.RightAdministrative),
			Principal: p.Name, PrincipalKind: p.Kind})}
		return d
	}
	d.Reasons = e.decideSelf(j, d.Reasons)
	// The jobs its tasks start on a return code must be allowed the same
	// way, on this computer (DS's Schedule::Add demands it).
	for _, h := range e.handlerClosure(j) {
		r := target(Reason{Rule: "return-handler", HandlerJobID: h})
		hj := e.job(h)
		if hj == nil {
			r.Rule = "unknown-handler"
			d.Reasons = append(d.Reasons, r)
			continue
		}
		r.HandlerJobName = hj.Name
		sub := e.decideSelf(hj, nil)
		r.Allow = true
		for _, s := range sub {
			if !s.Allow {
				r.Allow, r.Cause = false, s.sentence()
				break
			}
		}
		d.Reasons = append(d.Reasons, r)
	}
	d.Allowed = true
	for _, r := range d.Reasons {
		d.Allowed = d.Allowed && r.Allow
	}
	return d
}

// decideSelf appends the reasons that decide the job on its own: "Schedule
// this job" and every permission its tasks need on the computer.
func (e *Evaluator) decideSelf(j *model.Job, reasons []Reason) []Reason {
	target := func(r Reason) Reason {
		r.TargetKind, r.TargetID, r.TargetName = kindJob.String(), j.ID, j.Name
		return r
	}
	o := e.walk(model.PermScheduleJob, node{kindJob, j.ID}, 0)
	reasons = append(reasons, e.reason(model.PermScheduleJob, o, node{kindJob, j.ID}))

	decided := map[int]bool{}
	for i, t := range j.Tasks {
		perms, n, det := taskPermissions(t)
		if det == detailUnknownTask {
			reasons = append(reasons, target(Reason{Rule: "unknown-task", Task: i + 1, TaskType: t.Type}))
			continue
		}
		all := true
		for _, p := range perms[:n] {
			r := e.computerReason(p)
			all = all && r.Allow
			if !decided[p] {
				decided[p] = true
				reasons = append(reasons, r)
			}
		}
		if det != detailKnown {
			r := target(Reason{Rule: "missing-detail", Allow: all, Task: i + 1, TaskType: t.Type,
				Required: append([]int(nil), perms[:n]...), Detail: detailNames[det]})
			if t.PowerType != nil {
				r.DetailValue = *t.PowerType
			}
			r.DetailNote = t.DetailNote
			reasons = append(reasons, r)
		}
	}
	return reasons
}

func (e *Evaluator) computerReason(perm int) Reason {
	c := e.s.Computer
	if c.ID == 0 {
		return Reason{Rule: "unknown-computer", Permission: perm, PermissionName: PermissionName(perm),
			TargetKind: kindComputer.String(), TargetName: c.Name}
	}
	start := node{kindComputer, c.ID}
	return e.reason(perm, e.walk(perm, start, 0), start)
}

// reason turns a walk's outcome into its explanation.
func (e *Evaluator) reason(perm int, o outcome, target node) Reason {
	r := Reason{
		Rule: ruleNames[o.rule], Allow: o.allow, Permission: perm, PermissionName: PermissionName(perm),
		ObjectKind: o.level.kind.String(), ObjectID: o.level.id, ObjectName: e.name(o.level),
		TargetKind: target.kind.String(), TargetID: target.id, TargetName: e.name(target),
	}
	if o.winner >= 0 {
		p := e.s.Principals[o.winner]
		r.Principal, r.PrincipalKind = p.Name, p.Kind
	}
	if o.loser >= 0 {
		p := e.s.Principals[o.loser]
		r.Overruled, r.OverruledKind = p.Name, p.Kind
	}
	return r
}

func (e *Evaluator) name(n node) string {
	switch n.kind {
	case kindJob:
		if j := e.job(n.id); j != nil {
			return j.Name
		}
	case kindFolder:
		return e.s.Folders[n.id].Name
	case kindComputer:
		if n.id == e.s.Computer.ID {
			return e.s.Computer.Name
		}
	case kindGroup:
		if g, ok := e.s.ComputerGroups[n.id]; ok {
			return g.Name
		}
		if n.id == model.NewComputersGroupID {
			return "New Computers"
		}
	case kindAllComputers:
		return "All Computers"
	case kindAllJobs:
		return "All Jobs"
	}
	return ""
}

// Permission decides one permission on its own, with its explanation:
// "Schedule this job" (66) on a job of the snapshot, or a "Schedule <task>"
// permission on the snapshot's computer. It is the single question DS's
// wc_sel_security_permission answers, so doctor can compare the two.
func (e *Evaluator) Permission(perm int, objectID int64) Reason {
	var r Reason
	switch {
	case perm == model.PermScheduleJob:
		n := node{kindJob, objectID}
		r = e.reason(perm, e.walk(perm, n, 0), n)
	case objectID == e.s.Computer.ID:
		r = e.computerReason(perm)
	default:
		return Reason{Rule: "unknown-object", Permission: perm, PermissionName: PermissionName(perm), TargetID: objectID}
	}
	switch {
	case !e.s.SecurityOn:
		return Reason{Rule: "security-off", Allow: true, Permission: perm, PermissionName: PermissionName(perm)}
	case e.admin >= 0:
		p := e.s.Principals[e.admin]
		return Reason{Rule: "administrative", Allow: true, Permission: model.RightAdministrative,
			PermissionName: PermissionName(model.RightAdministrative), Principal: p.Name, PrincipalKind: p.Kind,
			TargetKind: r.TargetKind, TargetID: r.TargetID, TargetName: r.TargetName}
	}
	return r
}
