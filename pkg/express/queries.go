package express

import (
	"fmt"
	"regexp"
	"strings"
)

// This file is the only place that knows eXpress table and column names and
// holds every SQL statement the store sends. docs/ds-schema.md is the
// project's account of each name and of the evidence for it.
//
// Which names a database really has is discovered once per store (discover.go):
// the statements are then built for that database from the raw texts below.
// Texts write names as {key} markers; a marker without an entry panics, so a
// typo cannot ship. {in:NAME} markers are left for run time: they become a
// generated placeholder list @NAME0,@NAME1,... whose values are bound.

// Pending schedule markers (UNVERIFIED): a schedule row counts as "pending"
// (DS has not picked it up yet) when status_code is NULL and status is NULL,
// empty or 'Scheduled' (compared lower-cased). Once the DS service starts a
// job it writes a status and a status_code, and the row stops being pending.
// A pending row for the same computer and job makes Queue idempotent.
const pendingStatusLower = "scheduled"

// Dialect differences. Everything else is the same text on SQLite and SQL
// Server but for discovery itself (each engine lists its columns its own
// way) and "the database server's clock" (CURRENT_TIMESTAMP exists in both
// but SQLite gives it second precision as text and cannot subtract a minute
// from it without its own functions). "run now" uses SQL Server's GETDATE(),
// the server's local wall clock, which is what DS's own service compares
// start_time against; "now" (Store.Now, for doctor's clock check) is UTC so
// it compares with any machine's clock. SQLite has no server: UTC for both.
var dialectExprs = map[string]map[string]string{
	DialectSQLite: {
		"now":     "strftime('%Y-%m-%d %H:%M:%f','now')",
		"run_now": "strftime('%Y-%m-%d %H:%M:%S','now','-1 minute')", // "run now" = one minute before server time
	},
	DialectSQLServer: {
		"now":     "GETUTCDATE()",
		"run_now": "DATEADD(minute,-1,GETDATE())", // "run now" = one minute before server time (DS SDK)
	},
}

// Dialect names accepted by OpenDB.
const (
	DialectSQLite    = "sqlite"
	DialectSQLServer = "sqlserver"
)

// maxTreeDepth bounds the recursive CTEs: DS allows 30 folder levels; the
// bound keeps a corrupt parent cycle from recursing forever on SQLite (SQL
// Server would stop at MAXRECURSION 100 with an error instead).
const maxTreeDepth = 40

