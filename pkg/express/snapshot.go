package express

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"github.com/imageinvoker/imageinvoker/pkg/access"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// SnapshotOptions choose which jobs are menu candidates and how console
// security is detected.
type SnapshotOptions struct {
	RootFolder      string // default "ImageInvoker": a folder of this name (case-insensitive), top level preferred
	Tag             string // default "[imageinvoker]", matched case-insensitively in event.description
	ConsoleSecurity string // "auto" (on when securityuser or securitygroup has rows), "on", "off"
}

const (
	defaultRootFolder = "ImageInvoker"
	defaultTag        = "[imageinvoker]"
)

// matchPrincipal decides whether a console user or group is the identity.
// One function for the whole product, because DS may store user names in
// its own reversible encoding (domain.md §1): the decoder lives there.
var matchPrincipal = access.Matches

// Snapshot loads everything one menu decision needs for computer c and
// identity id in a fixed number of statements, whatever the number of jobs,
// folders or computers: principals (which also tells whether console
// security is on), folders, candidate jobs, their tasks, the computer's
// group chain and the matched principals' permission links.
func (s *Store) Snapshot(ctx context.Context, c model.Computer, id model.Identity, opts SnapshotOptions) (*model.Snapshot, error) {
	if opts.RootFolder == "" {
		opts.RootFolder = defaultRootFolder
	}
	if opts.Tag == "" {
		opts.Tag = defaultTag
	}
	snap := &model.Snapshot{Computer: c, Folders: map[int64]model.Folder{}, Jobs: map[int64]*model.Job{}, ComputerGroups: map[int64]model.ComputerGroup{}}
	n := &snap.Statements

	switch strings.ToLower(opts.ConsoleSecurity) {
	case "off":
		snap.SecurityOn = false
	case "on", "auto", "":
		exist, err := s.loadPrincipals(ctx, n, id, snap)
		if err != nil {
			return nil, err
		}
		snap.SecurityOn = opts.ConsoleSecurity == "on" || exist
	default:
		return nil, fmt.Errorf("console security %q: must be auto, on or off", opts.ConsoleSecurity)
	}

	err := s.each(ctx, s.db, n, s.q.folders, nil, func(rows *sql.Rows) error {
		var fid, parent nullInt
		var name nullText
		if err := rows.Scan(&fid, &parent, &name); err != nil {
			return err
		}
		snap.Folders[fid.V] = model.Folder{ID: fid.V, ParentID: parent.V, Name: name.S}
		return nil
	})
	if err != nil {
		return nil, s.classify("load job folders", err)
	}
	snap.RootFolderID = findRootFolder(snap.Folders, opts.RootFolder)

	args := candidateArgs(snap.RootFolderID, opts.Tag)
	err = s.each(ctx, s.db, n, s.q.candidateJobs, args, func(rows *sql.Rows) error {
		j, err := scanJob(rows)
		if err == nil {
			snap.Jobs[j.ID] = j
		}
		return err
	})
	if err != nil {
		return nil, s.classify("load candidate jobs", err)
	}
	if len(snap.Jobs) > 0 {
		if err := s.each(ctx, s.db, n, s.q.candidateTasks, args, taskCollector(snap.Jobs)); err != nil {
			return nil, s.classify("load job tasks", err)
		}
	}

	if c.GroupID != 0 {
		err = s.each(ctx, s.db, n, s.q.groupChain, []any{sql.Named("groupId", c.GroupID), sql.Named("maxDepth", maxTreeDepth)}, func(rows *sql.Rows) error {
			var gid, parent nullInt
			var name nullText
			if err := rows.Scan(&gid, &parent, &name); err != nil {
				return err
			}
			snap.ComputerGroups[gid.V] = model.ComputerGroup{ID: gid.V, ParentID: parent.V, Name: name.S}
			return nil
		})
		if err != nil {
			return nil, s.classify("load computer groups", err)
		}
	}

	if snap.SecurityOn && len(snap.Principals) > 0 {
		if err := s.loadLinks(ctx, n, snap); err != nil {
			return nil, err
		}
	}
	return snap, nil
}

