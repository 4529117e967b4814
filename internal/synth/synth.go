// Package synth generates synthetic eXpress databases of a chosen size, for
// benchmarks and for checking the engine against the original add-on's
// per-object permission walk (baseline.go).
//
// The data is shaped like a large DS 6.9 site: a deep job folder tree, jobs
// of 1–4 tasks with their detail rows, a nested computer group tree (and a
// few computers in no group, under All Computers), console groups linked to
// AD groups, thousands of console users with names through the DS cipher (a
// few of them DS console accounts), and explicit allows and denies spread
// over folders, jobs, computers, computer groups and All Computers.
package synth

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand"
	"strings"
	"time"

	"github.com/imageinvoker/imageinvoker/pkg/dscipher"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// Params size a synthetic database.
type Params struct {
	Jobs           int // jobs, all under the root folder
	Folders        int // job folders, the root included
	MaxDepth       int // deepest folder level (the root is level 1)
	Computers      int
	ComputerGroups int
	ConsoleGroups  int
	ConsoleUsers   int // securityuser rows; the identity is the first
	Links          int // securitypermissionlink rows
	IdentityGroups int // AD groups of the identity that match console groups
	Seed           int64
}

// Default is a large site: the worst case for a menu, since every job is a
// candidate.
func Default() Params {
	return Params{
		Jobs: 10000, Folders: 2000, MaxDepth: 8,
		Computers: 20000, ComputerGroups: 500,
		ConsoleGroups: 200, ConsoleUsers: 10000, Links: 100000, IdentityGroups: 25,
		Seed: 1,
	}
}

// Small is a site small enough for exhaustive comparisons in tests.
func Small() Params {
	return Params{
		Jobs: 300, Folders: 60, MaxDepth: 6,
		Computers: 200, ComputerGroups: 30,
		ConsoleGroups: 20, ConsoleUsers: 200, Links: 3000, IdentityGroups: 4,
		Seed: 7,
	}
}

// Validate says what is wrong with p, if anything.
func (p Params) Validate() error {
	switch {
	case p.Jobs < 1 || p.Folders < 1 || p.Computers < 1 || p.ComputerGroups < 1:
		return fmt.Errorf("synthetic params: jobs, folders, computers and computer groups must be at least 1 (got %+v)", p)
	case p.MaxDepth < 1 || p.MaxDepth > 30:
		return fmt.Errorf("synthetic params: max depth %d outside 1–30 (DS allows 30 folder levels)", p.MaxDepth)
	case p.IdentityGroups < 0 || p.ConsoleGroups <= p.IdentityGroups:
		// The last console group holds the Administrative right and must not be the identity's.
		return fmt.Errorf("synthetic params: %d identity groups need more console groups than that (got %d)", p.IdentityGroups, p.ConsoleGroups)
	case p.ConsoleUsers < 1:
		return fmt.Errorf("synthetic params: at least 1 console user (the identity) needed (got %d)", p.ConsoleUsers)
	case p.Links < 0:
		return fmt.Errorf("synthetic params: negative link count %d", p.Links)
	case p.Folders > 1000000 || p.Jobs > 1000000 || p.Computers > 1000000 || p.ComputerGroups > 999999 || p.ConsoleGroups > 1000000 ||
		p.ConsoleUsers > 1000000:
		return fmt.Errorf("synthetic params: a count exceeds its DS id range (%+v)", p)
	}
	return nil
}

// Fixture is what a benchmark needs to build one menu from the generated data.
type Fixture struct {
	Params     Params
	RootFolder string
	Tag        string
	Computer   model.Computer    // a computer in a deep group
	Key        model.ComputerKey // finds Computer by its MAC
	Identity   model.Identity    // matches one console user and IdentityGroups console groups
	Principals int               // console principals the identity matches
	Rows       int               // rows inserted
	Elapsed    time.Duration     // generation time
}

