package access

import "github.com/imageinvoker/imageinvoker/pkg/model"

// maxLevels bounds every walk up a tree. DS allows 30 folder levels; anything
// deeper than this is corrupt data, and corrupt data denies.
const maxLevels = 64

type objKind uint8

const (
	kindJob objKind = iota + 1
	kindFolder
	kindComputer
	kindGroup
	kindAllComputers
	kindAllJobs
)

func (k objKind) String() string {
	switch k {
	case kindJob:
		return "job"
	case kindFolder:
		return "job folder"
	case kindComputer:
		return "computer"
	case kindGroup:
		return "computer group"
	case kindAllComputers:
		return "All Computers"
	case kindAllJobs:
		return "All Jobs"
	}
	return "object"
}

// node is one level of a walk: an object that may hold permission links.
type node struct {
	kind objKind
	id   int64
}

// step is where a walk goes after a level without an entry.
type step uint8

const (
	stepParent  step = iota // go on to the parent
	stepTop                 // the level was the root: no entry anywhere
	stepUnknown             // the level's own row was not loaded: its parent can't be known
)

// parent returns the level above n. Jobs climb job folders (`event.folder_id`,
// `event_folder.parent_id`, 0 = top) and end at All Jobs (-10); the computer
// climbs computer groups and ends at All Computers (-1).
func (e *Evaluator) parent(n node) (node, step) {
	switch n.kind {
	case kindJob:
		j := e.job(n.id)
		if j == nil {
			return node{}, stepUnknown
		}
		return folderNode(j.FolderID), stepParent
	case kindFolder:
		f, ok := e.s.Folders[n.id]
		if !ok {
			return node{}, stepUnknown
		}
		return folderNode(f.ParentID), stepParent
	case kindAllJobs:
		return node{}, stepTop
	case kindComputer:
		if n.id != e.s.Computer.ID {
			return node{}, stepUnknown
		}
		return groupNode(e.s.Computer.GroupID), stepParent
	case kindGroup:
		return e.groupParent(n.id)
	}
	return node{}, stepTop
}

// groupNode and groupParent hold the one UNVERIFIED decision about the top of
// the computer tree: DS draws "All Computers" (id -1) above every computer
// group and lets permissions be set on it, so a walk that leaves the top of
// the group tree (parent 0, or a computer with group 0) visits -1 as a last
// level before giving up. "New Computers" (-7) hangs under All Computers when
// the store did not load a row for it. If DS turns out not to treat -1 as a
// level, change these two functions and nothing else.
// folderNode is the job folder a job or folder hangs in: All Jobs (-10)
// above every top-level folder and top-level job (DS's Folder::Load(-10) is
// the folder AllJobs with parent 0).
func folderNode(id int64) node {
	if id == 0 || id == model.AllJobsFolderID {
		return node{kindAllJobs, model.AllJobsFolderID}
	}
	return node{kindFolder, id}
}

func groupNode(id int64) node {
	if id == 0 || id == model.AllComputersGroupID {
		return node{kindAllComputers, model.AllComputersGroupID}
	}
	return node{kindGroup, id}
}

func (e *Evaluator) groupParent(id int64) (node, step) {
	g, ok := e.s.ComputerGroups[id]
	if !ok {
		if id == model.NewComputersGroupID {
			return groupNode(0), stepParent
		}
		return node{}, stepUnknown
	}
	return groupNode(g.ParentID), stepParent
}

// outcome is what a walk found, kept small and allocation-free so Allowed can
// use it on 10,000 jobs; Decide turns it into a Reason.
type outcome struct {
	rule   rule
	allow  bool
	level  node  // the level that decided, or where the walk stopped
	winner int32 // principal index of the deciding entry, -1 when none
	loser  int32 // principal index of an overruled entry, -1 when none
}

type rule uint8

const (
	ruleExplicit rule = iota + 1
	ruleUserBeatsGroup
	ruleDenyBeatsAllow
	ruleDefaultDeny
	ruleCycle
	ruleTooDeep
	ruleUnknownParent
)

var ruleNames = [...]string{
	ruleExplicit:       "explicit",
	ruleUserBeatsGroup: "user-beats-group",
	ruleDenyBeatsAllow: "deny-beats-allow",
	ruleDefaultDeny:    "default-deny",
	ruleCycle:          "cycle",
	ruleTooDeep:        "too-deep",
	ruleUnknownParent:  "unknown-parent",
}

// walk answers one permission for one object (docs/ds-schema.md rules 2–5):
// the first level from start upward that holds an entry of a matched
// principal decides; depth is the number of levels already below start.
func (e *Evaluator) walk(perm int, start node, depth int) outcome {
	var seen [maxLevels]node
	n := 0
	cur := start
	for ; ; depth++ {
		if depth >= maxLevels {
			return outcome{rule: ruleTooDeep, level: cur, winner: -1, loser: -1}
		}
		for _, s := range seen[:n] {
			if s == cur {
				return outcome{rule: ruleCycle, level: cur, winner: -1, loser: -1}
			}
		}
		seen[n] = cur
		n++
		if entries := e.links[linkKey{perm, cur.id}]; len(entries) > 0 {
			o := e.level(entries)
			o.level = cur
			return o
		}
		next, st := e.parent(cur)
		switch st {
		case stepTop:
			return outcome{rule: ruleDefaultDeny, level: start, winner: -1, loser: -1}
		case stepUnknown:
			return outcome{rule: ruleUnknownParent, level: cur, winner: -1, loser: -1}
		}
		cur = next
	}
}

// level decides among the entries at one level: the user's own entry beats
// its groups' (rule 3), and deny beats allow among groups (rule 4). When
// several console users matched (the same name with and without a domain),
// deny beats allow among them too: that is the closed way to fail.
func (e *Evaluator) level(entries []entry) outcome {
	userAllow, userDeny, groupAllow, groupDeny := int32(-1), int32(-1), int32(-1), int32(-1)
	for _, en := range entries {
		isUser := e.s.Principals[en.principal].Kind == model.ConsoleUser
		switch {
		case isUser && en.allow && userAllow < 0:
			userAllow = en.principal
		case isUser && !en.allow && userDeny < 0:
			userDeny = en.principal
		case !isUser && en.allow && groupAllow < 0:
			groupAllow = en.principal
		case !isUser && !en.allow && groupDeny < 0:
			groupDeny = en.principal
		}
	}
	switch {
	case userDeny >= 0 && userAllow >= 0:
		return outcome{rule: ruleDenyBeatsAllow, allow: false, winner: userDeny, loser: userAllow}
	case userDeny >= 0 && groupAllow >= 0:
		return outcome{rule: ruleUserBeatsGroup, allow: false, winner: userDeny, loser: groupAllow}
	case userDeny >= 0:
		return outcome{rule: ruleExplicit, allow: false, winner: userDeny, loser: -1}
	case userAllow >= 0 && groupDeny >= 0:
		return outcome{rule: ruleUserBeatsGroup, allow: true, winner: userAllow, loser: groupDeny}
	case userAllow >= 0:
		return outcome{rule: ruleExplicit, allow: true, winner: userAllow, loser: -1}
	case groupDeny >= 0 && groupAllow >= 0:
		return outcome{rule: ruleDenyBeatsAllow, allow: false, winner: groupDeny, loser: groupAllow}
	case groupDeny >= 0:
		return outcome{rule: ruleExplicit, allow: false, winner: groupDeny, loser: -1}
	}
	return outcome{rule: ruleExplicit, allow: true, winner: groupAllow, loser: -1}
}
