package express

import (
	"fmt"
	"regexp"
	"strings"
)

// This file is the only place that knows eXpress table and column names and
// holds every SQL statement the store sends. Production runs these exact
// texts against the real DS 6.9 tables, so a name that turns out wrong on a
// real server is fixed here and nowhere else.
//
// Statement texts write names as {key} markers, expanded from idents once at
// init; a marker without an entry panics at init, so a typo cannot ship.
// {in:NAME} markers are left for run time: they become a generated
// placeholder list @NAME0,@NAME1,... whose values are bound (see inList).

// idents maps every marker to the real identifier. Keys marked UNVERIFIED
// are readings of domain.md §1 that no real DS database has confirmed yet.
var idents = map[string]string{
	"event_folder":            "event_folder",
	"event":                   "event",
	"task":                    "task",
	"image_task":              "image_task",     // UNVERIFIED table
	"image_task.create_image": "create_image",   // UNVERIFIED column
	"reboot_task":             "reboot_task",    // UNVERIFIED table
	"reboot_task.power_type":  "power_type",     // UNVERIFIED column
	"computer_group":          "computer_group", // UNVERIFIED table
	"computer":                "computer",
	"nics":                    "nics", // mac_addr format UNVERIFIED (12 upper-case hex assumed)
	"securityuser":            "securityuser",
	"securitygroup":           "securitygroup",
	"securitypermissionlink":  "securitypermissionlink",
	"securityrightlink":       "securityrightlink", // UNVERIFIED table (the SDK reads it via wc_sel_administrator)
	"event_schedule":          "event_schedule",    // UNVERIFIED table, columns SEEN
	"wc_ins_schedule":         "wc_ins_schedule",   // SEEN procedure; its result shape is UNVERIFIED
}

// Pending schedule markers (UNVERIFIED): a schedule row counts as "pending"
// (DS has not picked it up yet) when status_code is NULL and status is NULL,
// empty or 'Scheduled' (compared lower-cased). Once the DS service starts a
// job it writes a status and a status_code, and the row stops being pending.
// A pending row for the same computer and job makes Queue idempotent.
const pendingStatusLower = "scheduled"

// Dialect differences. Everything else is the same text on SQLite and SQL
// Server; only "the database server's clock" has no common spelling
// (CURRENT_TIMESTAMP exists in both but SQLite gives it second precision as
// text and cannot subtract a minute from it without its own functions).
// "run now" uses SQL Server's GETDATE(), the server's local wall clock, which
// is what DS's own service compares start_time against; "now" (Store.Now,
// for doctor's clock check) is UTC so it compares with any machine's clock
// whatever the server's time zone. SQLite has no server: UTC for both.
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
	// One statement for all console principals and whether each holds the
	// Administrative right directly: the LEFT JOIN keeps principals without it.
	rawPrincipals = `
SELECT 1 AS kind, u.user_id AS id, u.name, r.right_id
  FROM {securityuser} u
  LEFT JOIN {securityrightlink} r ON r.user_id = u.user_id AND r.right_id = @adminRight
UNION ALL
SELECT 2 AS kind, g.group_id AS id, g.name, r.right_id
  FROM {securitygroup} g
  LEFT JOIN {securityrightlink} r ON r.user_id = g.group_id AND r.right_id = @adminRight`

	rawFolders = `SELECT folder_id, parent_id, name FROM {event_folder}`

	// The root folder's subtree, as a CTE both SQLite (WITH without
	// RECURSIVE is accepted) and T-SQL run. depth guards against cycles.
	rawSubtreeCTE = `
WITH sub(folder_id, depth) AS (
  SELECT folder_id, 0 FROM {event_folder} WHERE folder_id = @root
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
 OR LOWER(CAST(e.description AS NVARCHAR(4000))) LIKE @tagPlain ESCAPE '\'
 OR LOWER(CAST(e.description AS NVARCHAR(4000))) LIKE @tagNamed ESCAPE '\'`

	rawJobColumns = `SELECT e.event_id, e.name, e.folder_id, e.description FROM {event} e`

	// Tasks with their per-type detail; a missing detail row gives NULLs,
	// which become nil pointers (the access engine then fails closed).
	rawTaskColumns = `
SELECT t.event_id, t.cond_seq, t.task_seq, t.task_type, i.{image_task.create_image}, r.{reboot_task.power_type}
  FROM {task} t
  LEFT JOIN {image_task} i ON i.event_id = t.event_id AND i.cond_seq = t.cond_seq AND i.task_seq = t.task_seq
  LEFT JOIN {reboot_task} r ON r.event_id = t.event_id AND r.cond_seq = t.cond_seq AND r.task_seq = t.task_seq`

	rawTaskOrder = ` ORDER BY t.event_id, t.cond_seq, t.task_seq`

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

	rawComputerColumns = `
SELECT c.computer_id, c.name, c.group_id, c.serial_num, c.asset_tag, c.uuid, n.mac_addr
  FROM {computer} c LEFT JOIN {nics} n ON n.computer_id = c.computer_id`
	rawComputerOrder = ` ORDER BY c.computer_id, n.nic_id`

	rawScheduleColumns = `
SELECT schedule_id, computer_id, event_id, start_time, status, status_code, user_name, user_full_name
  FROM {event_schedule}`

	rawPendingWhere = `
 WHERE computer_id = @computerId AND event_id = @jobId AND status_code IS NULL
   AND (status IS NULL OR status = '' OR LOWER(status) = @pendingStatus)
 ORDER BY schedule_id`

	rawMaxSchedule = `
SELECT MAX(schedule_id) FROM {event_schedule} WHERE schedule_id BETWEEN @firstId AND @lastId`

	rawInsertSchedule = `
INSERT INTO {event_schedule} (schedule_id, computer_id, event_id, start_time, user_name, user_full_name)
VALUES (@scheduleId, @computerId, @jobId, {run_now}, @userName, @userFullName)`

	// DS's own scheduling procedure (SDK). Arguments are positional as in
	// the SDK; it answers with the new schedule_id as a one-row result
	// (UNVERIFIED: a RETURN value or OUTPUT parameter would need a change here).
	rawExecSchedule = `EXEC {wc_ins_schedule} @jobId, @computerId, @userId, @deferMins, @startTime, @recur, @recurType, @configItemId`

	rawSetScheduleUser = `
UPDATE {event_schedule} SET user_name = @userName, user_full_name = @userFullName WHERE schedule_id = @scheduleId`

	rawComputerExists = `SELECT computer_id FROM {computer} WHERE computer_id = @computerId`
)