// Raw statement texts. Kept as one block so a reviewer can read every query
// the product sends in one place.
const (
	// Every console user and group, and whether each holds the
	// Administrative right directly: the LEFT JOIN keeps principals without
	// it. User names are encrypted (decrypted in Go: docs/ds-schema.md, "The
	// DS cipher"); the password column is never read here. {members} adds
	// the DS-native groups' memberships as kind-3 rows when the database
	// shows where DS keeps them. {rights_u}/{rights_g} join the rights table
	// where one is visible; without it ref is NULL and the right is asked of
	// DS (wc_sel_security_right) or held by nobody.
	rawPrincipals = `
SELECT 1 AS kind, u.user_id AS id, u.username AS name, u.domain AS dns, u.netbiosdomain AS nb, {admin_u} AS ref, {upn_u} AS upn
  FROM {securityuser} u{rights_u}
UNION ALL
SELECT 2, g.group_id, g.name, g.ad_group_domain, g.ad_group_netbiosdomain, {admin_g}, NULL
  FROM {securitygroup} g{rights_g}{members}`

	rawRightsJoinUser = `
  LEFT JOIN {rights} r ON r.{rights.user_id} = u.user_id AND r.{rights.right} = @adminRight`
	rawRightsJoinGroup = `
  LEFT JOIN {rights} r ON r.{rights.user_id} = g.group_id AND r.{rights.right} = @adminRight`

	// A console user as DS's SecurityUser::Load reads it: three result sets
	// (the user row, which carries the password and is never read here;
	// its DS groups by group_id; its rights by privilege_id).
	rawSelUser = `EXEC {wc_sel_user} @user = @user`

	// DS's own answer to "does this console user or group hold the
	// Administrative right?" where no rights table is visible: one EXEC a
	// principal, one batch, each answering one row read by column name
	// (granted, rightname).
	rawAskRight = `EXEC {wc_sel_security_right} @userId = @u%d, @right = @adminRight, @selectResults = @selectResults;`

	rawMembers = `
UNION ALL
SELECT 3, m.{members.group_id}, NULL, NULL, NULL, m.{members.user_id}, NULL
  FROM {members} m`

	// DS console accounts (no domain) with their encrypted passwords, for the
	// `.\name` sign-in; names are compared after decryption.
	rawDSAccounts = `
SELECT user_id, username, {?securityuser.password}, fullname FROM {securityuser}
 WHERE (domain IS NULL OR domain = '') AND (netbiosdomain IS NULL OR netbiosdomain = '')`

	rawFolders = `SELECT folder_id, parent_id, name FROM {event_folder}`

	// The root folder's subtree, as a CTE both SQLite (WITH without
	// RECURSIVE is accepted) and T-SQL run. depth guards against cycles.
	// {seed} is rawSeedByName (the subtrees of every folder named like the
	// root, so the candidates need no round trip to find the root first:
	// Snapshot picks the root in Go and keeps its subtree's jobs) or
	// rawSeedByID (one root, when Go's pick was not among those folders).
	rawSubtreeCTE = `
WITH sub(folder_id, depth) AS (
  SELECT folder_id, 0 FROM {event_folder} WHERE {seed}
  UNION ALL
  SELECT f.folder_id, s.depth + 1 FROM {event_folder} f JOIN sub s ON f.parent_id = s.folder_id WHERE s.depth < @maxDepth
)`

	// The candidate predicate: under the root, or tagged. The description is
	// cast because a real DS column may be ntext, which LOWER() refuses in
	// T-SQL; SQLite reads NVARCHAR(4000) as TEXT affinity. LOWER() on both
	// sides because SQLite compares case-sensitively outside ASCII LIKE and
	// SQL Server collations vary. ESCAPE '\' because '[' is a wildcard class
	// in T-SQL LIKE (the default tag starts with one).
	rawCandidateWhere = `
 e.folder_id IN (SELECT folder_id FROM sub)
 OR {tagged}`
	rawTagged = `LOWER(CAST(e.description AS NVARCHAR(4000))) LIKE @tagPlain ESCAPE '\'
 OR LOWER(CAST(e.description AS NVARCHAR(4000))) LIKE @tagNamed ESCAPE '\'`

	// The root's name as both SQLite and T-SQL compare it: trimmed of
	// spaces, lower-cased (the parameter is lower-cased in Go). Go's own
	// comparison (Unicode case folding, any white space) decides; a root
	// this does not find is read again by id.
	rawSeedByName = `LOWER(LTRIM(RTRIM(name))) = @rootName`
	rawSeedByID   = `folder_id = @root`

	// The subtrees' tops, as kind-3 rows of the candidate jobs statement.
	rawSeeds = `
UNION ALL
SELECT 3, folder_id, NULL, NULL, NULL, 0 FROM sub WHERE depth = 0`

	rawJobColumns = `SELECT e.event_id, e.name, e.folder_id, e.description FROM {event} e`

	// Tasks with their per-type detail; a missing detail row gives NULLs,
	// which become nil pointers (the access engine then fails closed).
	// {image_select}/{image_join} read image_task's create/distribute column
	// where the database has a known one, NULL otherwise (then DS's own
	// wc_sel_inage_task_type answers, or access fails closed).
	rawTaskColumns = `
SELECT t.event_id, t.cond_seq, t.task_seq, t.task_type, {image_select}, r.{reboot_task.reboot_method}
  FROM {task} t{image_join}
  LEFT JOIN {reboot_task} r ON r.event_id = t.event_id AND r.cond_seq = t.cond_seq AND r.task_seq = t.task_seq`

	rawImageJoin = `
  LEFT JOIN {image_task} i ON i.event_id = t.event_id AND i.cond_seq = t.cond_seq AND i.task_seq = t.task_seq`

	rawTaskOrder = ` ORDER BY t.event_id, t.cond_seq, t.task_seq`

	// DS's own answer to "does this image task create or distribute?"
	// (1 create, 0 distribute): one EXEC per image task, sent as one batch
	// per up to maxInList tasks, each answering with its own result set.
	rawImageTypeExec = `EXEC {wc_sel_inage_task_type} @jobId = @j%d, @condSeq = @c%d, @taskSeq = @t%d;`

	// The computer's group chain, walked upward in SQL: a site can have tens
	// of thousands of groups, the chain is a handful of rows.
	rawGroupChain = `
WITH up(group_id, parent_id, name, depth) AS (
  SELECT group_id, parent_id, name, 0 FROM {computer_group} WHERE group_id = @groupId
  UNION ALL
  SELECT g.group_id, g.parent_id, g.name, u.depth + 1 FROM {computer_group} g JOIN up u ON g.group_id = u.parent_id WHERE u.depth < @maxDepth
)
SELECT group_id, parent_id, name FROM up`

	// Explicit entries of the matched principals only. "Schedule this job"
	// (66) is set on jobs and folders, the per-task permissions on computers
	// and groups, so the latter are limited to this computer and its chain:
	// at a real site the links on other computers are the bulk of the table.
	rawLinks = `
SELECT permission_id, user_id, object_id, allow FROM {securitypermissionlink}
 WHERE user_id IN ({in:pr})
   AND (permission_id = @permJob
        OR (permission_id IN ({in:pe}) AND object_id IN ({in:ob})))`

	// The Administrative right of the matched principals, read again at
	// queue time.
	rawAdminRights = `SELECT {rights.user_id} FROM {rights} WHERE {rights.right} = @adminRight AND {rights.user_id} IN ({in:pr})`

	// The candidate jobs: kind 1, then the job's columns and whether it is
	// tagged (the folder is judged in Go, against the root's subtree).
	rawCandidateJobs      = `SELECT 1 AS kind, e.event_id, e.name, e.folder_id, e.description, CASE WHEN ({tagged}) THEN 1 ELSE 0 END AS tagged FROM {event} e WHERE`
	rawCandidateJobsOrder = ` ORDER BY 1, 2`

	// Return handlers (docs/ds-schema.md, "Return handlers"), read with the
	// candidates: the candidates and every job that is a return handler,
	// then every (job, handler) pair as kind 2 rows. Later reads (the
	// queue) go by id.
	rawCandidateJobsWithHandlers = `SELECT 1 AS kind, e.event_id, e.name, e.folder_id, e.description,
       CASE WHEN ({tagged}) THEN 1 ELSE 0 END AS tagged
  FROM {event} e
 WHERE ({candidate})
    OR e.event_id IN (SELECT h.handler FROM {task_return_handlers} h)
UNION ALL
SELECT 2, r.event_id, NULL, r.handler, NULL, 0 FROM {task_return_handlers} r{seeds}
 ORDER BY 1, 2`
	rawHandlersOf = `SELECT event_id, handler FROM {task_return_handlers} WHERE event_id IN ({in:j})`
	// DS's own list where the table is not visible: one EXEC a job, one
	// batch, the handler jobs in the column named job.
	rawAskHandlers = `EXEC {wc_sel_return_handler_jobs} @jobId = @j%d;`

	rawComputerColumns = `
SELECT c.computer_id, c.name, c.group_id, c.serial_num, c.asset_tag, c.uuid, n.mac_addr
  FROM {computer} c LEFT JOIN {nics} n ON n.computer_id = c.computer_id`
	rawComputerOrder = ` ORDER BY c.computer_id, n.nic_id`

	// user_name and user_full_name may be columns of event_schedule or, on a
	// real DS, joined by its procedures from the schedule's logged-on user:
	// discovery says which; NULL when they are not columns.
	rawScheduleColumns = `
SELECT schedule_id, computer_id, event_id, start_time, status, status_code, {?event_schedule.user_name}, {?event_schedule.user_full_name}
  FROM {event_schedule}`

	rawPendingWhere = `
 WHERE computer_id = @computerId AND event_id = @jobId AND status_code IS NULL
   AND (status IS NULL OR status = '' OR LOWER(status) = @pendingStatus)
 ORDER BY schedule_id`

	// Every schedule still pending for a computer (Confirm warns of them).
	rawPendingForComputer = `
 WHERE computer_id = @computerId AND status_code IS NULL
   AND (status IS NULL OR status = '' OR LOWER(status) = @pendingStatus)
 ORDER BY schedule_id`

	rawMaxSchedule = `
SELECT MAX(schedule_id) FROM {event_schedule} WHERE schedule_id BETWEEN @firstId AND @lastId`

	rawInsertSchedule = `
INSERT INTO {event_schedule} (schedule_id, computer_id, event_id, start_time{user_cols})
VALUES (@scheduleId, @computerId, @jobId, {run_now}{user_vals})`

	// How DS itself schedules (docs/ds-schema.md, "Scheduling"): seven
	// arguments bound by name, the new id in column 0 of the first result
	// set; then who scheduled it, recorded through the logged-on users.
	rawExecSchedule = `EXEC {wc_ins_schedule} @jobId = @jobId, @computerId = @computerId, @userId = @userId, @deferMins = @deferMins, @startTime = @startTime, @recur = @recur, @recurType = @recurType`
	rawSelLoggedOn  = `EXEC {wc_sel_loggedon_users} @user_name = @user_name`
	rawInsLoggedOn  = `EXEC {wc_ins_loggedon_users} @user_name = @user_name, @full_name = @full_name`
	rawScheduleInfo = `EXEC {wc_ins_schedule_info} @schedule_id = @schedule_id, @user_id = @user_id`

	// The computer as it is at queue time: gone, or moved to another group.
	rawComputerExists = `SELECT computer_id, group_id FROM {computer} WHERE computer_id = @computerId`

	// The job folders above the queued job and its handler jobs, walked
	// upward in SQL (the queue transaction reads only these).
	rawFolderChain = `
WITH up(folder_id, parent_id, name, depth) AS (
  SELECT folder_id, parent_id, name, 0 FROM {event_folder} WHERE folder_id IN ({in:f})
  UNION ALL
  SELECT f.folder_id, f.parent_id, f.name, u.depth + 1 FROM {event_folder} f JOIN up u ON f.folder_id = u.parent_id WHERE u.depth < @maxDepth
)
SELECT DISTINCT folder_id, parent_id, name FROM up`

	// How many console users and groups DS has (doctor's warning when DS
	// says security is off).
	rawPrincipalCount = `SELECT (SELECT COUNT(*) FROM {securityuser}) + (SELECT COUNT(*) FROM {securitygroup})`
)

