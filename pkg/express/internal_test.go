package express

import (
	"database/sql"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	mssql "github.com/microsoft/go-mssqldb"

	"github.com/imageinvoker/imageinvoker/internal/tabletest"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

func TestSplitStatements(t *testing.T) {
	tabletest.Slices(t, "SplitStatements", SplitStatements, []tabletest.Case[string, []string]{
		{Name: "two statements", In: "SELECT 1; SELECT 2;", Want: []string{"SELECT 1", "SELECT 2"}},
		{Name: "semicolon in string", In: "INSERT INTO t VALUES ('a;b'); SELECT 1", Want: []string{"INSERT INTO t VALUES ('a;b')", "SELECT 1"}},
		{Name: "doubled quote", In: "INSERT INTO t VALUES ('it''s;'); X", Want: []string{"INSERT INTO t VALUES ('it''s;')", "X"}},
		{Name: "comment with semicolon", In: "SELECT 1 -- a; b\n; SELECT 2", Want: []string{"SELECT 1", "SELECT 2"}},
		{Name: "only comments", In: "-- nothing here;\n", Want: nil},
		{Name: "backslash kept", In: `INSERT INTO u VALUES ('LAB\tech1');`, Want: []string{`INSERT INTO u VALUES ('LAB\tech1')`}},
	})
}

func TestLikeEscape(t *testing.T) {
	tabletest.Func(t, "likeEscape", likeEscape, []tabletest.Case[string, string]{
		{Name: "default tag bracket is a T-SQL class", In: "[imageinvoker]", Want: `\[imageinvoker]`},
		{Name: "percent and underscore", In: "50%_off", Want: `50\%\_off`},
		{Name: "escape char itself", In: `a\b`, Want: `a\\b`},
		{Name: "plain", In: "tag", Want: "tag"},
	})
}

func TestInListAndChunks(t *testing.T) {
	text, args := withInList("x IN ({in:v}) AND y IN ({in:w})", "v", []string{"A", "B", "C"})
	if text != "x IN (@v0,@v1,@v2) AND y IN ({in:w})" {
		t.Errorf("text = %q", text)
	}
	want := []any{sql.Named("v0", "A"), sql.Named("v1", "B"), sql.Named("v2", "C")}
	if !reflect.DeepEqual(args, want) {
		t.Errorf("args = %v, want %v", args, want)
	}
	tests := []struct {
		name  string
		n     int
		size  int
		sizes []int
	}{
		{"empty", 0, 500, nil},
		{"one short chunk", 3, 500, []int{3}},
		{"exact", 1000, 500, []int{500, 500}},
		{"remainder", 1201, 500, []int{500, 500, 201}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vals := make([]int, tt.n)
			var sizes []int
			total := 0
			for _, c := range chunks(vals, tt.size) {
				sizes = append(sizes, len(c))
				total += len(c)
			}
			if !reflect.DeepEqual(sizes, tt.sizes) || total != tt.n {
				t.Errorf("chunk sizes = %v, want %v", sizes, tt.sizes)
			}
		})
	}
	// Two lists of maxInList plus the fixed parameters must stay well under
	// SQL Server's 2,100-parameter limit.
	if 2*maxInList+len(model.SchedulePermissionIDs)+10 >= 2100 {
		t.Errorf("maxInList %d risks SQL Server's 2,100-parameter limit", maxInList)
	}
}

// fullSchema is discovery's answer for a database that has every name the
// fixtures use and every DS procedure.
func fullSchema(dialect string) *Schema {
	found := map[string]map[string]string{}
	names := map[string]string{}
	for _, t := range needs {
		n := t.names[0]
		names[n] = n
		found[n] = map[string]string{}
		for _, c := range t.columns {
			found[n][c.names[0]] = c.names[0]
		}
	}
	procs := map[string]bool{}
	for _, p := range procNeeds {
		procs[p.name] = true
	}
	return resolveSchema(dialect, found, names, procs, SecurityState{Source: "inferred"})
}

// Both dialects must run the same text except for the server-clock
// expressions, and no marker may survive expansion.
func TestDialectsShareSQLText(t *testing.T) {
	lite, server := buildQueries(fullSchema(DialectSQLite)), buildQueries(fullSchema(DialectSQLServer))
	lv, sv := reflect.ValueOf(*lite), reflect.ValueOf(*server)
	for i := 0; i < lv.NumField(); i++ {
		name := lv.Type().Field(i).Name
		if lv.Field(i).Kind() != reflect.String {
			continue
		}
		l, s := lv.Field(i).String(), sv.Field(i).String()
		if strings.Contains(strings.ReplaceAll(l, "{in:", ""), "{") {
			t.Errorf("%s: unexpanded marker in %q", name, l)
		}
		// run_now contains now on SQL Server: put the longer one back first.
		for _, k := range []string{"run_now", "now"} {
			l = strings.ReplaceAll(l, dialectExprs[DialectSQLite][k], "{"+k+"}")
			s = strings.ReplaceAll(s, dialectExprs[DialectSQLServer][k], "{"+k+"}")
		}
		if l != s {
			t.Errorf("%s differs between dialects beyond the clock:\nsqlite:    %s\nsqlserver: %s", name, l, s)
		}
	}
	if !reflect.DeepEqual(lite.computerWhere, server.computerWhere) {
		t.Error("computer lookups differ between dialects")
	}
	if !strings.Contains(server.insertSchedule, "DATEADD(minute,-1,GETDATE())") {
		t.Errorf("sqlserver insert lacks the run-now expression: %s", server.insertSchedule)
	}
	if !strings.Contains(lite.insertSchedule, "'-1 minute'") {
		t.Errorf("sqlite insert lacks the run-now expression: %s", lite.insertSchedule)
	}
}

