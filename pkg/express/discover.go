package express

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// Evidence says how sure the project is of a name (docs/ds-schema.md).
type Evidence string

const (
	Seen       Evidence = "seen"             // a literal SQL text or constant in DS's SDK
	SeenAsProc Evidence = "seen-as-result"   // a column of a DS procedure's result
	Unverified Evidence = "unverified"       // a reasonable reading no DS database has confirmed
	Fixture    Evidence = "fixture-stand-in" // the name only our fixtures use; DS's is unknown
)

// colNeed is one column the client reads or writes, with the names it is
// known by, preferred first.
type colNeed struct {
	key      string
	names    []string
	optional bool
	evidence Evidence
	why      string // what happens without it (optional columns)
}

// tableNeed is one table, with its columns. An optional table may be absent.
type tableNeed struct {
	key      string
	names    []string
	evidence Evidence
	optional bool
	why      string
	columns  []colNeed
}

func cols(evidence Evidence, names ...string) []colNeed {
	out := make([]colNeed, len(names))
	for i, n := range names {
		out[i] = colNeed{key: n, names: []string{n}, evidence: evidence}
	}
	return out
}

// needs is every table and column the client uses; discovery checks each
// against the database at store open. Keep docs/ds-schema.md in step.
var needs = []tableNeed{
	{key: "event_folder", names: []string{"event_folder"}, evidence: Seen, columns: cols(Seen, "folder_id", "parent_id", "name")},
	{key: "event", names: []string{"event"}, evidence: Seen, columns: cols(Seen, "event_id", "name", "folder_id", "description")},
	{key: "task", names: []string{"task"}, evidence: Seen, columns: cols(Seen, "event_id", "cond_seq", "task_seq", "task_type")},
	{key: "image_task", names: []string{"image_task"}, evidence: Seen, optional: true,
		why: "image tasks' create/distribute is asked of DS's wc_sel_inage_task_type, or both permissions are required",
		columns: append(cols(Unverified, "event_id", "cond_seq", "task_seq"),
			colNeed{key: "create_image", names: []string{"create_image"}, optional: true, evidence: Fixture,
				why: "image tasks' create/distribute is asked of DS's wc_sel_inage_task_type, or both permissions are required"})},
	{key: "reboot_task", names: []string{"reboot_task"}, evidence: Seen,
		columns: append(cols(Unverified, "event_id", "cond_seq", "task_seq"), colNeed{key: "reboot_method", names: []string{"reboot_method"}, evidence: SeenAsProc})},
	{key: "computer_group", names: []string{"computer_group"}, evidence: Unverified, columns: cols(SeenAsProc, "group_id", "parent_id", "name")},
	{key: "computer", names: []string{"computer"}, evidence: Seen, columns: cols(Seen, "computer_id", "name", "group_id", "serial_num", "asset_tag", "uuid")},
	{key: "nics", names: []string{"nics"}, evidence: Seen, columns: cols(Seen, "computer_id", "nic_id", "mac_addr")},
	{key: "securityuser", names: []string{"securityuser"}, evidence: Seen,
		// password is read only for a DS console account sign-in
		// (directory.ds_accounts): DS's cipher is reversible, so a login that
		// builds menus should not be able to read it at all (README grants).
		columns: append(cols(SeenAsProc, "user_id", "username", "fullname", "domain", "netbiosdomain"),
			colNeed{key: "password", names: []string{"password"}, optional: true, evidence: SeenAsProc,
				why: "DS console accounts (directory.ds_accounts) cannot sign in; menus need it not"},
			colNeed{key: "upnname", names: []string{"upnname"}, optional: true, evidence: SeenAsProc,
				why: "console users are matched by DOMAIN\\name only, not by their UPN"})},
	{key: "securitygroup", names: []string{"securitygroup"}, evidence: Seen,
		columns: cols(SeenAsProc, "group_id", "name", "ad_group_domain", "ad_group_netbiosdomain")},
	// Where DS keeps DS-native groups' members (wc_ins_security_group_member):
	// no evidence names the table; these are the readings tried.
	{key: "members", names: []string{"securitygroupmember", "securityusergroup", "securitygroupuser"}, evidence: Unverified, optional: true,
		why:     "DS console groups without an AD domain match nobody (fail closed)",
		columns: cols(Unverified, "group_id", "user_id")},
	{key: "securitypermissionlink", names: []string{"securitypermissionlink"}, evidence: Seen, columns: cols(Seen, "permission_id", "user_id", "object_id", "allow")},
	// Rights (the Administrative right): DS writes them with
	// wc_ins_security_privilege_link and reads them back as privilege_id,
	// so securityprivilegelink is the likely table; securityrightlink is the
	// older reading. Neither is required: on SQL Server DS's own
	// wc_sel_security_right answers instead, and where nothing can tell,
	// nobody holds the right (fail closed).
	{key: "rights", names: []string{"securityprivilegelink", "securityrightlink"}, evidence: Unverified, optional: true,
		why: noteNoRights,
		columns: []colNeed{
			{key: "user_id", names: []string{"user_id"}, evidence: SeenAsProc},
			{key: "right", names: []string{"privilege_id", "right_id"}, evidence: SeenAsProc},
		}},
	// The jobs a job's tasks start on a return code: DS's SDK reads them with
	// "select handler from task_return_handlers where event_id=", and its
	// Schedule::Add demands on them the job's own permissions. Required
	// unless DS's wc_sel_return_handler_jobs can answer instead (resolveSchema).
	{key: "task_return_handlers", names: []string{"task_return_handlers"}, evidence: Seen, optional: true,
		why:     "return-handler jobs are asked of DS's wc_sel_return_handler_jobs",
		columns: cols(Seen, "event_id", "handler")},
	{key: "event_schedule", names: []string{"event_schedule"}, evidence: Seen,
		columns: append(cols(SeenAsProc, "schedule_id", "computer_id", "event_id", "start_time", "status", "status_code"),
			colNeed{key: "user_name", names: []string{"user_name"}, optional: true, evidence: SeenAsProc, why: "who queued is not shown from the schedule row"},
			colNeed{key: "user_full_name", names: []string{"user_full_name"}, optional: true, evidence: SeenAsProc, why: "who queued is not shown from the schedule row"})},
}