// queries is one database's expanded statements.
type queries struct {
	now, runNow                   string
	principals, dsAccounts        string
	folders                       string
	candidateJobs, candidateTasks string // seeded by the root's name
	candidateJobsByID             string // seeded by one root id
	candidateTasksByID            string
	jobByID, tasksByJob           string
	imageTypeExec                 string
	groupChain, links             string
	adminRights                   string // "" without a rights table
	askRight                      string // "" where wc_sel_security_right cannot be called
	selUser                       string // "" where wc_sel_user cannot be called
	computerBase, computerOrder   string
	scheduleByID, pendingSchedule string
	pendingForComputer            string
	maxSchedule, insertSchedule   string
	execSchedule                  string
	selLoggedOn, insLoggedOn      string
	scheduleInfo                  string
	computerExists, folderChain   string
	principalCount                string
	handlersOf                    string // "" without task_return_handlers
	askHandlers                   string // "" where wc_sel_return_handler_jobs cannot be called
	jobsByIDs, tasksByJobIDs      string
	computerWhere                 map[matchColumn]string
}

type matchColumn int

const (
	byMAC matchColumn = iota
	bySerial
	byUUID
	byAssetTag
	byID
)

// Identifier lookups are compared upper-cased on both sides so SQLite and a
// case-insensitive SQL Server collation agree.
var rawComputerWhere = map[matchColumn]string{
	byMAC:      ` WHERE c.computer_id IN (SELECT m.computer_id FROM {nics} m WHERE UPPER(m.mac_addr) IN ({in:v}))`,
	bySerial:   ` WHERE UPPER(c.serial_num) IN ({in:v})`,
	byUUID:     ` WHERE UPPER(c.uuid) IN ({in:v})`,
	byAssetTag: ` WHERE UPPER(c.asset_tag) IN ({in:v})`,
	byID:       ` WHERE c.computer_id = @computerId`,
}

