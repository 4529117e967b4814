package synth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/imageinvoker/imageinvoker/pkg/dscipher"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// BaselineQuery is one menu computed the way the original add-on did.
type BaselineQuery struct {
	ComputerID int64
	Identity   model.Identity
	RootFolder string
	Tag        string // e.g. "[imageinvoker]"
	// SampleJobs, when > 0, decides only every n-th candidate (evenly spread,
	// in id order) so a 10,000-job walk can be timed and then extrapolated.
	SampleJobs int
}

// BaselineResult is what the walk found and what it cost.
type BaselineResult struct {
	Allowed    map[int64]bool // decided jobs that are allowed
	Candidates int            // jobs under the root plus tagged jobs
	Decided    []int64        // candidates actually walked (all, unless sampled), in id order
	Principals int
	// Statements counts every SQL statement, split into the fixed part
	// (principals, admin check, candidate listing) and the per-job walk.
	Statements    int
	FixedStmts    int
	PerJobStmts   int
	Elapsed       time.Duration
	FixedElapsed  time.Duration
	PerJobElapsed time.Duration
}

// Extrapolated scales the sampled per-job cost to every candidate: the walk
// is a loop over jobs, so its cost is linear in the number of jobs decided.
func (r BaselineResult) Extrapolated() (stmts int, elapsed time.Duration) {
	if len(r.Decided) == 0 || len(r.Decided) == r.Candidates {
		return r.Statements, r.Elapsed
	}
	f := float64(r.Candidates) / float64(len(r.Decided))
	return r.FixedStmts + int(float64(r.PerJobStmts)*f), r.FixedElapsed + time.Duration(float64(r.PerJobElapsed)*f)
}

// Baseline computes the menu as the original add-on did (docs/ds-schema.md): a
// scalar Effective_Permission(permission, principal, object) that runs one
// query per tree level — select the explicit entry; if none, select the
// parent and repeat — called for every candidate job and every principal, for
// "Schedule this job" on the job and each task's permission on the computer.
//
// The add-on ran its menu query once per principal and showed the union, so
// a job is allowed when one principal alone has 66 on it and every task
// permission on the computer. With a single principal that is exactly DS's
// rule set; with several it ignores rules 3 and 4 (user beats group, deny
// beats allow across groups), which is one reason it was replaced.
func Baseline(ctx context.Context, db *sql.DB, q BaselineQuery) (BaselineResult, error) {
	w := &walker{ctx: ctx, db: db}
	res := BaselineResult{Allowed: map[int64]bool{}}
	start := time.Now()

	principals, err := w.principals(q.Identity)
	if err != nil {
		return res, fmt.Errorf("baseline: %w", err)
	}
	res.Principals = len(principals)
	admin := false
	for _, p := range principals {
		var n int
		if err := w.row("SELECT COUNT(*) FROM securityprivilegelink WHERE privilege_id = ? AND user_id = ?",
			[]any{model.RightAdministrative, p}, &n); err != nil {
			return res, fmt.Errorf("baseline: administrative right: %w", err)
		}
		admin = admin || n > 0
	}
	jobs, err := w.candidates(q.RootFolder, q.Tag)
	if err != nil {
		return res, fmt.Errorf("baseline: %w", err)
	}
	res.Candidates = len(jobs)
	res.FixedStmts = w.stmts
	res.FixedElapsed = time.Since(start)

	step := 1
	if q.SampleJobs > 0 && q.SampleJobs < len(jobs) {
		step = len(jobs) / q.SampleJobs
	}
	for i := 0; i < len(jobs); i += step {
		job := jobs[i]
		res.Decided = append(res.Decided, job)
		if admin {
			res.Allowed[job] = true
			continue
		}
		ok, err := w.jobAllowed(job, q.ComputerID, principals)
		if err != nil {
			return res, fmt.Errorf("baseline: job %d: %w", job, err)
		}
		if ok {
			res.Allowed[job] = true
		}
	}
	res.Statements = w.stmts
	res.PerJobStmts = w.stmts - res.FixedStmts
	res.Elapsed = time.Since(start)
	res.PerJobElapsed = res.Elapsed - res.FixedElapsed
	return res, nil
}

