package express

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/imageinvoker/imageinvoker/pkg/access"
	"github.com/imageinvoker/imageinvoker/pkg/dscipher"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// SnapshotOptions are model.SnapshotOptions, under the name this package
// has always used; Snapshot speaks the model's.
type SnapshotOptions = model.SnapshotOptions

// Statements' names (error sentences; Prefetch picks its two by them).
const (
	opPrincipals = "load console users and groups"
	opGroups     = "load computer groups"
)

const (
	defaultRootFolder = "ImageInvoker"
	defaultTag        = "[imageinvoker]"
)

// Snapshot loads everything one menu decision needs for computer c and
// identity id in a fixed number of round trips, whatever the number of
// jobs, folders or computers. On SQL Server that is two batches (fewer
// statements on SQLite, which runs the same texts one by one):
//
//  1. what does not depend on who signs in (commonStmts): console users and
//     groups (which also tells whether console security is on), folders,
//     candidate jobs with their tasks and return handlers, the computer's
//     group chain;
//  2. the matched principals' permission links (linkQuery), once the
//     principals are matched in Go.
//
// After Prefetch (the first batch read while the password is typed) the
// links go with a fresh read of the first batch, in one round trip; the
// decision is made on that fresh read (see Prefetch).
func (s *Store) Snapshot(ctx context.Context, c model.Computer, id model.Identity, opts model.SnapshotOptions) (*model.Snapshot, error) {
	opts = snapshotDefaults(opts)
	if err := checkSecurityMode(opts.ConsoleSecurity); err != nil {
		return nil, err
	}
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	snap := &model.Snapshot{Computer: c, Folders: map[int64]model.Folder{}, Jobs: map[int64]*model.Job{}, ComputerGroups: map[int64]model.ComputerGroup{}}
	n := &snap.Statements

	cm := newCommon()
	stmts := s.commonStmts(c, opts, cm)
	// The links the prefetched part says this identity needs, read with
	// the fresh one; used only if the fresh read says the same.
	var guess *linkQuery
	if pre := s.takePrefetch(c, opts); pre != nil && pre.withPrincipals {
		if matched, ok := s.matchLocal(pre.principals, pre.members, id); ok && len(matched) > 0 {
			guess = s.linkQueryFor(c, matched, pre.groups)
			stmts = append(stmts, guess.stmts(&snap.Links)...)
		}
	}
	if err := s.runBatch(ctx, s.db, n, stmts); err != nil {
		return nil, err
	}
	if err := s.finishCommon(ctx, n, opts, cm); err != nil {
		return nil, err
	}
	snap.Folders, snap.RootFolderID, snap.Jobs, snap.ComputerGroups = cm.folders, cm.root, cm.candidates, cm.groups

	if cm.withPrincipals {
		var err error
		snap.Principals, snap.Notes, err = s.match(ctx, s.db, n, cm.principals, cm.members, id)
		if err != nil {
			return nil, err
		}
		if s.schema.RightsSource() != RightsTable {
			if err := s.setAdmins(ctx, s.db, n, snap); err != nil {
				return nil, err
			}
		}
		snap.SecurityOn = s.securityOn(opts.ConsoleSecurity, len(cm.principals) > 0)
	}
	// DS's answers on image tasks (where no column tells create from
	// distribute) go with the links: both need only the first batch.
	tail := s.imageTypeStmts(cm.loaded)
	if len(snap.Jobs) > 0 {
		if s.q.handlersOf != "" {
			snap.HandlerJobs = handlerJobs(snap.Jobs, cm.loaded, cm.edges)
		} else {
			var err error
			if snap.HandlerJobs, err = s.loadHandlers(ctx, s.db, n, snap.Jobs); err != nil {
				return nil, err
			}
		}
	}

	if !snap.SecurityOn || len(snap.Principals) == 0 {
		snap.Links = nil
	} else if want := s.linkQueryFor(c, snap.Principals, snap.ComputerGroups); guess == nil || !guess.same(want) {
		snap.Links = nil
		tail = append(want.stmts(&snap.Links), tail...)
	}
	if err := s.runBatch(ctx, s.db, n, tail); err != nil {
		return nil, err
	}
	return snap, nil
}

