package express

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"github.com/imageinvoker/imageinvoker/pkg/access"
	"github.com/imageinvoker/imageinvoker/pkg/dscipher"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// SnapshotOptions are model.SnapshotOptions, under the name this package
// has always used; Snapshot speaks the model's.
type SnapshotOptions = model.SnapshotOptions

const (
	defaultRootFolder = "ImageInvoker"
	defaultTag        = "[imageinvoker]"
)

// Snapshot loads everything one menu decision needs for computer c and
// identity id in a fixed number of statements, whatever the number of jobs,
// folders or computers: principals (which also tells whether console
// security is on), folders, candidate jobs, their tasks, the computer's
// group chain and the matched principals' permission links.
func (s *Store) Snapshot(ctx context.Context, c model.Computer, id model.Identity, opts model.SnapshotOptions) (*model.Snapshot, error) {
	if opts.RootFolder == "" {
		opts.RootFolder = defaultRootFolder
	}
	if opts.Tag == "" {
		opts.Tag = defaultTag
	}
	if err := s.ready(ctx); err != nil {
		return nil, err
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
		snap.SecurityOn = s.securityOn(opts.ConsoleSecurity, exist)
	default:
		return nil, fmt.Errorf("console security %q: must be auto, on or off", opts.ConsoleSecurity)
	}

	err := s.eachNode(ctx, n, s.q.folders, nil, func(id, parent int64, name string) {
		snap.Folders[id] = model.Folder{ID: id, ParentID: parent, Name: name}
	})
	if err != nil {
		return nil, s.classify("load job folders", err)
	}
	snap.RootFolderID = findRootFolder(snap.Folders, opts.RootFolder)

	args := candidateArgs(snap.RootFolderID, opts.Tag)
	loaded := map[int64]*model.Job{} // candidates and, with the table, every handler job
	var edges [][2]int64
	err = s.each(ctx, s.db, n, s.q.candidateJobs, args, func(rows *sql.Rows) error {
		var kind, id, folder, cand nullInt
		var name, desc nullText
		if err := rows.Scan(&kind, &id, &name, &folder, &desc, &cand); err != nil {
			return err
		}
		if kind.V == 2 {
			if folder.Valid && folder.V != 0 {
				edges = append(edges, [2]int64{id.V, folder.V}) // the handler rides in the folder column
			}
			return nil
		}
		j := &model.Job{ID: id.V, Name: name.S, FolderID: folder.V, Description: desc.S}
		loaded[j.ID] = j
		if cand.V != 0 {
			snap.Jobs[j.ID] = j
		}
		return nil
	})
	if err != nil {
		return nil, s.classify("load candidate jobs", err)
	}
	if len(loaded) > 0 {
		if err := s.each(ctx, s.db, n, s.q.candidateTasks, args, taskCollector(loaded)); err != nil {
			return nil, s.classify("load job tasks", err)
		}
		if err := s.resolveImageTypes(ctx, s.db, n, loaded); err != nil {
			return nil, err
		}
	}
	if len(snap.Jobs) > 0 {
		if s.q.handlersOf != "" {
			snap.HandlerJobs = handlerJobs(snap.Jobs, loaded, edges)
		} else if snap.HandlerJobs, err = s.loadHandlers(ctx, s.db, n, snap.Jobs); err != nil {
			return nil, err
		}
	}

	if c.GroupID != 0 {
		args := []any{sql.Named("groupId", c.GroupID), sql.Named("maxDepth", maxTreeDepth)}
		err = s.eachNode(ctx, n, s.q.groupChain, args, func(id, parent int64, name string) {
			snap.ComputerGroups[id] = model.ComputerGroup{ID: id, ParentID: parent, Name: name}
		})
		if err != nil {
			return nil, s.classify("load computer groups", err)
		}
	}

	if snap.SecurityOn && len(snap.Principals) > 0 {
		if err := s.loadLinks(ctx, s.db, n, snap); err != nil {
			return nil, err
		}
	}
	return snap, nil
}

// securityOn decides whether DS console security applies. "on" always;
// otherwise DS's own switch where its wc_sel_security_state answered, and
// where it did not, on exactly when DS has console users or groups.
func (s *Store) securityOn(mode string, exist bool) bool {
	if mode == "on" {
		return true
	}
	// DS's own switch decides, read as DS's client reads it
	// (docs/ds-schema.md); "off" while DS has console users or groups is
	// doctor's warning (Schema.Security.Warning), not overruled here.
	if st := s.schema.Security; st.Known {
		return st.On
	}
	return exist
}

// loadPrincipals reads every console user and group (and DS-native groups'
// members) in one statement, decrypts the user names and keeps what
// access.MatchPrincipals matches; it reports whether any exist at all.
func (s *Store) loadPrincipals(ctx context.Context, n *int, id model.Identity, snap *model.Snapshot) (bool, error) {
	all, members, err := s.consolePrincipals(ctx, s.db, n)
	if err != nil {
		return false, err
	}
	snap.Principals, snap.Notes, err = s.match(ctx, s.db, n, all, members, id)
	if err != nil {
		return false, err
	}
	if s.schema.RightsSource() != RightsTable {
		if err := s.setAdmins(ctx, s.db, n, snap); err != nil {
			return false, err
		}
	}
	return len(all) > 0, nil
}