// Synthetic id bases, in the DS ranges (docs/ds-schema.md).
const (
	firstFolderID  int64 = 1000001
	firstJobID     int64 = 2000001
	firstComputer  int64 = 5000001
	firstUserID    int64 = 14000001
	firstGroupID   int64 = 15000001
	domain               = "SYN"
	dnsDomain            = "syn.example"
	rootFolderName       = "ImageInvoker"
	defaultTag           = "[imageinvoker]"
	// activeUsers are the console users most entries name: on a real site
	// a few dozen technicians hold rights of their own, while most console
	// users were added once and hold one or two.
	activeUsers = 50
	// Every dsAccountEvery-th console user is a DS console account (no
	// domain, a DS-cipher password); the first user never is.
	dsAccountEvery = 40
	// dsAccountPassword is every synthetic DS console account's password.
	dsAccountPassword = "synthetic-ds"
)

// isDSAccount reports whether console user i (0-based) is a DS console
// account rather than an NT account of SYN.
func isDSAccount(i int) bool { return i%dsAccountEvery == dsAccountEvery-1 }

// taskPerms are the computer-side permissions links are spread over.
var taskPerms = []int{
	model.PermCreateImage, model.PermDistributeImage, model.PermConfigure, model.PermDistributeSoftware,
	model.PermCapturePersonality, model.PermDistributePersonal, model.PermBackupRegistry, model.PermRestoreRegistry,
	model.PermCopyFile, model.PermRunScript, model.PermScriptedInstall, model.PermShutdown, model.PermReboot,
	model.PermLogOff, model.PermWakeUp, model.PermGetInventory,
}

// Generate fills an empty eXpress schema (express.CreateSchema) with a
// synthetic site in one transaction and returns how to query it. The same
// params and seed always give the same database.
func Generate(ctx context.Context, db *sql.DB, p Params) (Fixture, error) {
	if err := p.Validate(); err != nil {
		return Fixture{}, err
	}
	start := time.Now()
	g := &gen{p: p, r: rand.New(rand.NewSource(p.Seed))}
	g.plan()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return Fixture{}, fmt.Errorf("generate: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	rows := 0
	for _, t := range g.tables() {
		n, err := bulkInsert(ctx, tx, t)
		if err != nil {
			return Fixture{}, fmt.Errorf("generate: %s: %w", t.name, err)
		}
		rows += n
	}
	if err := tx.Commit(); err != nil {
		return Fixture{}, fmt.Errorf("generate: %w", err)
	}
	return Fixture{
		Params:     p,
		RootFolder: rootFolderName,
		Tag:        defaultTag,
		Computer:   g.testComputer,
		Key:        model.ComputerKey{By: model.MatchMAC, Values: g.testComputer.MACs},
		Identity:   g.identity,
		Principals: 1 + p.IdentityGroups,
		Rows:       rows,
		Elapsed:    time.Since(start),
	}, nil
}

// table is a bulk insert: rows of values in column order.
type table struct {
	name string
	cols []string
	rows [][]any
}

// batch rows per INSERT: multi-row VALUES cut the per-statement overhead,
// and 100 rows × 6 columns stays under SQLite's and SQL Server's parameter limits.
const batch = 100

func bulkInsert(ctx context.Context, tx *sql.Tx, t table) (int, error) {
	if len(t.rows) == 0 {
		return 0, nil
	}
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(t.cols)), ", ") + ")"
	prefix := "INSERT INTO " + t.name + "(" + strings.Join(t.cols, ", ") + ") VALUES "
	full, err := tx.PrepareContext(ctx, prefix+strings.TrimSuffix(strings.Repeat(one+", ", batch), ", "))
	if err != nil {
		return 0, err
	}
	defer full.Close()
	args := make([]any, 0, batch*len(t.cols))
	i := 0
	for ; i+batch <= len(t.rows); i += batch {
		args = args[:0]
		for _, r := range t.rows[i : i+batch] {
			args = append(args, r...)
		}
		if _, err := full.ExecContext(ctx, args...); err != nil {
			return i, err
		}
	}
	if rest := t.rows[i:]; len(rest) > 0 {
		args = args[:0]
		for _, r := range rest {
			args = append(args, r...)
		}
		q := prefix + strings.TrimSuffix(strings.Repeat(one+", ", len(rest)), ", ")
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return i, err
		}
	}
	return len(t.rows), nil
}