type walker struct {
	ctx   context.Context
	db    *sql.DB
	stmts int
}

func (w *walker) row(q string, args []any, dest ...any) error {
	w.stmts++
	return w.db.QueryRowContext(w.ctx, q, args...).Scan(dest...)
}

// query runs q and hands each row to scan; every query goes through it, so
// stmts counts them all.
func (w *walker) query(q string, args []any, scan func(*sql.Rows) error) error {
	w.stmts++
	rows, err := w.db.QueryContext(w.ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (w *walker) ids(q string, args ...any) ([]int64, error) {
	var out []int64
	err := w.query(q, args, func(rows *sql.Rows) error {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		out = append(out, id)
		return nil
	})
	return out, err
}

// principals matches console users and groups the way DS names them, written
// out here rather than taken from access, so the comparison tests check the
// engine's matching too:
//   - an NT sign-in (`DOMAIN\name`) is the console user whose username,
//     decrypted, equals name (case-insensitively) and whose netbiosdomain
//     equals DOMAIN; its groups are the console groups whose name and
//     ad_group_netbiosdomain equal one of the identity's `DOMAIN\group`.
//     Entries that name only a DNS domain match nothing here: the synthetic
//     site stores the NetBIOS name on every AD-linked entry.
//   - a DS console account sign-in (`.\name`) is the console user of that
//     name with no domain, and the DS-native groups (no ad_group_*) listed
//     with it in securitygroupmember.
func (w *walker) principals(id model.Identity) ([]int64, error) {
	idDomain, idName := model.SplitAccount(strings.TrimSpace(id.User))
	if id.DSAccount {
		idDomain, idName = "", strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(id.User), model.DSAccountPrefix))
	}
	groups := map[string]bool{} // `domain\name`, lower case
	for _, g := range id.Groups {
		if d, n := model.SplitAccount(strings.TrimSpace(g)); d != "" && n != "" {
			groups[strings.ToLower(d+`\`+n)] = true
		}
	}
	var out []int64
	var nativeGroups []int64
	var users map[int64]bool // DS console accounts matched, for memberships
	err := w.each("SELECT user_id, username, netbiosdomain, domain FROM securityuser", func(pid int64, name, netbios, dns string) {
		plain, err := dscipher.DecryptText(name)
		if err != nil {
			return // not DS cipher text: DS could not read it either
		}
		native := netbios == "" && dns == ""
		switch {
		case idName == "" || !strings.EqualFold(strings.TrimSpace(plain), idName):
		case id.DSAccount && native:
			if users == nil {
				users = map[int64]bool{}
			}
			users[pid] = true
			out = append(out, pid)
		case !id.DSAccount && netbios != "" && strings.EqualFold(netbios, idDomain):
			out = append(out, pid)
		}
	})
	if err != nil {
		return nil, err
	}
	err = w.each("SELECT group_id, name, ad_group_netbiosdomain, ad_group_domain FROM securitygroup", func(pid int64, name, netbios, dns string) {
		switch {
		case netbios == "" && dns == "":
			nativeGroups = append(nativeGroups, pid)
		case !id.DSAccount && netbios != "" && groups[strings.ToLower(netbios+`\`+strings.TrimSpace(name))]:
			out = append(out, pid)
		}
	})
	if err != nil {
		return nil, err
	}
	if len(users) == 0 || len(nativeGroups) == 0 {
		return out, nil
	}
	member, err := w.pairs("SELECT group_id, user_id FROM securitygroupmember")
	if err != nil {
		return nil, fmt.Errorf("load principals: %w", err)
	}
	for _, g := range nativeGroups {
		for _, u := range member[g] {
			if users[u] {
				out = append(out, g)
				break
			}
		}
	}
	return out, nil
}

// each runs a principal query (id, name, NetBIOS domain, DNS domain; NULL
// reads as "") and calls fn for every row.
func (w *walker) each(q string, fn func(id int64, name, netbios, dns string)) error {
	err := w.query(q, nil, func(rows *sql.Rows) error {
		var id int64
		var name, netbios, dns sql.NullString
		if err := rows.Scan(&id, &name, &netbios, &dns); err != nil {
			return err
		}
		fn(id, name.String, strings.TrimSpace(netbios.String), strings.TrimSpace(dns.String))
		return nil
	})
	if err != nil {
		return fmt.Errorf("load principals: %w", err)
	}
	return nil
}

// pairs reads (key, value) id rows into lists by key.
func (w *walker) pairs(q string) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	err := w.query(q, nil, func(rows *sql.Rows) error {
		var k, v int64
		if err := rows.Scan(&k, &v); err != nil {
			return err
		}
		out[k] = append(out[k], v)
		return nil
	})
	return out, err
}

// candidates lists the jobs below the root folder, one folder at a time, plus
// the tagged jobs anywhere, in id order.
func (w *walker) candidates(root, tag string) ([]int64, error) {
	set := map[int64]bool{}
	roots, err := w.ids("SELECT folder_id FROM event_folder WHERE name = ? AND parent_id IS NULL", root)
	if err != nil {
		return nil, fmt.Errorf("find root folder: %w", err)
	}
	queue := roots
	for len(queue) > 0 {
		f := queue[0]
		queue = queue[1:]
		sub, err := w.ids("SELECT folder_id FROM event_folder WHERE parent_id = ?", f)
		if err != nil {
			return nil, fmt.Errorf("list folders: %w", err)
		}
		queue = append(queue, sub...)
		jobs, err := w.ids("SELECT event_id FROM event WHERE folder_id = ?", f)
		if err != nil {
			return nil, fmt.Errorf("list jobs: %w", err)
		}
		for _, j := range jobs {
			set[j] = true
		}
	}
	if tag != "" {
		// `[imageinvoker]` and `[imageinvoker: Name]`, any case.
		open := strings.ToLower(strings.TrimSuffix(tag, "]"))
		tagged, err := w.ids("SELECT event_id FROM event WHERE LOWER(description) LIKE ? OR LOWER(description) LIKE ?",
			"%"+open+"]%", "%"+open+":%")
		if err != nil {
			return nil, fmt.Errorf("list tagged jobs: %w", err)
		}
		for _, j := range tagged {
			set[j] = true
		}
	}
	out := make([]int64, 0, len(set))
	for j := range set {
		out = append(out, j)
	}
	sort.Slice(out, func(a, b int) bool { return out[a] < out[b] })
	return out, nil
}

// jobAllowed is the add-on's menu predicate for one job, evaluated once per
// principal; within a principal the AND stops at the first false, as SQL
// Server's evaluation of the WHERE clause would. The add-on did not know
// return handlers; DS's console demands the job's permissions on each job
// they start (docs/ds-schema.md), so the walk checks those jobs too: the
// same predicate, for the same principal, on every job reachable through
// them, read one job at a time with DS's own statement.
func (w *walker) jobAllowed(job, computer int64, principals []int64) (bool, error) {
	jobs, err := w.withHandlers(job)
	if err != nil {
		return false, err
	}
	perms := make([][]int, len(jobs))
	for i, j := range jobs {
		if perms[i], err = w.jobPermissions(j); err != nil {
			return false, err
		}
	}
	union := false
	for _, p := range principals {
		ok := true
		for i, j := range jobs {
			if !ok {
				break
			}
			if ok, err = w.onePrincipal(j, perms[i], computer, p); err != nil {
				return false, err
			}
		}
		union = union || ok
	}
	return union, nil
}

// withHandlers is the job and every job reachable through its return
// handlers (`select handler from task_return_handlers where event_id=`,
// as DS's SDK reads them), each once.
func (w *walker) withHandlers(job int64) ([]int64, error) {
	out := []int64{job}
	seen := map[int64]bool{job: true}
	for i := 0; i < len(out); i++ {
		hs, err := w.ids("SELECT handler FROM task_return_handlers WHERE event_id = ?", out[i])
		if err != nil {
			return nil, fmt.Errorf("return handlers: %w", err)
		}
		for _, h := range hs {
			if !seen[h] {
				seen[h] = true
				out = append(out, h)
			}
		}
	}
	return out, nil
}

// onePrincipal is the predicate for one job and one principal.
func (w *walker) onePrincipal(job int64, perms []int, computer, p int64) (bool, error) {
	ok, err := w.effective(model.PermScheduleJob, p, job)
	if err != nil {
		return false, err
	}
	for _, perm := range perms {
		if !ok {
			break
		}
		if perm < 0 { // a task type the add-on doesn't know
			return false, nil
		}
		if ok, err = w.effective(perm, p, computer); err != nil {
			return false, err
		}
	}
	return ok, nil
}

// jobPermissions lists, per task, the "Schedule <task>" permissions needed on
// the computer. A missing detail row requires every permission the task could
// need, as the engine does (fail closed).
func (w *walker) jobPermissions(job int64) ([]int, error) {
	var out []int
	err := w.query(`SELECT t.task_type, i.create_image, r.reboot_method FROM task t
		LEFT JOIN image_task i ON i.event_id = t.event_id AND i.cond_seq = t.cond_seq AND i.task_seq = t.task_seq
		LEFT JOIN reboot_task r ON r.event_id = t.event_id AND r.cond_seq = t.cond_seq AND r.task_seq = t.task_seq
		WHERE t.event_id = ? ORDER BY t.cond_seq, t.task_seq`, []any{job}, func(rows *sql.Rows) error {
		var typ int
		var create, power sql.NullInt64
		if err := rows.Scan(&typ, &create, &power); err != nil {
			return err
		}
		out = append(out, taskPermissions(typ, create, power)...)
		return nil
	})
	return out, err
}

func taskPermissions(typ int, create, power sql.NullInt64) []int {
	if p, ok := model.TaskPermission[typ]; ok {
		return []int{p}
	}
	switch typ {
	case model.TaskPowerControl:
		if p, ok := model.PowerPermission[int(power.Int64)]; power.Valid && ok {
			return []int{p}
		}
		return []int{model.PermShutdown, model.PermReboot, model.PermLogOff, model.PermWakeUp}
	case model.TaskRegistry:
		return []int{model.PermBackupRegistry, model.PermRestoreRegistry}
	case model.TaskImage:
		if create.Valid {
			if create.Int64 != 0 {
				return []int{model.PermCreateImage}
			}
			return []int{model.PermDistributeImage}
		}
		return []int{model.PermCreateImage, model.PermDistributeImage}
	case model.TaskPersonality:
		return []int{model.PermCapturePersonality, model.PermDistributePersonal}
	}
	return []int{-1}
}

// effective is the add-on's Effective_Permission: one SELECT for the entry at
// this level and, when there is none, one for the parent, up to the root.
func (w *walker) effective(perm int, principal, object int64) (bool, error) {
	const maxLevels = 64 // corrupt (cyclic) trees deny instead of looping forever
	for range maxLevels {
		var allow int
		err := w.row("SELECT allow FROM securitypermissionlink WHERE permission_id = ? AND user_id = ? AND object_id = ?",
			[]any{perm, principal, object}, &allow)
		if err == nil {
			return allow != 0, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return false, err
		}
		next, ok, err := w.parent(object)
		if err != nil || !ok {
			return false, err
		}
		object = next
	}
	return false, nil
}

// parent climbs one level; the kind of object is told by its id range.
func (w *walker) parent(object int64) (int64, bool, error) {
	var q string
	switch {
	case object == model.AllComputersGroupID, object == model.AllJobsFolderID:
		return 0, false, nil
	case object >= 2000001 && object <= 3000000:
		q = "SELECT folder_id FROM event WHERE event_id = ?"
	case object >= 1000001 && object <= 2000000:
		q = "SELECT parent_id FROM event_folder WHERE folder_id = ?"
	case object >= 5000001 && object <= 6000000:
		q = "SELECT group_id FROM computer WHERE computer_id = ?"
	default: // computer groups, New Computers included
		q = "SELECT parent_id FROM computer_group WHERE group_id = ?"
	}
	var par sql.NullInt64
	err := w.row(q, []any{object}, &par)
	isGroupTree := object < 1000001 || object > 3000000
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return 0, false, nil
	case err != nil:
		return 0, false, err
	case !par.Valid || par.Int64 == 0:
		if isGroupTree {
			// Top-level computer groups sit under All Computers.
			return model.AllComputersGroupID, true, nil
		}
		// Top-level folders and jobs sit under All Jobs.
		return model.AllJobsFolderID, true, nil
	}
	return par.Int64, true, nil
}