// procNeeds are DS's own procedures the client calls where they exist.
var procNeeds = []struct {
	name, use string
}{
	{"wc_ins_schedule", "schedules a job (store.queue: procedure, the default on SQL Server)"},
	{"wc_sel_loggedon_users", "records who scheduled (with wc_ins_loggedon_users, wc_ins_schedule_info)"},
	{"wc_ins_loggedon_users", "records who scheduled"},
	{"wc_ins_schedule_info", "records who scheduled"},
	{"wc_sel_inage_task_type", "tells create from distribute for image tasks when image_task has no known column"},
	{"wc_sel_security_state", "tells whether DS console security is on"},
	{"wc_sel_security_permission", "DS's own permission decision, for doctor --access"},
	{"wc_sel_security_right", "tells who holds the Administrative right when no rights table is visible"},
	{"wc_sel_return_handler_jobs", "lists the jobs a job starts on a return code when task_return_handlers is not visible"},
	{"wc_sel_user", "lists a console user's DS groups when no member table is visible"},
	{"wc_sel_database_info", "DS's own account of its database, shown by doctor"},
	{"wc_sel_security_authenticate", "checks a DS console account's password (directory.ds_accounts) without reading securityuser.password"},
}

// noteNoRights says what a database without a visible rights table costs.
const noteNoRights = "DS's wc_sel_security_right is asked who holds the Administrative right; where it cannot be called either, nobody counts as holding it (fail closed: permissions alone decide)"

// Schema is what discovery found: the name of every table and column the
// client uses, the procedures it may call, and what is missing.
type Schema struct {
	Dialect    string        `json:"dialect"`
	Tables     []TableMap    `json:"tables"`
	Procedures []ProcMap     `json:"procedures"`
	Security   SecurityState `json:"security_state"`
	// Missing lists required "table.column" (or "table") names not found.
	Missing []string `json:"missing,omitempty"`
	names   map[string]string
}

// TableMap is one table as found.
type TableMap struct {
	Key      string      `json:"key"`
	Name     string      `json:"name,omitempty"` // "" when not found
	Evidence Evidence    `json:"evidence"`
	Optional bool        `json:"optional,omitempty"`
	Tried    []string    `json:"tried,omitempty"`
	Note     string      `json:"note,omitempty"`
	Columns  []ColumnMap `json:"columns"`
}

// ColumnMap is one column as found.
type ColumnMap struct {
	Key      string   `json:"key"`
	Name     string   `json:"name,omitempty"` // "" when not found
	Evidence Evidence `json:"evidence"`
	Optional bool     `json:"optional,omitempty"`
	Note     string   `json:"note,omitempty"`
}

// ProcMap is one DS procedure and whether this login can call it.
type ProcMap struct {
	Name  string `json:"name"`
	Found bool   `json:"found"`
	Use   string `json:"use"`
}

// SecurityState is DS's console-security switch as the store learned it.
type SecurityState struct {
	// Known is true when DS's wc_sel_security_state answered.
	Known bool `json:"known"`
	On    bool `json:"on"`
	// Source: "wc_sel_security_state", or "inferred" (on when DS has console
	// users or groups, decided per snapshot).
	Source string `json:"source"`
	// Warning: DS says security is off while it has console users or
	// groups (doctor shows it; DS's answer decides).
	Warning string `json:"warning,omitempty"`
}