// queries is one dialect's expanded statements.
type queries struct {
	now, runNow                   string
	principals, folders           string
	candidateJobs, candidateTasks string
	jobByID, tasksByJob           string
	groupChain, links             string
	computerBase, computerOrder   string
	scheduleByID, pendingSchedule string
	maxSchedule, insertSchedule   string
	execSchedule, setScheduleUser string
	computerExists                string
	computerWhere                 map[matchColumn]string
	tableChecks                   []tableCheckQuery
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

type tableCheckQuery struct {
	table string
	query string
}

// rawTableChecks name every table and column the client reads or writes;
// `doctor` runs each with WHERE 1=0 so a missing column fails, not only a
// missing table.
var rawTableChecks = []struct{ table, columns string }{
	{"event_folder", "folder_id, parent_id, name"},
	{"event", "event_id, name, folder_id, description"},
	{"task", "event_id, cond_seq, task_seq, task_type"},
	{"image_task", "event_id, cond_seq, task_seq, {image_task.create_image}"},
	{"reboot_task", "event_id, cond_seq, task_seq, {reboot_task.power_type}"},
	{"computer_group", "group_id, parent_id, name"},
	{"computer", "computer_id, name, group_id, serial_num, asset_tag, uuid"},
	{"nics", "computer_id, nic_id, mac_addr"},
	{"securityuser", "user_id, name"},
	{"securitygroup", "group_id, name"},
	{"securitypermissionlink", "permission_id, user_id, object_id, allow"},
	{"securityrightlink", "right_id, user_id"},
	{"event_schedule", "schedule_id, computer_id, event_id, start_time, status, status_code, user_name, user_full_name"},
}

var dialectQueries = map[string]*queries{}

func init() {
	for d := range dialectExprs {
		dialectQueries[d] = buildQueries(d)
	}
}

var markerRE = regexp.MustCompile(`\{([a-z_.:]+)\}`)

// expand replaces {name} markers for one dialect; {in:...} stays for run time.
func expand(dialect, s string) string {
	return markerRE.ReplaceAllStringFunc(s, func(m string) string {
		key := m[1 : len(m)-1]
		if strings.HasPrefix(key, "in:") {
			return m
		}
		if v, ok := idents[key]; ok {
			return v
		}
		if v, ok := dialectExprs[dialect][key]; ok {
			return v
		}
		panic(fmt.Sprintf("express: unknown SQL marker %s", m))
	})
}

func buildQueries(d string) *queries {
	x := func(s string) string { return strings.TrimSpace(expand(d, s)) }
	q := &queries{
		now:             x(`SELECT {now}`),
		runNow:          x(`SELECT {run_now}`),
		principals:      x(rawPrincipals),
		folders:         x(rawFolders),
		candidateJobs:   x(rawSubtreeCTE + "\n" + rawJobColumns + " WHERE" + rawCandidateWhere + " ORDER BY e.event_id"),
		candidateTasks:  x(rawSubtreeCTE + rawTaskColumns + "\n WHERE t.event_id IN (SELECT e.event_id FROM {event} e WHERE" + rawCandidateWhere + ")" + rawTaskOrder),
		jobByID:         x(rawJobColumns + " WHERE e.event_id = @jobId"),
		tasksByJob:      x(rawTaskColumns + "\n WHERE t.event_id = @jobId" + rawTaskOrder),
		groupChain:      x(rawGroupChain),
		links:           x(rawLinks),
		computerBase:    x(rawComputerColumns),
		computerOrder:   expand(d, rawComputerOrder),
		scheduleByID:    x(rawScheduleColumns + " WHERE schedule_id = @scheduleId"),
		pendingSchedule: x(rawScheduleColumns + rawPendingWhere),
		maxSchedule:     x(rawMaxSchedule),
		insertSchedule:  x(rawInsertSchedule),
		execSchedule:    x(rawExecSchedule),
		setScheduleUser: x(rawSetScheduleUser),
		computerExists:  x(rawComputerExists),
		computerWhere:   map[matchColumn]string{},
	}
	for k, v := range rawComputerWhere {
		q.computerWhere[k] = expand(d, v)
	}
	for _, t := range rawTableChecks {
		q.tableChecks = append(q.tableChecks, tableCheckQuery{
			table: idents[t.table],
			query: x("SELECT " + t.columns + " FROM {" + t.table + "} WHERE 1 = 0"),
		})
	}
	return q
}

// sqliteBeginImmediate takes SQLite's write lock at BEGIN, before the
// schedule_id read; SQL Server gets the same effect from SERIALIZABLE.
const sqliteBeginImmediate = "BEGIN IMMEDIATE"