func snapshotDefaults(opts model.SnapshotOptions) model.SnapshotOptions {
	if opts.RootFolder == "" {
		opts.RootFolder = defaultRootFolder
	}
	if opts.Tag == "" {
		opts.Tag = defaultTag
	}
	return opts
}

func checkSecurityMode(mode string) error {
	switch strings.ToLower(mode) {
	case "off", "on", "auto", "":
		return nil
	}
	return fmt.Errorf("console security %q: must be auto, on or off", mode)
}

// common is what a menu decision reads that does not depend on who signs
// in: the first batch.
type common struct {
	withPrincipals bool // console security is not "off": principals were read
	principals     []model.ConsolePrincipal
	members        []model.Membership
	folders        map[int64]model.Folder
	root           int64
	// loaded are the jobs read with their tasks: the candidates and, with
	// the table, every handler job; candidates those on the menu's list.
	loaded, candidates map[int64]*model.Job
	tagged             map[int64]bool
	edges              [][2]int64
	seeds              map[int64]bool // the subtrees' tops the candidates statement used
	groups             map[int64]model.ComputerGroup
}

func newCommon() *common {
	return &common{folders: map[int64]model.Folder{}, loaded: map[int64]*model.Job{}, candidates: map[int64]*model.Job{},
		tagged: map[int64]bool{}, seeds: map[int64]bool{}, groups: map[int64]model.ComputerGroup{}}
}

// commonStmts are the first batch's statements, reading into cm.
func (s *Store) commonStmts(c model.Computer, opts model.SnapshotOptions, cm *common) []stmt {
	var out []stmt
	if strings.ToLower(opts.ConsoleSecurity) != "off" {
		cm.withPrincipals = true
		out = append(out, s.principalStmt(&cm.principals, &cm.members))
	}
	out = append(out, s.folderStmt(cm.folders))
	out = append(out, s.candidateStmts(s.q.candidateJobs, s.q.candidateTasks,
		append(candidateArgs(opts.Tag), sql.Named("rootName", strings.ToLower(opts.RootFolder))), cm)...)
	if c.GroupID != 0 {
		args := []any{sql.Named("groupId", c.GroupID), sql.Named("maxDepth", maxTreeDepth)}
		out = append(out, stmt{op: opGroups, text: s.q.groupChain, args: args, row: nodeReader(func(id, parent int64, name string) {
			cm.groups[id] = model.ComputerGroup{ID: id, ParentID: parent, Name: name}
		})})
	}
	return out
}

func (s *Store) folderStmt(into map[int64]model.Folder) stmt {
	return stmt{op: "load job folders", text: s.q.folders, row: nodeReader(func(id, parent int64, name string) {
		into[id] = model.Folder{ID: id, ParentID: parent, Name: name}
	})}
}

// candidateStmts read the candidate jobs (with the return handlers where
// the table is visible) and their tasks into cm.
func (s *Store) candidateStmts(jobs, tasks string, args []any, cm *common) []stmt {
	readJob := func(rows *sql.Rows) error {
		var kind, id, folder, tagged nullInt
		var name, desc nullText
		if err := rows.Scan(&kind, &id, &name, &folder, &desc, &tagged); err != nil {
			return err
		}
		switch kind.V {
		case 2:
			if folder.Valid && folder.V != 0 {
				cm.edges = append(cm.edges, [2]int64{id.V, folder.V}) // the handler rides in the folder column
			}
		case 3:
			cm.seeds[id.V] = true
		default:
			cm.loaded[id.V] = &model.Job{ID: id.V, Name: name.S, FolderID: folder.V, Description: desc.S}
			cm.tagged[id.V] = tagged.V != 0
		}
		return nil
	}
	return []stmt{
		{op: "load candidate jobs", text: jobs, args: args, row: readJob},
		{op: "load job tasks", text: tasks, args: args, row: taskCollector(cm.loaded)},
	}
}

