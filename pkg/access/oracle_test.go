package access_test

// An oracle for several principals, written from the Admin Guide's rules as
// docs/ds-schema.md ("Console security rules") states them and from nothing
// in pkg/access: this file is in another package, reads only pkg/model's
// plain types, and spells every permission and object id as the document
// does. pkg/access is only asked for its answers (Allowed, Decide).
//
//	rule 1  the Administrative right of the user or any of its groups allows everything;
//	rule 2  look at the object, then its parent, up to the root; the first level
//	        with an explicit entry of the identity decides;
//	rule 3  at that level the user's own entry, if any, decides;
//	rule 4  else the identity's groups' entries there decide, deny winning;
//	rule 5  no entry anywhere denies;
//	rule 6  job J on computer C needs 66 on J and every task's permission on C;
//	rule 7  console security off allows everything.
//
// The worlds are the ones those rules speak of: acyclic trees with every
// parent known, one row per (permission, principal, object), known task
// types. What pkg/access adds to fail closed beyond them (cycles, rows not
// loaded, unknown tasks) is checked elsewhere (property_test.go).

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/imageinvoker/imageinvoker/pkg/access"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// jobRoots are the levels a job's walk visits above its top folder, in
// order: DS's virtual "All Jobs" folder (-10), as All Computers (-1) is for
// computers (docs/ds-schema.md, "All Jobs"). The worlds put entries on it
// too.
var jobRoots = []int64{-10}

// computerRoots are the levels above a computer's top group: All Computers (-1).
var computerRoots = []int64{-1}

const (
	scheduleThisJob = 66
	administrative  = 1
)

// required is rule 6's table, as written in docs/ds-schema.md: task type →
// the "Schedule <task>" permissions it needs on the computer. A detail that
// cannot be known requires every permission it could need.
func required(t model.Task) []int {
	switch t.Type {
	case 10:
		return []int{48}
	case 11:
		if t.PowerType != nil {
			switch *t.PowerType {
			case 1:
				return []int{51}
			case 2:
				return []int{50}
			case 8:
				return []int{52}
			case 64:
				return []int{53}
			}
		}
		return []int{50, 51, 52, 53}
	case 12:
		return []int{47}
	case 13:
		return []int{45, 46}
	case 14:
		return []int{41}
	case 15:
		if t.CreateImage == nil {
			return []int{39, 40}
		}
		if *t.CreateImage {
			return []int{39}
		}
		return []int{40}
	case 16:
		return []int{42}
	case 17:
		return []int{49}
	case 18:
		return []int{43, 44}
	case 19:
		return []int{64}
	}
	panic(fmt.Sprint("task type outside the rules: ", t.Type))
}

// world is a snapshot seen the oracle's way.
type world struct {
	s       *model.Snapshot
	mine    map[int64]model.PrincipalKind // the identity's principals: its user entries and its groups
	entries map[[2]int64][]entry          // (permission, object) → the explicit entries there
	// what came up, so a harness that never exercises a rule is noticed
	stats map[string]int
}

type entry struct {
	principal int64
	allow     bool
}

func newWorld(s *model.Snapshot) *world {
	w := &world{s: s, mine: map[int64]model.PrincipalKind{}, entries: map[[2]int64][]entry{}, stats: map[string]int{}}
	for _, p := range s.Principals {
		w.mine[p.ID] = p.Kind
	}
	for _, l := range s.Links {
		k := [2]int64{int64(l.PermissionID), l.ObjectID}
		w.entries[k] = append(w.entries[k], entry{l.PrincipalID, l.Allow})
	}
	return w
}

// jobLevels is rule 2's walk for a job: the job, its folder, that folder's
// parents to the top, then jobRoots.
func (w *world) jobLevels(j *model.Job) []int64 {
	levels := []int64{j.ID}
	for f := j.FolderID; f != 0; f = w.s.Folders[f].ParentID {
		levels = append(levels, f)
	}
	return append(levels, jobRoots...)
}

// computerLevels is rule 2's walk for the computer: the computer, its group,
// that group's parents to the top, then computerRoots. A computer in no
// group (0) or in All Computers itself sits right under All Computers.
func (w *world) computerLevels() []int64 {
	c := w.s.Computer
	levels := []int64{c.ID}
	for g := c.GroupID; g != 0 && !slices.Contains(computerRoots, g); g = w.s.ComputerGroups[g].ParentID {
		levels = append(levels, g)
	}
	return append(levels, computerRoots...)
}

