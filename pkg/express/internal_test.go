package express

import (
	"database/sql"
	"reflect"
	"strings"
	"testing"
	"time"

	mssql "github.com/microsoft/go-mssqldb"

	"github.com/imageinvoker/imageinvoker/pkg/model"
)

func TestSplitStatements(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"two statements", "SELECT 1; SELECT 2;", []string{"SELECT 1", "SELECT 2"}},
		{"semicolon in string", "INSERT INTO t VALUES ('a;b'); SELECT 1", []string{"INSERT INTO t VALUES ('a;b')", "SELECT 1"}},
		{"doubled quote", "INSERT INTO t VALUES ('it''s;'); X", []string{"INSERT INTO t VALUES ('it''s;')", "X"}},
		{"comment with semicolon", "SELECT 1 -- a; b\n; SELECT 2", []string{"SELECT 1", "SELECT 2"}},
		{"only comments", "-- nothing here;\n", nil},
		{"backslash kept", `INSERT INTO u VALUES ('LAB\tech1');`, []string{`INSERT INTO u VALUES ('LAB\tech1')`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SplitStatements(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("SplitStatements(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestLikeEscape(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"default tag bracket is a T-SQL class", "[imageinvoker]", `\[imageinvoker]`},
		{"percent and underscore", "50%_off", `50\%\_off`},
		{"escape char itself", `a\b`, `a\\b`},
		{"plain", "tag", "tag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := likeEscape(tt.in); got != tt.want {
				t.Errorf("likeEscape(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
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

// Both dialects must run the same text except for the server-clock
// expressions, and no marker may survive expansion.
func TestDialectsShareSQLText(t *testing.T) {
	lite, server := dialectQueries[DialectSQLite], dialectQueries[DialectSQLServer]
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
	if !reflect.DeepEqual(lite.tableChecks, server.tableChecks) || !reflect.DeepEqual(lite.computerWhere, server.computerWhere) {
		t.Error("table checks or computer lookups differ between dialects")
	}
	if !strings.Contains(server.insertSchedule, "DATEADD(minute,-1,GETDATE())") {
		t.Errorf("sqlserver insert lacks the run-now expression: %s", server.insertSchedule)
	}
	if !strings.Contains(lite.insertSchedule, "'-1 minute'") {
		t.Errorf("sqlite insert lacks the run-now expression: %s", lite.insertSchedule)
	}
}

func TestProcedureCall(t *testing.T) {
	start := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	req := QueueRequest{Computer: model.Computer{ID: 5000001}, Job: &model.Job{ID: 2000002}, ConsoleUserID: 14000001}
	got := procedureArgs(req, start)
	want := []any{
		sql.Named("jobId", int64(2000002)), sql.Named("computerId", int64(5000001)), sql.Named("userId", int64(14000001)),
		sql.Named("deferMins", 0), sql.Named("startTime", mssql.DateTime1(start)), sql.Named("recur", 0),
		sql.Named("recurType", 0), sql.Named("configItemId", 0),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("procedureArgs = %v, want %v", got, want)
	}
	// Every argument the statement names must be bound, in the SDK's order.
	text := dialectQueries[DialectSQLServer].execSchedule
	if text != "EXEC wc_ins_schedule @jobId, @computerId, @userId, @deferMins, @startTime, @recur, @recurType, @configItemId" {
		t.Errorf("exec text = %q", text)
	}
	for _, a := range got {
		if !strings.Contains(text, "@"+a.(sql.NamedArg).Name) {
			t.Errorf("argument %s is not in %q", a.(sql.NamedArg).Name, text)
		}
	}
}