// ident is the discovered name of a key ("table" or "table.column"), "" when absent.
func (sc *Schema) ident(key string) string {
	if v, ok := sc.names[key]; ok {
		return v
	}
	for _, p := range sc.Procedures {
		if p.Name == key {
			return p.Name
		}
	}
	return ""
}

// HasProcedure reports whether discovery saw a DS procedure this login may call.
func (sc *Schema) HasProcedure(name string) bool {
	for _, p := range sc.Procedures {
		if p.Name == name {
			return p.Found
		}
	}
	return false
}

// Discovery statements: one per dialect, listing the columns of every table
// the client may use (and, on SQL Server, the procedures this login may
// execute and DS's security state when that procedure is callable). The
// catalogue views show only what the login may use, which is the question.
const (
	rawDiscoverSQLite = `
SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
 WHERE m.type IN ('table', 'view') AND LOWER(m.name) IN ({in:t})`

	rawDiscoverSQLServer = `
SELECT TABLE_NAME, COLUMN_NAME FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_NAME IN ({in:t})
UNION ALL
SELECT ROUTINE_NAME, NULL FROM INFORMATION_SCHEMA.ROUTINES WHERE ROUTINE_TYPE = 'PROCEDURE' AND ROUTINE_NAME IN ({in:p});
IF HAS_PERMS_BY_NAME(N'wc_sel_security_state', N'OBJECT', N'EXECUTE') = 1 EXEC wc_sel_security_state;`
)

func discoveryStatement(dialect string) (string, []any) {
	var tables []string
	for _, t := range needs {
		for _, n := range t.names {
			tables = append(tables, strings.ToLower(n))
		}
	}
	if dialect == DialectSQLServer {
		text, targs := withInList(strings.TrimSpace(rawDiscoverSQLServer), "t", tables)
		procs := make([]string, len(procNeeds))
		for i, p := range procNeeds {
			procs[i] = p.name
		}
		text, pargs := withInList(text, "p", procs)
		return text, append(targs, pargs...)
	}
	return withInList(strings.TrimSpace(rawDiscoverSQLite), "t", tables)
}

// discover runs the one discovery statement and resolves every need.
func (s *Store) discover(ctx context.Context) (*Schema, error) {
	text, args := discoveryStatement(s.dialect)
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	s.statements.Add(1)
	rows, err := s.db.QueryContext(ctx, text, args...)
	if err != nil {
		return nil, s.classify("read the eXpress schema", err)
	}
	defer rows.Close()
	found := map[string]map[string]string{} // lower table -> lower column -> real column
	tableName := map[string]string{}        // lower table -> real table
	procs := map[string]bool{}
	for rows.Next() {
		var t, c nullText
		if err := rows.Scan(&t, &c); err != nil {
			return nil, s.classify("read the eXpress schema", err)
		}
		// Discovered names are written into statement text, so only plain
		// ASCII identifiers are taken from the catalogue; anything else
		// (a hostile or odd name, Unicode that folds onto ours) is ignored
		// and the need it would have met counts as missing.
		if !plainIdent(t.S) || (c.Valid && !plainIdent(c.S)) {
			continue
		}
		lt := strings.ToLower(t.S)
		if !c.Valid {
			procs[lt] = true
			continue
		}
		if found[lt] == nil {
			found[lt] = map[string]string{}
			tableName[lt] = t.S
		}
		found[lt][strings.ToLower(c.S)] = c.S
	}
	// DS's wc_sel_security_state, read as RemotedObject::IsSecurityEnabled
	// reads it (docs/ds-schema.md): its set present without a row = on,
	// NULL = off, 0 = off, anything else = on; column 0 whatever else comes.
	var state SecurityState
	if rows.NextResultSet() {
		state = SecurityState{Known: true, On: true, Source: "wc_sel_security_state"}
		if rows.Next() {
			v, err := scanScalar(rows)
			if err != nil {
				return nil, s.classify("read the eXpress schema", err)
			}
			state.On = v.Valid && v.V != 0
		}
	}
	if err := rows.Err(); err != nil {
		return nil, s.classify("read the eXpress schema", err)
	}
	if !state.Known {
		state.Source = "inferred"
	}
	return resolveSchema(s.dialect, found, tableName, procs, state), nil
}