// finishCommon picks the root folder in Go (findRootFolder) and keeps the
// candidates: tagged, or in the root's subtree. The first batch read the
// subtrees of every folder SQL finds by the root's name; when Go's pick is
// not among them (a name only Go's comparison matches), the folders and the
// candidates are read again by the root's id, in one more round trip.
func (s *Store) finishCommon(ctx context.Context, n *int, opts model.SnapshotOptions, cm *common) error {
	for attempt := 0; ; attempt++ {
		cm.root = findRootFolder(cm.folders, opts.RootFolder)
		if cm.root == 0 || cm.seeds[cm.root] {
			break
		}
		if attempt == 2 {
			return s.classify("load candidate jobs", fmt.Errorf("the job folders changed while they were read (root folder %d)", cm.root))
		}
		root := cm.root
		*cm = common{withPrincipals: cm.withPrincipals, principals: cm.principals, members: cm.members, groups: cm.groups}
		fresh := newCommon()
		cm.folders, cm.loaded, cm.candidates, cm.tagged, cm.seeds = fresh.folders, fresh.loaded, fresh.candidates, fresh.tagged, fresh.seeds
		stmts := append([]stmt{s.folderStmt(cm.folders)}, s.candidateStmts(s.q.candidateJobsByID, s.q.candidateTasksByID,
			append(candidateArgs(opts.Tag), sql.Named("root", root)), cm)...)
		if err := s.runBatch(ctx, s.db, n, stmts); err != nil {
			return err
		}
	}
	sub := subtree(cm.folders, cm.root)
	handlers := map[int64]bool{}
	for _, e := range cm.edges {
		handlers[e[1]] = true
	}
	for id, j := range cm.loaded {
		switch {
		case cm.tagged[id] || sub[j.FolderID]:
			cm.candidates[id] = j
		case !handlers[id]:
			delete(cm.loaded, id) // under another folder of the root's name
		}
	}
	return nil
}

// subtree is the folders at most maxTreeDepth levels below root, root
// included, as the candidates statement's CTE walks them; none for 0.
func subtree(folders map[int64]model.Folder, root int64) map[int64]bool {
	out := map[int64]bool{}
	if root == 0 {
		return out
	}
	if _, ok := folders[root]; !ok {
		return out
	}
	children := map[int64][]int64{}
	for id, f := range folders {
		if f.ParentID != 0 {
			children[f.ParentID] = append(children[f.ParentID], id)
		}
	}
	out[root] = true
	level := []int64{root}
	for depth := 0; depth < maxTreeDepth && len(level) > 0; depth++ {
		var next []int64
		for _, id := range level {
			for _, ch := range children[id] {
				if !out[ch] {
					out[ch] = true
					next = append(next, ch)
				}
			}
		}
		level = next
	}
	return out
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

// principalStmt reads every console user and group (and DS-native groups'
// members) in one statement, decrypting the user names. members stays nil
// when the database shows no membership table (DS-native groups then match
// nobody, unless DS's wc_sel_user is asked: match).
func (s *Store) principalStmt(all *[]model.ConsolePrincipal, members *[]model.Membership) stmt {
	*all, *members = nil, nil
	if s.schema.ident("members") != "" {
		*members = []model.Membership{}
	}
	var args []any
	if s.schema.RightsSource() == RightsTable {
		args = []any{sql.Named("adminRight", model.RightAdministrative)}
	}
	return stmt{op: opPrincipals, text: s.q.principals, args: args, row: func(rows *sql.Rows) error {
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
			*members = append(*members, model.Membership{GroupID: pid.V, UserID: ref.V})
			return nil
		}
		*all = append(*all, p)
		return nil
	}}
}