// Optional names that a database lacks become NULL or drop out of the
// statement; required ones are refused with the table and column named.
func TestSchemaVariants(t *testing.T) {
	sc := fullSchema(DialectSQLServer)
	q := buildQueries(sc)
	if !strings.Contains(q.candidateTasks, "i.create_image") || !strings.Contains(q.principals, "securitygroupmember") {
		t.Fatalf("full schema statements lack the optional names:\n%s\n%s", q.candidateTasks, q.principals)
	}
	found := map[string]map[string]string{}
	names := map[string]string{}
	for _, tn := range needs {
		if tn.key == "members" {
			continue
		}
		n := tn.names[0]
		names[n] = n
		found[n] = map[string]string{}
		for _, c := range tn.columns {
			if c.key == "create_image" || c.key == "user_name" || c.key == "user_full_name" {
				continue
			}
			found[n][c.names[0]] = c.names[0]
		}
	}
	lean := resolveSchema(DialectSQLServer, found, names, map[string]bool{}, SecurityState{})
	if len(lean.Missing) != 0 {
		t.Fatalf("optional names reported missing: %v", lean.Missing)
	}
	q = buildQueries(lean)
	for _, bad := range []string{"create_image", "image_task", "securitygroupmember", "user_name"} {
		for _, text := range []string{q.candidateTasks, q.tasksByJob, q.principals, q.insertSchedule} {
			if strings.Contains(text, bad) {
				t.Errorf("statement names %s, which this database lacks: %s", bad, text)
			}
		}
	}
	if !strings.Contains(q.scheduleByID, "NULL, NULL") {
		t.Errorf("schedule read without user columns should select NULLs: %s", q.scheduleByID)
	}

	// The old layout: securityuser.name instead of username, power_type.
	delete(found["securityuser"], "username")
	delete(found["reboot_task"], "reboot_method")
	found["reboot_task"]["power_type"] = "power_type"
	old := resolveSchema(DialectSQLite, found, names, nil, SecurityState{})
	want := []string{"reboot_task.reboot_method", "securityuser.username"}
	if !reflect.DeepEqual(old.Missing, want) {
		t.Errorf("missing = %v, want %v", old.Missing, want)
	}
	if got := describeMissing(old.Missing); got != "table reboot_task has no column reboot_method; table securityuser has no column username" {
		t.Errorf("describeMissing = %q", got)
	}
}

func TestProcedureArgs(t *testing.T) {
	start := time.Date(2025, 3, 4, 5, 6, 7, 890, time.UTC)
	req := QueueRequest{Computer: model.Computer{ID: 5000001}, Job: &model.Job{ID: 2000002}}
	got := procedureArgs(req, start)
	want := []any{
		sql.Named("jobId", int32(2000002)), sql.Named("computerId", int32(5000001)), sql.Named("userId", int32(-1)),
		sql.Named("deferMins", int64(0)), sql.Named("startTime", mssql.DateTime1(time.Date(2025, 3, 4, 5, 6, 0, 0, time.UTC))),
		sql.Named("recur", int64(0)), sql.Named("recurType", int32(2)),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("procedureArgs = %#v, want %#v", got, want)
	}
	text := buildQueries(fullSchema(DialectSQLServer)).execSchedule
	for _, a := range got {
		n := a.(sql.NamedArg).Name
		if !strings.Contains(text, "@"+n+" = @"+n) {
			t.Errorf("argument %s is not bound by name in %q", n, text)
		}
	}
}

// SQL Server refusing the login (18456) is a store that cannot be reached,
// and says so apart: trying the same login again would count another
// failure against the account. Other failures to connect say nothing of it.
func TestLoginRefusedIsItsOwnKind(t *testing.T) {
	s := &Store{where: "ds01:1433"}
	refused := s.connectError(mssql.Error{Number: 18456, Message: "Login failed for user 'imageinvoker'."})
	if !errors.Is(refused, model.ErrStoreUnreachable) || !errors.Is(refused, model.ErrStoreLoginRefused) {
		t.Errorf("login refused: %v; want ErrStoreUnreachable and ErrStoreLoginRefused", refused)
	}
	down := s.connectError(mssql.Error{Number: 4060, Message: "Cannot open database"})
	if !errors.Is(down, model.ErrStoreUnreachable) || errors.Is(down, model.ErrStoreLoginRefused) {
		t.Errorf("database missing: %v; want ErrStoreUnreachable alone", down)
	}
}