// plainIdent reports an identifier of ASCII letters, digits and underscores.
func plainIdent(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

func resolveSchema(dialect string, found map[string]map[string]string, tableName map[string]string, procs map[string]bool, state SecurityState) *Schema {
	sc := &Schema{Dialect: dialect, Security: state, names: map[string]string{}}
	for _, t := range needs {
		tm := TableMap{Key: t.key, Evidence: t.evidence, Optional: t.optional}
		var colsFound map[string]string
		for _, n := range t.names {
			if c, ok := found[strings.ToLower(n)]; ok && hasAll(c, t.columns) {
				tm.Name, colsFound = tableName[strings.ToLower(n)], c
				break
			}
		}
		if tm.Name == "" {
			// Not found, or found without a required column: name the best
			// candidate so the message says which column is missing.
			for _, n := range t.names {
				if c, ok := found[strings.ToLower(n)]; ok {
					colsFound = c
					tm.Note = "found without every column"
					break
				}
			}
			if len(t.names) > 1 {
				tm.Tried = t.names
			}
		}
		for _, c := range t.columns {
			cm := ColumnMap{Key: c.key, Evidence: c.evidence, Optional: c.optional}
			for _, n := range c.names {
				if real, ok := colsFound[strings.ToLower(n)]; ok {
					cm.Name = real
					break
				}
			}
			switch {
			case cm.Name == "" && c.optional:
				cm.Note = "not found: " + c.why
			case cm.Name == "" && !t.optional && colsFound != nil:
				sc.Missing = append(sc.Missing, t.names[0]+"."+c.names[0])
			}
			if tm.Name != "" && cm.Name != "" {
				sc.names[t.key+"."+c.key] = cm.Name
			}
			tm.Columns = append(tm.Columns, cm)
		}
		switch {
		case tm.Name != "":
			sc.names[t.key] = tm.Name
		case t.optional:
			tm.Note = strings.TrimSpace(tm.Note + " not found: " + t.why)
		case colsFound == nil:
			sc.Missing = append(sc.Missing, t.names[0])
		}
		sc.Tables = append(sc.Tables, tm)
	}
	for _, p := range procNeeds {
		sc.Procedures = append(sc.Procedures, ProcMap{Name: p.name, Found: procs[strings.ToLower(p.name)], Use: p.use})
	}
	// Return handlers must be known one way or the other: a job whose
	// handler starts a forbidden job would otherwise be offered.
	if sc.names["task_return_handlers"] == "" && !(dialect == DialectSQLServer && procs["wc_sel_return_handler_jobs"]) {
		sc.Missing = append(sc.Missing, "task_return_handlers")
	}
	sort.Strings(sc.Missing)
	return sc
}

func hasAll(found map[string]string, need []colNeed) bool {
	for _, c := range need {
		if c.optional {
			continue
		}
		ok := false
		for _, n := range c.names {
			if _, ok = found[strings.ToLower(n)]; ok {
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// schemaError is the refusal of a database that lacks a required name.
func (s *Store) schemaError(sc *Schema) error {
	return &storeError{kind: model.ErrSchema, msg: fmt.Sprintf(
		"the eXpress database at %s lacks what ImageInvoker needs: %s — this is not the DS 6.9 layout ImageInvoker knows (docs/ds-schema.md); run `imageinvoker doctor` and send its output to your ImageInvoker contact",
		s.where, describeMissing(sc.Missing))}
}

// MissingText says what the database lacks, in words ("no table nics").
func (sc *Schema) MissingText() string { return describeMissing(sc.Missing) }

func describeMissing(missing []string) string {
	parts := make([]string, len(missing))
	for i, m := range missing {
		if t, c, ok := strings.Cut(m, "."); ok {
			parts[i] = fmt.Sprintf("table %s has no column %s", t, c)
		} else {
			parts[i] = fmt.Sprintf("no table %s", m)
		}
	}
	return strings.Join(parts, "; ")
}

// Schema discovers the database's names on first use and builds the
// statements for it; later calls return the same answer. A database that
// lacks a required table or column is a model.ErrSchema naming it.
func (s *Store) Schema(ctx context.Context) (*Schema, error) {
	s.schemaMu.Lock()
	defer s.schemaMu.Unlock()
	if s.schema == nil {
		sc, err := s.discover(ctx)
		if err != nil {
			return nil, err
		}
		s.schema = sc
		if len(sc.Missing) == 0 {
			s.q = buildQueries(sc)
			if sc.Security.Known && !sc.Security.On {
				s.securityWarning(ctx)
			}
		}
	}
	if len(s.schema.Missing) > 0 {
		return s.schema, s.schemaError(s.schema)
	}
	return s.schema, nil
}

// ready makes sure discovery ran and the database has what the client needs.
func (s *Store) ready(ctx context.Context) error {
	_, err := s.Schema(ctx)
	return err
}

// securityWarning notes DS's "off" while DS has console users or groups:
// DS's own answer decides, but a person should look (doctor shows it).
func (s *Store) securityWarning(ctx context.Context) {
	var n nullInt
	if err := s.queryRow(ctx, s.db, s.q.principalCount, nil).Scan(&n); err != nil || n.V == 0 {
		return
	}
	s.schema.Security.Warning = fmt.Sprintf("DS says console security is off (wc_sel_security_state), yet it has %d console users or groups: every job is allowed to everyone until it is switched on in the DS console (Tools > Security)", n.V)
}