// loadPrincipals reads every console user and group in one statement and
// keeps those matching the identity; it reports whether any exist at all
// (DS console security is on exactly when it has users or groups).
func (s *Store) loadPrincipals(ctx context.Context, n *int, id model.Identity, snap *model.Snapshot) (bool, error) {
	var exist bool
	seen := map[int64]int{}
	err := s.each(ctx, s.db, n, s.q.principals, []any{sql.Named("adminRight", model.RightAdministrative)}, func(rows *sql.Rows) error {
		var kind, pid, right nullInt
		var name nullText
		if err := rows.Scan(&kind, &pid, &name, &right); err != nil {
			return err
		}
		exist = true
		k := model.ConsoleUser
		if kind.V == 2 {
			k = model.ConsoleGroup
		}
		if !matchPrincipal(k, name.S, id) {
			return nil
		}
		if i, ok := seen[pid.V]; ok { // a duplicate right row: keep one principal
			snap.Principals[i].Admin = snap.Principals[i].Admin || right.Valid
			return nil
		}
		seen[pid.V] = len(snap.Principals)
		snap.Principals = append(snap.Principals, model.Principal{ID: pid.V, Name: name.S, Kind: k, Admin: right.Valid})
		return nil
	})
	if err != nil {
		return false, s.classify("load console users and groups", err)
	}
	return exist, nil
}

// loadLinks reads the explicit entries of the matched principals, batching
// the principal list so no statement nears SQL Server's parameter limit.
func (s *Store) loadLinks(ctx context.Context, n *int, snap *model.Snapshot) error {
	ids := make([]int64, len(snap.Principals))
	for i, p := range snap.Principals {
		ids[i] = p.ID
	}
	var perms []int
	for _, p := range model.SchedulePermissionIDs {
		if p != model.PermScheduleJob {
			perms = append(perms, p)
		}
	}
	objects := []int64{snap.Computer.ID, model.AllComputersGroupID}
	if snap.Computer.GroupID != 0 {
		objects = append(objects, snap.Computer.GroupID)
	}
	for gid := range snap.ComputerGroups {
		objects = append(objects, gid)
	}
	sort.Slice(objects, func(i, j int) bool { return objects[i] < objects[j] })
	objects = dedupeInts(objects)

	text, permArgs := withInList(s.q.links, "pe", perms)
	text, objArgs := withInList(text, "ob", objects)
	fixed := append([]any{sql.Named("permJob", model.PermScheduleJob)}, append(permArgs, objArgs...)...)
	for _, part := range chunks(ids, maxInList) {
		t, prArgs := withInList(text, "pr", part)
		err := s.each(ctx, s.db, n, t, append(fixed[:len(fixed):len(fixed)], prArgs...), func(rows *sql.Rows) error {
			var perm, user, obj, allow nullInt
			if err := rows.Scan(&perm, &user, &obj, &allow); err != nil {
				return err
			}
			snap.Links = append(snap.Links, model.Link{PermissionID: int(perm.V), PrincipalID: user.V, ObjectID: obj.V, Allow: allow.Valid && allow.V != 0})
			return nil
		})
		if err != nil {
			return s.classify("load permission links", err)
		}
	}
	return nil
}

func dedupeInts(v []int64) []int64 {
	out := v[:0]
	for i, x := range v {
		if i == 0 || x != v[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// findRootFolder picks the menu root: a folder named name (case-
// insensitive), the one nearest the top of the tree, lowest id on a tie.
func findRootFolder(folders map[int64]model.Folder, name string) int64 {
	best, bestDepth := int64(0), -1
	for id, f := range folders {
		if !strings.EqualFold(strings.TrimSpace(f.Name), name) {
			continue
		}
		d := folderDepth(folders, id)
		if best == 0 || d < bestDepth || (d == bestDepth && id < best) {
			best, bestDepth = id, d
		}
	}
	return best
}

func folderDepth(folders map[int64]model.Folder, id int64) int {
	d := 0
	for f, ok := folders[id]; ok && f.ParentID != 0 && d < maxTreeDepth; f, ok = folders[f.ParentID] {
		d++
	}
	return d
}

// candidateArgs binds the candidate predicate. The tag matches as written
// ("[imageinvoker]") and in its friendly-name form ("[imageinvoker: Name]").
func candidateArgs(root int64, tag string) []any {
	tag = strings.ToLower(strings.TrimSpace(tag))
	named := strings.TrimSuffix(tag, "]") + ":"
	return []any{
		sql.Named("root", root),
		sql.Named("maxDepth", maxTreeDepth),
		sql.Named("tagPlain", "%"+likeEscape(tag)+"%"),
		sql.Named("tagNamed", "%"+likeEscape(named)+"%"),
	}
}

// likeEscape makes s literal in a LIKE pattern with ESCAPE '\'. T-SQL also
// treats '[' as the start of a character class, so it is escaped too.
func likeEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`, `[`, `\[`)
	return r.Replace(s)
}