// decide is rules 2–5 for one permission over a walk's levels.
func (w *world) decide(perm int, levels []int64) bool {
	for _, obj := range levels {
		var users, groups []bool
		for _, e := range w.entries[[2]int64{int64(perm), obj}] {
			switch kind, ok := w.mine[e.principal]; {
			case !ok: // someone else's entry
			case kind == model.ConsoleUser:
				users = append(users, e.allow)
			default:
				groups = append(groups, e.allow)
			}
		}
		switch {
		case len(users) > 0: // rule 3: the user's own entry decides
			if len(groups) > 0 && allOf(users) != allOf(groups) {
				w.stats["user beats groups"]++
			}
			// The same person may match two console users (with and
			// without a domain); the rules do not say, so deny wins there
			// too, as among groups.
			return allOf(users)
		case len(groups) > 0: // rule 4: deny wins among the groups
			if slices.Contains(groups, true) && slices.Contains(groups, false) {
				w.stats["deny beats allow"]++
			}
			if obj != levels[0] {
				w.stats["decided above the object"]++
			}
			return allOf(groups)
		}
	}
	w.stats["no entry"]++
	return false // rule 5
}

func allOf(allows []bool) bool { return !slices.Contains(allows, false) }

// allowed is the whole decision for one job on the world's computer.
func (w *world) allowed(jobID int64) bool {
	if !w.s.SecurityOn { // rule 7
		return true
	}
	for _, p := range w.s.Principals { // rule 1
		if p.Admin {
			return true
		}
	}
	j := w.s.Jobs[jobID]
	if !w.decide(scheduleThisJob, w.jobLevels(j)) {
		return false
	}
	for _, t := range j.Tasks { // rule 6
		for _, perm := range required(t) {
			if !w.decide(perm, w.computerLevels()) {
				return false
			}
		}
	}
	return true
}

// oracleWorld builds a random world with one user (sometimes a second
// console user of the same person), several groups, and entries of them at
// several levels of both trees, often several on one object so rules 3 and
// 4 meet; other people's entries are mixed in.
func oracleWorld(r *rand.Rand) *model.Snapshot {
	s := &model.Snapshot{
		SecurityOn:     r.IntN(40) != 0,
		Folders:        map[int64]model.Folder{},
		Jobs:           map[int64]*model.Job{},
		ComputerGroups: map[int64]model.ComputerGroup{},
	}
	nFolders, nGroups, nJobs := 1+r.IntN(12), 1+r.IntN(6), 1+r.IntN(20)
	parent := func(i int, base int64) int64 { // acyclic: a parent has a smaller index
		if i == 0 || r.IntN(4) == 0 {
			return 0
		}
		return base + int64(r.IntN(i))
	}
	for i := range nFolders {
		id := 1000001 + int64(i)
		s.Folders[id] = model.Folder{ID: id, ParentID: parent(i, 1000001), Name: fmt.Sprint("folder ", i)}
	}
	for i := range nGroups {
		id := 1 + int64(i)
		s.ComputerGroups[id] = model.ComputerGroup{ID: id, ParentID: parent(i, 1), Name: fmt.Sprint("group ", i)}
	}
	for i := range nJobs {
		id := 2000001 + int64(i)
		j := &model.Job{ID: id, Name: fmt.Sprint("job ", i)}
		if r.IntN(6) != 0 {
			j.FolderID = 1000001 + int64(r.IntN(nFolders))
		}
		for range r.IntN(3) {
			t := model.Task{Type: 10 + r.IntN(10)}
			switch {
			case t.Type == 11 && r.IntN(5) != 0:
				pt := []int{1, 2, 8, 64, 3}[r.IntN(5)]
				t.PowerType = &pt
			case t.Type == 15 && r.IntN(5) != 0:
				ci := r.IntN(2) == 0
				t.CreateImage = &ci
			}
			j.Tasks = append(j.Tasks, t)
		}
		s.Jobs[id] = j
	}
	s.Computer = model.Computer{ID: 5000001, Name: "PC", GroupID: []int64{0, -1, 1 + int64(r.IntN(nGroups))}[min(r.IntN(5), 2)]}

	// The identity: its user, at times a second console user of the same
	// person, and two to six groups; rarely one holds the Administrative right.
	s.Principals = append(s.Principals, model.Principal{ID: 14000001, Name: `LAB\u`, Kind: model.ConsoleUser})
	if r.IntN(8) == 0 {
		s.Principals = append(s.Principals, model.Principal{ID: 14000002, Name: `u`, Kind: model.ConsoleUser})
	}
	for i := range 2 + r.IntN(5) {
		s.Principals = append(s.Principals, model.Principal{ID: 15000001 + int64(i), Name: fmt.Sprint(`LAB\g`, i), Kind: model.ConsoleGroup})
	}
	if r.IntN(30) == 0 {
		s.Principals[r.IntN(len(s.Principals))].Admin = true
	}
	var ids []int64
	for _, p := range s.Principals {
		ids = append(ids, p.ID)
	}
	ids = append(ids, 14000009, 15000009) // someone else, and a group the identity is not in

	jobObjects := append([]int64(nil), jobRoots...)
	for id := range s.Jobs {
		jobObjects = append(jobObjects, id)
	}
	for id := range s.Folders {
		jobObjects = append(jobObjects, id)
	}
	compObjects := append([]int64{5000001}, computerRoots...)
	for id := range s.ComputerGroups {
		compObjects = append(compObjects, id)
	}
	slices.Sort(jobObjects) // map order must not reach the generator
	slices.Sort(compObjects)
	taken := map[[3]int64]bool{} // one row per (permission, principal, object): the table's key
	put := func(perm int, obj int64) {
		for range 1 + r.IntN(4) { // often several principals on one object
			p := ids[r.IntN(len(ids))]
			if k := [3]int64{int64(perm), p, obj}; !taken[k] {
				taken[k] = true
				s.Links = append(s.Links, model.Link{PermissionID: perm, PrincipalID: p, ObjectID: obj, Allow: r.IntN(3) != 0})
			}
		}
	}
	for range r.IntN(len(jobObjects) + 2) {
		put(scheduleThisJob, jobObjects[r.IntN(len(jobObjects))])
	}
	perms := []int{39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 64}
	for _, perm := range perms {
		for range r.IntN(len(compObjects) + 1) {
			put(perm, compObjects[r.IntN(len(compObjects))])
		}
	}
	// A few entries outside the permissions any decision asks about.
	put(administrative, 0)
	return s
}