// setAdmins reads the matched principals' Administrative right where the
// principals statement could not (no rights table), noting when nothing
// can tell.
func (s *Store) setAdmins(ctx context.Context, q querier, n *int, snap *model.Snapshot) error {
	admins, note, err := s.admins(ctx, q, n, snap.Principals)
	if err != nil {
		return err
	}
	for i := range snap.Principals {
		snap.Principals[i].Admin = admins[snap.Principals[i].ID]
	}
	if note != "" {
		snap.Notes = append(snap.Notes, note)
	}
	return nil
}

// consolePrincipals reads every console user and group. members is nil when
// the database shows no membership table (DS-native groups then match nobody).
func (s *Store) consolePrincipals(ctx context.Context, q querier, n *int) ([]model.ConsolePrincipal, []model.Membership, error) {
	var all []model.ConsolePrincipal
	var members []model.Membership
	if s.schema.ident("members") != "" {
		members = []model.Membership{}
	}
	var args []any
	if s.schema.RightsSource() == RightsTable {
		args = []any{sql.Named("adminRight", model.RightAdministrative)}
	}
	err := s.each(ctx, q, n, s.q.principals, args, func(rows *sql.Rows) error {
		var kind, pid, ref nullInt
		var name, dns, nb, upn nullText
		if err := rows.Scan(&kind, &pid, &name, &dns, &nb, &ref, &upn); err != nil {
			return err
		}
		p := model.ConsolePrincipal{ID: pid.V, DNSDomain: strings.TrimSpace(dns.S), NetBIOSDomain: strings.TrimSpace(nb.S), Admin: ref.Valid}
		switch kind.V {
		case 1:
			p.Kind = model.ConsoleUser
			// A name that does not decrypt stays "", which matches nothing.
			p.Name, _ = dscipher.DecryptText(name.S)
			if upn.S != "" {
				p.UPN, _ = dscipher.DecryptText(upn.S)
			}
		case 2:
			p.Kind, p.Name = model.ConsoleGroup, name.S
		case 3:
			members = append(members, model.Membership{GroupID: pid.V, UserID: ref.V})
			return nil
		}
		all = append(all, p)
		return nil
	})
	if err != nil {
		return nil, nil, s.classify("load console users and groups", err)
	}
	return all, members, nil
}

// loadLinks reads the explicit entries of the matched principals, batching
// the principal list so no statement nears SQL Server's parameter limit.
func (s *Store) loadLinks(ctx context.Context, q querier, n *int, snap *model.Snapshot) error {
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
		err := s.each(ctx, q, n, t, append(fixed[:len(fixed):len(fixed)], prArgs...), func(rows *sql.Rows) error {
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

// eachNode reads the (id, parent, name) rows of a folder or computer group
// tree query and hands each to add.
func (s *Store) eachNode(ctx context.Context, n *int, q string, args []any, add func(id, parent int64, name string)) error {
	return s.each(ctx, s.db, n, q, args, func(rows *sql.Rows) error {
		var id, parent nullInt
		var name nullText
		if err := rows.Scan(&id, &parent, &name); err != nil {
			return err
		}
		add(id.V, parent.V, name.S)
		return nil
	})
}

// match is access.MatchPrincipals, with DS-native groups' members asked of
// DS when no member table is visible: result set 2 of wc_sel_user (column
// group_id) for each matched console user, as DS's SecurityUser::Load reads
// it. Result set 1 carries the user's password: it is never read.
func (s *Store) match(ctx context.Context, q querier, n *int, all []model.ConsolePrincipal, members []model.Membership, id model.Identity) ([]model.Principal, []string, error) {
	matched, notes := access.MatchPrincipals(all, members, id)
	if members != nil || s.q.selUser == "" || s.dialect != DialectSQLServer {
		return matched, notes, nil
	}
	members = []model.Membership{}
	for _, p := range matched {
		if p.Kind != model.ConsoleUser {
			continue
		}
		groups, err := s.userGroups(ctx, q, n, p.ID)
		if err != nil {
			return nil, nil, err
		}
		for _, g := range groups {
			members = append(members, model.Membership{GroupID: g, UserID: p.ID})
		}
	}
	matched, notes = access.MatchPrincipals(all, members, id)
	return matched, notes, nil
}

// userGroups is result set 2 of wc_sel_user for one console user.
func (s *Store) userGroups(ctx context.Context, q querier, n *int, user int64) ([]int64, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	s.statements.Add(1)
	if n != nil {
		*n++
	}
	rows, err := q.QueryContext(ctx, s.q.selUser, sql.Named("user", int32(user)))
	if err != nil {
		return nil, s.classify("ask DS for a console user's groups", err)
	}
	defer rows.Close()
	var out []int64
	if rows.NextResultSet() { // past the user row, unread
		for rows.Next() {
			v, err := scanColumn(rows, "group_id")
			if err != nil {
				return nil, s.classify("ask DS for a console user's groups", err)
			}
			if v.Valid {
				out = append(out, v.V)
			}
		}
	}
	return out, s.classify("ask DS for a console user's groups", rows.Err())
}