// linkQuery is what the links statement asks: the explicit entries of these
// principals on these computer objects (and every "Schedule this job").
type linkQuery struct {
	s                   *Store
	principals, objects []int64
}

// linkQueryFor asks for the entries of principals on computer c, its group
// and the group chain.
func (s *Store) linkQueryFor(c model.Computer, principals []model.Principal, groups map[int64]model.ComputerGroup) *linkQuery {
	ids := make([]int64, len(principals))
	for i, p := range principals {
		ids[i] = p.ID
	}
	slices.Sort(ids)
	objects := []int64{c.ID, model.AllComputersGroupID}
	if c.GroupID != 0 {
		objects = append(objects, c.GroupID)
	}
	for gid := range groups {
		objects = append(objects, gid)
	}
	slices.Sort(objects)
	return &linkQuery{s: s, principals: slices.Compact(ids), objects: dedupeInts(objects)}
}

// same reports whether two link queries read the same rows.
func (lq *linkQuery) same(o *linkQuery) bool {
	return slices.Equal(lq.principals, o.principals) && slices.Equal(lq.objects, o.objects)
}

// stmts read the entries into links, the principal list cut so no
// statement nears SQL Server's parameter limit. "Schedule this job" (66)
// is set on jobs and folders, the per-task permissions on computers and
// groups, so the latter are limited to this computer and its chain.
func (lq *linkQuery) stmts(links *[]model.Link) []stmt {
	var perms []int
	for _, p := range model.SchedulePermissionIDs {
		if p != model.PermScheduleJob {
			perms = append(perms, p)
		}
	}
	text, permArgs := withInList(lq.s.q.links, "pe", perms)
	text, objArgs := withInList(text, "ob", lq.objects)
	fixed := append([]any{sql.Named("permJob", model.PermScheduleJob)}, append(permArgs, objArgs...)...)
	read := func(rows *sql.Rows) error {
		var perm, user, obj, allow nullInt
		if err := rows.Scan(&perm, &user, &obj, &allow); err != nil {
			return err
		}
		*links = append(*links, model.Link{PermissionID: int(perm.V), PrincipalID: user.V, ObjectID: obj.V, Allow: allow.Valid && allow.V != 0})
		return nil
	}
	var out []stmt
	for i, part := range chunks(lq.principals, maxInList) {
		prefix := "pr"
		if i > 0 { // one batch may carry several parts: their parameters differ
			prefix = fmt.Sprintf("pr%d_", i)
		}
		t, prArgs := withInListAs(text, "pr", prefix, part)
		out = append(out, stmt{op: "load permission links", text: t, args: append(fixed[:len(fixed):len(fixed)], prArgs...), row: read})
	}
	return out
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
func candidateArgs(tag string) []any {
	tag = strings.ToLower(strings.TrimSpace(tag))
	named := strings.TrimSuffix(tag, "]") + ":"
	return []any{
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

// nodeReader reads the (id, parent, name) rows of a folder or computer
// group tree query and hands each to add.
func nodeReader(add func(id, parent int64, name string)) func(*sql.Rows) error {
	return func(rows *sql.Rows) error {
		var id, parent nullInt
		var name nullText
		if err := rows.Scan(&id, &parent, &name); err != nil {
			return err
		}
		add(id.V, parent.V, name.S)
		return nil
	}
}

// matchLocal is match where it needs no statement (the members are known,
// or DS cannot be asked): ok is false where match would ask DS.
func (s *Store) matchLocal(all []model.ConsolePrincipal, members []model.Membership, id model.Identity) ([]model.Principal, bool) {
	if members == nil && s.q.selUser != "" && s.dialect == DialectSQLServer {
		return nil, false
	}
	matched, _ := access.MatchPrincipals(all, members, id)
	return matched, true
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