// TestMultiPrincipalOracle compares pkg/access with the oracle on random
// worlds of several principals. A planted bug in pkg/access's rules (rule 3
// and rule 4 swapped, deny no longer beating allow, a level's entry not
// ending the walk, the Administrative right ignored) fails it.
func TestMultiPrincipalOracle(t *testing.T) {
	r := rand.New(rand.NewPCG(22, 2026))
	checked, allowed := 0, 0
	stats := map[string]int{}
	for n := range 4000 {
		s := oracleWorld(r)
		w := newWorld(s)
		e := access.New(s)
		for id := range s.Jobs {
			want := w.allowed(id)
			d := e.Decide(id)
			if d.Allowed != want || e.Allowed(id) != want {
				t.Fatalf("world %d, job %d: pkg/access says Decide %v, Allowed %v; the Admin Guide's rules say %v\n%s",
					n, id, d.Allowed, e.Allowed(id), want, describe(s, d))
			}
			checked++
			if want {
				allowed++
			}
		}
		for k, v := range w.stats {
			stats[k] += v
		}
	}
	if allowed < checked/20 || allowed > checked*19/20 {
		t.Fatalf("degenerate worlds: %d of %d jobs allowed", allowed, checked)
	}
	// Every rule must have decided something, or the worlds do not test it.
	for _, k := range []string{"user beats groups", "deny beats allow", "decided above the object", "no entry"} {
		if stats[k] < 50 {
			t.Errorf("%q came up %d times in %d decisions: the worlds do not exercise it", k, stats[k], checked)
		}
	}
	t.Logf("%d jobs, %d allowed; %v", checked, allowed, stats)
}

// describe prints a failing world small enough to read.
func describe(s *model.Snapshot, d access.Decision) string {
	out := fmt.Sprintf("security on %v, computer %d in group %d\n", s.SecurityOn, s.Computer.ID, s.Computer.GroupID)
	for _, p := range s.Principals {
		out += fmt.Sprintf("  principal %d %v admin=%v\n", p.ID, p.Kind, p.Admin)
	}
	if j := s.Jobs[d.JobID]; j != nil {
		out += fmt.Sprintf("  job %d in folder %d, tasks %+v\n", j.ID, j.FolderID, j.Tasks)
		for f := j.FolderID; f != 0; f = s.Folders[f].ParentID {
			out += fmt.Sprintf("  folder %d parent %d\n", f, s.Folders[f].ParentID)
		}
	}
	for g := s.Computer.GroupID; g > 0; g = s.ComputerGroups[g].ParentID {
		out += fmt.Sprintf("  group %d parent %d\n", g, s.ComputerGroups[g].ParentID)
	}
	for _, l := range s.Links {
		out += fmt.Sprintf("  link perm %d principal %d object %d allow %v\n", l.PermissionID, l.PrincipalID, l.ObjectID, l.Allow)
	}
	for _, r := range d.Reasons {
		out += fmt.Sprintf("  reason %+v\n", r)
	}
	return out
}