var markerRE = regexp.MustCompile(`\{([a-z_.:?]+)\}`)

// expand replaces {name} markers for one schema; {in:...} stays for run
// time. {?table.column} is an optional column: its name, or NULL.
func expand(sc *Schema, s string) string {
	return markerRE.ReplaceAllStringFunc(s, func(m string) string {
		key := m[1 : len(m)-1]
		if strings.HasPrefix(key, "in:") {
			return m
		}
		if opt, ok := strings.CutPrefix(key, "?"); ok {
			if v := sc.ident(opt); v != "" {
				return v
			}
			return "NULL"
		}
		if v := sc.ident(key); v != "" {
			return v
		}
		if v, ok := dialectExprs[sc.Dialect][key]; ok {
			return v
		}
		panic(fmt.Sprintf("express: unknown SQL marker %s", m))
	})
}

// buildQueries expands every statement for one discovered database.
func buildQueries(sc *Schema) *queries {
	x := func(s string) string { return strings.TrimSpace(expand(sc, s)) }
	members := ""
	if sc.ident("members") != "" {
		members = rawMembers
	}
	adminU, adminG, rightsU, rightsG, adminRights := "NULL", "NULL", "", "", ""
	if sc.ident("rights") != "" {
		adminU, adminG = "r.{rights.user_id}", "r.{rights.user_id}"
		rightsU, rightsG, adminRights = rawRightsJoinUser, rawRightsJoinGroup, rawAdminRights
	}
	upnU := "NULL"
	if sc.ident("securityuser.upnname") != "" {
		upnU = "u.{securityuser.upnname}"
	}
	principals := strings.NewReplacer("{members}", members, "{admin_u}", adminU, "{admin_g}", adminG, "{upn_u}", upnU,
		"{rights_u}", rightsU, "{rights_g}", rightsG).Replace(rawPrincipals)
	askRight, selUser := "", ""
	if sc.HasProcedure("wc_sel_security_right") {
		askRight = rawAskRight
	}
	if sc.HasProcedure("wc_sel_user") {
		selUser = rawSelUser
	}
	imageSelect, imageJoin := "NULL", ""
	if sc.ident("image_task.create_image") != "" {
		imageSelect, imageJoin = "i.{image_task.create_image}", rawImageJoin
	}
	tasks := strings.NewReplacer("{image_select}", imageSelect, "{image_join}", imageJoin).Replace(rawTaskColumns)
	userCols, userVals := "", ""
	if sc.ident("event_schedule.user_name") != "" && sc.ident("event_schedule.user_full_name") != "" {
		userCols, userVals = ", {event_schedule.user_name}, {event_schedule.user_full_name}", ", @userName, @userFullName"
	}
	insert := strings.NewReplacer("{user_cols}", userCols, "{user_vals}", userVals).Replace(rawInsertSchedule)
	// Candidate jobs (kind 1, with whether each is tagged) with their
	// tasks, and the subtrees' tops (kind 3). Where task_return_handlers is
	// visible the same statements also bring every job that is some job's
	// return handler and every handler pair (kind 2: job, NULL, handler),
	// so the handler check costs no statement of its own whatever the
	// depth of the handler chains. Each comes seeded by the root's name
	// (one batch with the folders) and by a root id (the rare second read).
	candidateJobs := rawSubtreeCTE + "\n" + rawCandidateJobs + rawCandidateWhere + rawSeeds + rawCandidateJobsOrder
	candidateTasks := rawSubtreeCTE + tasks + "\n WHERE t.event_id IN (SELECT e.event_id FROM {event} e WHERE" + rawCandidateWhere + ")" + rawTaskOrder
	handlersOf, askHandlers := "", ""
	if sc.ident("task_return_handlers") != "" {
		candidateJobs = rawSubtreeCTE + "\n" + strings.NewReplacer("{candidate}", rawCandidateWhere, "{seeds}", rawSeeds).Replace(rawCandidateJobsWithHandlers)
		candidateTasks = rawSubtreeCTE + tasks + "\n WHERE t.event_id IN (SELECT e.event_id FROM {event} e WHERE" + rawCandidateWhere + ")" +
			"\n    OR t.event_id IN (SELECT h.handler FROM {task_return_handlers} h)" + rawTaskOrder
		handlersOf = x(rawHandlersOf)
	}
	seeded := func(text, seed string) string {
		return x(strings.NewReplacer("{seed}", seed, "{tagged}", rawTagged).Replace(text))
	}
	if sc.HasProcedure("wc_sel_return_handler_jobs") {
		askHandlers = x(rawAskHandlers)
	}
	q := &queries{
		handlersOf:         handlersOf,
		askHandlers:        askHandlers,
		now:                x(`SELECT {now}`),
		runNow:             x(`SELECT {run_now}`),
		principals:         x(principals),
		dsAccounts:         x(rawDSAccounts),
		folders:            x(rawFolders),
		candidateJobs:      seeded(candidateJobs, rawSeedByName),
		candidateTasks:     seeded(candidateTasks, rawSeedByName),
		candidateJobsByID:  seeded(candidateJobs, rawSeedByID),
		candidateTasksByID: seeded(candidateTasks, rawSeedByID),
		jobByID:            x(rawJobColumns + " WHERE e.event_id = @jobId"),
		tasksByJob:         x(tasks + "\n WHERE t.event_id = @jobId" + rawTaskOrder),
		imageTypeExec:      x(rawImageTypeExec),
		groupChain:         x(rawGroupChain),
		links:              x(rawLinks),
		adminRights:        x(adminRights),
		askRight:           x(askRight),
		selUser:            x(selUser),
		computerBase:       x(rawComputerColumns),
		computerOrder:      expand(sc, rawComputerOrder),
		scheduleByID:       x(rawScheduleColumns + " WHERE schedule_id = @scheduleId"),
		pendingSchedule:    x(rawScheduleColumns + rawPendingWhere),
		pendingForComputer: x(rawScheduleColumns + rawPendingForComputer),
		maxSchedule:        x(rawMaxSchedule),
		insertSchedule:     x(insert),
		execSchedule:       x(rawExecSchedule),
		selLoggedOn:        x(rawSelLoggedOn),
		insLoggedOn:        x(rawInsLoggedOn),
		scheduleInfo:       x(rawScheduleInfo),
		computerExists:     x(rawComputerExists),
		folderChain:        x(rawFolderChain),
		principalCount:     x(rawPrincipalCount),
		jobsByIDs:          x(rawJobColumns + " WHERE e.event_id IN ({in:j})"),
		tasksByJobIDs:      x(tasks + "\n WHERE t.event_id IN ({in:j})" + rawTaskOrder),
		computerWhere:      map[matchColumn]string{},
	}
	for k, v := range rawComputerWhere {
		q.computerWhere[k] = expand(sc, v)
	}
	return q
}

// sqliteBeginImmediate takes SQLite's write lock at BEGIN, before the
// schedule_id read; SQL Server gets the same effect from SERIALIZABLE.
const sqliteBeginImmediate = "BEGIN IMMEDIATE"