type gen struct {
	p Params
	r *rand.Rand

	folderParent []int64 // index i: folder firstFolderID+i
	folderDepth  []int
	groupParent  []int64 // index i: computer group i+1; 0 = top level
	groupDepth   []int
	compGroup    []int64

	testComputer model.Computer
	identity     model.Identity
	idPrincipals []int64 // console ids the identity matches: the user first
}

// plan draws the trees, so links can be aimed at the test computer's chain.
func (g *gen) plan() {
	p := g.p
	g.folderParent = make([]int64, p.Folders)
	g.folderDepth = make([]int, p.Folders)
	g.folderDepth[0] = 1
	var open []int // folders that may still get children
	if p.MaxDepth > 1 {
		open = append(open, 0)
	}
	for i := 1; i < p.Folders; i++ {
		par := 0
		if len(open) > 0 {
			// Prefer recent folders: admins build a tree branch by branch,
			// which gives the deep chains a real site has.
			if g.r.Intn(3) == 0 {
				par = open[g.r.Intn(len(open))]
			} else {
				par = open[len(open)-1-g.r.Intn(min(len(open), 8))]
			}
		}
		g.folderParent[i] = firstFolderID + int64(par)
		g.folderDepth[i] = g.folderDepth[par] + 1
		if g.folderDepth[i] < p.MaxDepth {
			open = append(open, i)
		}
	}

	g.groupParent = make([]int64, p.ComputerGroups)
	g.groupDepth = make([]int, p.ComputerGroups)
	for i := range g.groupParent {
		if i < 5 || g.r.Intn(10) == 0 {
			g.groupDepth[i] = 1
			continue
		}
		par := g.r.Intn(i)
		if g.groupDepth[par] >= 6 {
			g.groupDepth[i] = 1
			continue
		}
		g.groupParent[i] = int64(par + 1)
		g.groupDepth[i] = g.groupDepth[par] + 1
	}
	g.compGroup = make([]int64, p.Computers)
	deepest := 0
	for i := range g.compGroup {
		switch g.r.Intn(100) {
		case 0, 1:
			g.compGroup[i] = model.NewComputersGroupID
			continue
		case 2:
			g.compGroup[i] = 0 // in no group: NULL, under All Computers
			continue
		}
		gi := g.r.Intn(p.ComputerGroups)
		g.compGroup[i] = int64(gi + 1)
		if g.compGroup[deepest] < 1 || g.groupDepth[gi] > g.groupDepth[g.compGroup[deepest]-1] {
			deepest = i
		}
	}
	id := firstComputer + int64(deepest)
	g.testComputer = model.Computer{ID: id, Name: computerName(deepest), GroupID: g.compGroup[deepest],
		Serial: serial(deepest), UUID: uuid(deepest), AssetTag: assetTag(deepest), MACs: []string{mac(deepest, 1)}}

	g.identity = model.Identity{User: domain + `\` + userName(0), FullName: "Synthetic Technician",
		Domains: []model.Domain{{NetBIOS: domain, DNS: dnsDomain}}}
	g.idPrincipals = []int64{firstUserID}
	for i := 0; i < p.IdentityGroups; i++ {
		g.identity.Groups = append(g.identity.Groups, domain+`\`+groupName(i))
		g.idPrincipals = append(g.idPrincipals, firstGroupID+int64(i))
	}
	// AD groups with no console group, as every real token has.
	g.identity.Groups = append(g.identity.Groups, domain+`\Domain Users`, domain+`\VPN Users`)
}

func computerName(i int) string { return fmt.Sprintf("SYN-PC-%05d", i+1) }
func serial(i int) string       { return fmt.Sprintf("SYN%07d", i+1) }
func assetTag(i int) string     { return fmt.Sprintf("AT-%06d", i+1) }
func uuid(i int) string         { return fmt.Sprintf("4C4C4544-%04X-5A10-8000-%012X", i&0xffff, i+1) }
func mac(i, nic int) string     { return fmt.Sprintf("02%02X%08X", nic, i+1) }
func userName(i int) string     { return fmt.Sprintf("tech%03d", i+1) }
func groupName(i int) string    { return fmt.Sprintf("Imaging Team %03d", i+1) }

var folderWords = []string{"Windows 11", "Windows 10", "Labs", "Staff", "Finance", "Science", "Library",
	"Linux", "Utilities", "Kiosks", "Servers", "Drivers", "Pilot", "Site", "Building", "Room"}

var jobWords = []string{"Lab image", "Staff build", "BIOS update", "Driver pack", "Inventory", "Disk wipe",
	"Capture", "Kiosk refresh", "Ubuntu install", "Office repair", "Reset TPM", "Firmware audit"}

func (g *gen) tables() []table {
	p := g.p
	folders := table{name: "event_folder", cols: []string{"folder_id", "parent_id", "name"}}
	folders.rows = append(folders.rows, []any{firstFolderID, nil, rootFolderName})
	for i := 1; i < p.Folders; i++ {
		folders.rows = append(folders.rows, []any{firstFolderID + int64(i), g.folderParent[i],
			fmt.Sprintf("%s %d", folderWords[i%len(folderWords)], i)})
	}

	jobs := table{name: "event", cols: []string{"event_id", "name", "folder_id", "description"}}
	tasks := table{name: "task", cols: []string{"event_id", "cond_seq", "task_seq", "task_type"}}
	images := table{name: "image_task", cols: []string{"event_id", "cond_seq", "task_seq", "create_image"}}
	reboots := table{name: "reboot_task", cols: []string{"event_id", "cond_seq", "task_seq", "reboot_method", "force"}}
	lost := 0 // every 97th detail row is lost, as after a DS 6.5 migration
	for i := 0; i < p.Jobs; i++ {
		id := firstJobID + int64(i)
		folder := firstFolderID + int64(g.r.Intn(p.Folders))
		var desc any
		if g.r.Intn(4) == 0 {
			desc = fmt.Sprintf("Synthetic job %d. Ask the imaging team before changing it.", i+1)
		}
		jobs.rows = append(jobs.rows, []any{id, fmt.Sprintf("%s %05d", jobWords[i%len(jobWords)], i+1), folder, desc})
		n := 1 + g.r.Intn(4)
		for s := 1; s <= n; s++ {
			typ := g.taskType(s, n)
			tasks.rows = append(tasks.rows, []any{id, 1, s, typ})
			switch typ {
			case model.TaskImage:
				if lost++; lost%97 == 0 {
					break // detail row lost: access fails closed
				}
				images.rows = append(images.rows, []any{id, 1, s, boolInt(g.r.Intn(10) == 0)})
			case model.TaskPowerControl:
				if lost++; lost%97 == 0 {
					break
				}
				pt := []int{model.PowerReboot, model.PowerReboot, model.PowerReboot, model.PowerShutdown, model.PowerLogOff, model.PowerWakeUp}
				reboots.rows = append(reboots.rows, []any{id, 1, s, pt[g.r.Intn(len(pt))], 0})
			}
		}
	}

	groups := table{name: "computer_group", cols: []string{"group_id", "parent_id", "name"}}
	groups.rows = append(groups.rows, []any{model.NewComputersGroupID, nil, "New Computers"})
	for i := range g.groupParent {
		var par any
		if g.groupParent[i] != 0 {
			par = g.groupParent[i]
		}
		groups.rows = append(groups.rows, []any{int64(i + 1), par, fmt.Sprintf("Group %d", i+1)})
	}
	computers := table{name: "computer", cols: []string{"computer_id", "name", "group_id", "serial_num", "asset_tag", "uuid"}}
	nics := table{name: "nics", cols: []string{"computer_id", "nic_id", "mac_addr"}}
	for i := range g.compGroup {
		id := firstComputer + int64(i)
		var grp any
		if g.compGroup[i] != 0 {
			grp = g.compGroup[i]
		}
		computers.rows = append(computers.rows, []any{id, computerName(i), grp, serial(i), assetTag(i), uuid(i)})
		nics.rows = append(nics.rows, []any{id, 1, mac(i, 1)})
		if i%20 == 7 {
			nics.rows = append(nics.rows, []any{id, 2, mac(i, 2)})
		}
	}

	// Names go through the DS cipher as DS stores them, so matching a
	// sign-in costs what it costs on a real site: every name decrypted.
	users := table{name: "securityuser", cols: []string{"user_id", "username", "fullname", "domain", "netbiosdomain", "password"}}
	dsPassword := dscipher.Encrypt(dsAccountPassword)
	for i := 0; i < p.ConsoleUsers; i++ {
		id, name, full := firstUserID+int64(i), dscipher.Encrypt(userName(i)), fmt.Sprintf("Technician %d", i+1)
		if isDSAccount(i) {
			users.rows = append(users.rows, []any{id, name, full, nil, nil, dsPassword})
			continue
		}
		users.rows = append(users.rows, []any{id, name, full, dnsDomain, domain, nil})
	}
	cgroups := table{name: "securitygroup", cols: []string{"group_id", "name", "ad_group_domain", "ad_group_netbiosdomain"}}
	for i := 0; i < p.ConsoleGroups; i++ {
		var dns any = dnsDomain
		if i%7 == 3 {
			dns = nil // an older console stored only the NetBIOS name
		}
		cgroups.rows = append(cgroups.rows, []any{firstGroupID + int64(i), groupName(i), dns, domain})
	}
	rights := table{name: "securityprivilegelink", cols: []string{"user_id", "privilege_id"}, rows: [][]any{
		// The administrators are never the identity: an admin's menu is trivial.
		{firstGroupID + int64(p.ConsoleGroups-1), model.RightAdministrative},
	}}
	perms := table{name: "securitypermission", cols: []string{"permission_id", "name", "description"}}
	for id := 1; id <= 81; id++ {
		perms.rows = append(perms.rows, []any{id, fmt.Sprintf("Permission %d", id), nil})
	}
	links := table{name: "securitypermissionlink", cols: []string{"permission_id", "user_id", "object_id", "allow"}, rows: g.links()}
	return []table{perms, folders, jobs, tasks, images, reboots, groups, computers, nics, users, cgroups, rights, links, g.handlers()}
}

// handlers gives one job in 4 a return handler to any job (inside the
// menu root or not), and two jobs handlers to each other (a cycle). It
// draws from its own source, so the rest of the site is the same with or
// without it.
func (g *gen) handlers() table {
	t := table{name: "task_return_handlers", cols: []string{"event_id", "cond_seq", "task_seq", "return_code", "handler"}}
	r := rand.New(rand.NewSource(g.p.Seed ^ 0x5eed))
	for i := 2; i < g.p.Jobs; i += 4 {
		t.rows = append(t.rows, []any{firstJobID + int64(i), 1, 1, 1 + r.Intn(3), firstJobID + int64(r.Intn(g.p.Jobs))})
	}
	if a, b := firstJobID+int64(3%g.p.Jobs), firstJobID+int64(4%g.p.Jobs); a != b {
		t.rows = append(t.rows, []any{a, 1, 1, 5, b}, []any{b, 1, 1, 5, a})
	}
	return t
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// taskType draws a task the way imaging jobs look: an image or OS install
// first, scripts in the middle, a power control last.
func (g *gen) taskType(seq, n int) int {
	switch {
	case seq == 1 && n > 1:
		return []int{model.TaskImage, model.TaskImage, model.TaskImage, model.TaskScriptedInstall, model.TaskRunScript}[g.r.Intn(5)]
	case seq == n && n > 1:
		return model.TaskPowerControl
	case n == 1:
		return []int{model.TaskImage, model.TaskRunScript, model.TaskInventory, model.TaskPowerControl, model.TaskSoftware}[g.r.Intn(5)]
	}
	return []int{model.TaskRunScript, model.TaskRunScript, model.TaskSoftware, model.TaskCopyFile,
		model.TaskModifyConfig, model.TaskRegistry, model.TaskPersonality, model.TaskInventory}[g.r.Intn(8)]
}

type linkKey struct {
	perm      int
	principal int64
	object    int64
}

// links spreads p.Links explicit entries: about half "Schedule this job" on
// folders and jobs, half task permissions on computer groups, computers and
// All Computers; four in five allow. The identity gets a baseline of allows
// on All Computers and on the root, an entry on All Jobs, so its menu is neither empty nor full:
// the random entries below override them level by level.
func (g *gen) links() [][]any {
	p := g.p
	seen := make(map[linkKey]bool, p.Links)
	var out [][]any
	add := func(perm int, principal, object int64, allow bool) {
		k := linkKey{perm, principal, object}
		if seen[k] || len(out) >= p.Links {
			return
		}
		seen[k] = true
		out = append(out, []any{perm, principal, object, boolInt(allow)})
	}
	idGroup := func() int64 { return g.idPrincipals[g.r.Intn(len(g.idPrincipals))] }
	for _, perm := range taskPerms {
		add(perm, idGroup(), model.AllComputersGroupID, g.r.Intn(8) != 0)
	}
	add(model.PermScheduleJob, idGroup(), firstFolderID, true)
	// An entry on All Jobs (-10), the top of every job walk: it decides the
	// tagged jobs outside the root that have no nearer entry.
	add(model.PermScheduleJob, idGroup(), model.AllJobsFolderID, g.r.Intn(2) == 0)
	// Entries on the test computer's own chain, so its walk has something to find.
	chain := []int64{g.testComputer.ID}
	for gid := g.testComputer.GroupID; gid > 0; gid = g.groupParent[gid-1] {
		chain = append(chain, gid)
	}
	for _, obj := range chain {
		for range 3 {
			add(taskPerms[g.r.Intn(len(taskPerms))], idGroup(), obj, g.r.Intn(3) != 0)
		}
	}

	active := min(activeUsers, p.ConsoleUsers)
	nPrincipals := active + p.ConsoleGroups
	principal := func() int64 {
		i := g.r.Intn(nPrincipals)
		if i < active {
			// One user entry in four names any console user.
			if g.r.Intn(4) == 0 {
				return firstUserID + int64(g.r.Intn(p.ConsoleUsers))
			}
			return firstUserID + int64(i)
		}
		return firstGroupID + int64(i-active)
	}
	for tries := 0; len(out) < p.Links && tries < p.Links*4; tries++ {
		allow := g.r.Intn(5) != 0
		pr := principal()
		if g.r.Intn(2) == 0 {
			var obj int64
			if g.r.Intn(3) == 0 {
				obj = firstFolderID + int64(g.r.Intn(p.Folders))
			} else {
				obj = firstJobID + int64(g.r.Intn(p.Jobs))
			}
			add(model.PermScheduleJob, pr, obj, allow)
			continue
		}
		perm := taskPerms[g.r.Intn(len(taskPerms))]
		var obj int64
		switch r := g.r.Intn(20); {
		case r == 0:
			obj = model.AllComputersGroupID
		case r < 4:
			obj = firstComputer + int64(g.r.Intn(p.Computers))
		default:
			obj = int64(1 + g.r.Intn(p.ComputerGroups))
		}
		add(perm, pr, obj, allow)
	}
	return out
}
