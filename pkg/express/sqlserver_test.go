package express

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	mssql "github.com/microsoft/go-mssqldb"

	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// argSig is one argument as the driver is handed it: name, Go type, value.
func argSig(args []driver.NamedValue) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = fmt.Sprintf("%s %T %v", a.Name, a.Value, a.Value)
	}
	return out
}

var testJob = &model.Job{ID: 2000002, Name: "Deploy Win11", FolderID: 1000003, Tasks: []model.Task{
	{CondSeq: 1, TaskSeq: 1, Type: model.TaskImage, CreateImage: boolPtr(false)},
}}

func boolPtr(b bool) *bool { return &b }

// queueRun says how the scripted server answers one queue.
type queueRun struct {
	knownUser int64 // the logged-on user DS already has; 0: new
	pending   bool  // the same job already waits for this computer
	revoked   bool  // tech1's "Schedule this job" entry is gone by queue time
	deadlocks int   // wc_ins_schedule fails as a deadlock victim (1205) this often first
}

// tech1Identity is who queues in the SQL Server contract tests.
var tech1Identity = model.Identity{User: `LAB\tech1`, Groups: []string{`LAB\Imaging Techs`}, Domains: []model.Domain{{NetBIOS: "LAB", DNS: "lab.example"}}}

// queueServer scripts a DS 6.9 SQL Server for one queue, answering as DS
// does: the job as on the menu, the computer present in group Bench (12)
// under Lab (11), LAB\tech1 (console user 14000001) in LAB\Imaging Techs
// (15000001), who may schedule the job (folder entry on ImageInvoker) and
// distribute images (All Computers); DS's procedures answer with more
// columns than the id, as DS's client allows.
func queueServer(run queueRun) answerFunc {
	serverNow := time.Date(2026, 12, 2, 9, 41, 37, 123e6, time.UTC)
	return func(text string, args []driver.NamedValue) ([]resultSet, error) {
		switch {
		case isDiscovery(text):
			on := int64(1)
			return discoveryAnswer(nil, allProcs(), &on), nil
		case strings.HasPrefix(text, "SELECT e.event_id"):
			return []resultSet{{{int64(2000002), "Deploy Win11", int64(1000003), nil}}}, nil
		case strings.HasPrefix(text, "SELECT t.event_id"):
			return []resultSet{{{int64(2000002), int64(1), int64(1), int64(15), int64(0), nil}}}, nil
		case strings.HasPrefix(text, "SELECT computer_id, group_id FROM computer"):
			return []resultSet{{named("computer_id", "group_id"), {int64(5000001), int64(12)}}}, nil
		case strings.HasPrefix(text, "SELECT 1 AS kind"):
			return []resultSet{{
				{int64(1), int64(14000001), "S_MSAIuLDKv_^P", "lab.example", "LAB", nil, nil},
				{int64(2), int64(15000001), "Imaging Techs", nil, "LAB", nil, nil},
				{int64(2), int64(15000002), "Domain Admins", nil, "LAB", int64(15000002), nil},
				{int64(3), int64(15000009), nil, nil, nil, int64(14000002), nil},
			}}, nil
		case strings.HasPrefix(text, "SELECT event_id, handler FROM task_return_handlers"):
			return nil, nil
		case strings.HasPrefix(text, "WITH up(folder_id"):
			return []resultSet{{
				{int64(1000003), int64(1000002), "Deep"},
				{int64(1000002), int64(1000001), "Imaging"},
				{int64(1000001), nil, "ImageInvoker"},
			}}, nil
		case strings.HasPrefix(text, "WITH up(group_id"):
			return []resultSet{{{int64(12), int64(11), "Bench"}, {int64(11), nil, "Lab"}}}, nil
		case strings.HasPrefix(text, "SELECT permission_id, user_id, object_id, allow FROM securitypermissionlink"):
			links := resultSet{{int64(40), int64(15000001), int64(-1), true}}
			if !run.revoked {
				links = append(links, []driver.Value{int64(66), int64(14000001), int64(1000001), int64(1)})
			}
			return []resultSet{links}, nil
		case strings.HasPrefix(text, "SELECT schedule_id") && strings.Contains(text, "WHERE computer_id"):
			if run.pending {
				return []resultSet{{{int64(100000005), int64(5000001), int64(2000002), serverNow, nil, nil, `LAB\someone`, "Some One"}}}, nil
			}
			return nil, nil // nothing pending
		case strings.HasPrefix(text, "SELECT schedule_id"):
			return []resultSet{{{int64(100000042), int64(5000001), int64(2000002), serverNow, nil, nil, nil, nil}}}, nil
		case strings.HasPrefix(text, "SELECT DATEADD"):
			return []resultSet{{{serverNow.Add(-time.Minute)}}}, nil
		// DS's procedures may answer with more columns than the id: DS's
		// client takes column 0 of row 0 (ExecuteScalar) and so must we.
		case strings.HasPrefix(text, "EXEC wc_ins_schedule "):
			if run.deadlocks > 0 {
				run.deadlocks--
				return nil, mssql.Error{Number: 1205, Message: "Transaction was deadlocked on lock resources with another process and has been chosen as the deadlock victim. Rerun the transaction."}
			}
			return []resultSet{{named("schedule_id", "event_id", "computer_id"), {int64(100000042), int64(2000002), int64(5000001)}}}, nil
		case strings.HasPrefix(text, "EXEC wc_sel_loggedon_users"):
			if run.knownUser != 0 {
				return []resultSet{{named("user_id", "user_name", "full_name"), {run.knownUser, `LAB\tech9`, nil}}}, nil
			}
			return nil, nil
		case strings.HasPrefix(text, "EXEC wc_ins_loggedon_users"):
			return []resultSet{{named("id", "user_name"), {int64(7), `LAB\tech1`}}}, nil
		case strings.HasPrefix(text, "EXEC wc_ins_schedule_info"):
			return nil, nil
		}
		return nil, fmt.Errorf("unscripted statement: %s", text)
	}
}

// sent is the recorder's calls as lines: kind, text, [name type value; ...];
// discovery as "discover".
func sent(rec *recorder) []string {
	var got []string
	for _, c := range rec.Calls() {
		if c.kind == "query" && isDiscovery(c.text) {
			got = append(got, "discover")
			continue
		}
		line := c.kind
		if c.text != "" {
			line += " " + c.text
		}
		if len(c.args) > 0 {
			line += " [" + strings.Join(argSig(c.args), "; ") + "]"
		}
		got = append(got, line)
	}
	return got
}

// The queue transaction up to the scheduling, written out: BEGIN, then one
// batch of every read — the job and its tasks now, the computer and its
// group now, console users and groups with the Administrative right, the
// job's return handlers, the folders above the job's folder, the group
// chain of the computer's group, the pending schedule of the same job and
// the server's time — then tech1's entries, read once the identity is
// matched (a request without the menu gives no principals to read them
// with the batch).
var queueReadsSQL = "query " + strings.Join([]string{
	"SELECT e.event_id, e.name, e.folder_id, e.description FROM event e WHERE e.event_id = @jobId",
	`SELECT t.event_id, t.cond_seq, t.task_seq, t.task_type, i.create_image, r.reboot_method
  FROM task t
  LEFT JOIN image_task i ON i.event_id = t.event_id AND i.cond_seq = t.cond_seq AND i.task_seq = t.task_seq
  LEFT JOIN reboot_task r ON r.event_id = t.event_id AND r.cond_seq = t.cond_seq AND r.task_seq = t.task_seq
 WHERE t.event_id = @jobId ORDER BY t.event_id, t.cond_seq, t.task_seq`,
	"SELECT computer_id, group_id FROM computer WHERE computer_id = @computerId",
	principalsText,
	"SELECT event_id, handler FROM task_return_handlers WHERE event_id IN (@j0)",
	`WITH up(folder_id, parent_id, name, depth) AS (
  SELECT folder_id, parent_id, name, 0 FROM event_folder WHERE folder_id IN (@f0)
  UNION ALL
  SELECT f.folder_id, f.parent_id, f.name, u.depth + 1 FROM event_folder f JOIN up u ON f.folder_id = u.parent_id WHERE u.depth < @maxDepth
)
SELECT DISTINCT folder_id, parent_id, name FROM up`,
	`WITH up(group_id, parent_id, name, depth) AS (
  SELECT group_id, parent_id, name, 0 FROM computer_group WHERE group_id = @groupId
  UNION ALL
  SELECT g.group_id, g.parent_id, g.name, u.depth + 1 FROM computer_group g JOIN up u ON g.group_id = u.parent_id WHERE u.depth < @maxDepth
)
SELECT group_id, parent_id, name FROM up`,
	`SELECT schedule_id, computer_id, event_id, start_time, status, status_code, user_name, user_full_name
  FROM event_schedule
 WHERE computer_id = @computerId AND event_id = @jobId AND status_code IS NULL
   AND (status IS NULL OR status = '' OR LOWER(status) = @pendingStatus)
 ORDER BY schedule_id`,
	"SELECT DATEADD(minute,-1,GETDATE())",
}, ";\n\n") + " [jobId int64 2000002; computerId int64 5000001; adminRight int 1; j0 int64 2000002; f0 int64 1000003; maxDepth int 40; groupId int64 12; pendingStatus string scheduled]"

var queueDecisionSQL = []string{
	"begin Serializable",
	queueReadsSQL,
	`query SELECT permission_id, user_id, object_id, allow FROM securitypermissionlink
 WHERE user_id IN (@pr0,@pr1)
   AND (permission_id = @permJob
        OR (permission_id IN (@pe0,@pe1,@pe2,@pe3,@pe4,@pe5,@pe6,@pe7,@pe8,@pe9,@pe10,@pe11,@pe12,@pe13,@pe14,@pe15) AND object_id IN (@ob0,@ob1,@ob2,@ob3))) ` +
		"[permJob int 66; pe0 int 39; pe1 int 40; pe2 int 41; pe3 int 42; pe4 int 43; pe5 int 44; pe6 int 45; pe7 int 46; pe8 int 47; pe9 int 48; pe10 int 49; pe11 int 50; pe12 int 51; pe13 int 52; pe14 int 53; pe15 int 64; " +
		"ob0 int64 -1; ob1 int64 11; ob2 int64 12; ob3 int64 5000001; pr0 int64 14000001; pr1 int64 15000001]",
}

// queueWrites are the statements that schedule, written out.
func queueWrites(start string) []string {
	return []string{
		"query EXEC wc_ins_schedule @jobId = @jobId, @computerId = @computerId, @userId = @userId, @deferMins = @deferMins, @startTime = @startTime, @recur = @recur, @recurType = @recurType" +
			" [jobId int32 2000002; computerId int32 5000001; userId int32 14000001; deferMins int64 0; " + start + "; recur int64 0; recurType int32 2]",
	}
}

// The procedure path sends exactly what DS's SDK sends: wc_ins_schedule with
// seven arguments of DS's types, then the technician through the logged-on
// user procedures, in one SERIALIZABLE transaction with the idempotency
// check and the decision from scratch. Every expected statement is written
// out here, not taken from the code under test.
func TestQueueProcedureContract(t *testing.T) {
	s, rec := recordingStore(t, OpenOptions{}, queueServer(queueRun{}))
	if s.QueueMethod() != QueueProcedure {
		t.Fatalf("auto on SQL Server = %s, want procedure", s.QueueMethod())
	}
	res, err := s.Queue(context.Background(), QueueRequest{
		Computer: model.Computer{ID: 5000001, Name: "PC-01", GroupID: 12}, Job: testJob,
		UserName: `LAB\tech1`, UserFullName: "Tech One", ConsoleUserID: 14000001, Identity: &tech1Identity,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Schedule.ID != 100000042 || res.AlreadyQueued {
		t.Errorf("result = %+v", res)
	}
	start := "startTime mssql.DateTime1 " + fmt.Sprint(mssql.DateTime1(time.Date(2026, 12, 2, 9, 40, 0, 0, time.UTC)))
	want := append([]string{"discover"}, queueDecisionSQL...)
	want = append(want, queueWrites(start)...)
	want = append(want,
		`query EXEC wc_sel_loggedon_users @user_name = @user_name [user_name string LAB\tech1]`,
		`query EXEC wc_ins_loggedon_users @user_name = @user_name, @full_name = @full_name [user_name string LAB\tech1; full_name string Tech One]`,
		"exec EXEC wc_ins_schedule_info @schedule_id = @schedule_id, @user_id = @user_id [schedule_id int32 100000042; user_id int32 7]",
		`query SELECT schedule_id, computer_id, event_id, start_time, status, status_code, user_name, user_full_name
  FROM event_schedule WHERE schedule_id = @scheduleId [scheduleId int64 100000042]`,
		"commit",
	)
	if got := sent(rec); !reflect.DeepEqual(got, want) {
		t.Errorf("statements sent:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// The other branches of the SQL Server queue, scripted: the job already
// pending (nothing scheduled, the pending id answered), a revocation seen
// inside the transaction (refused, nothing scheduled, rolled back), and a
// deadlock victim (1205) answered by one retry of the whole transaction.
func TestQueueProcedureBranches(t *testing.T) {
	start := "startTime mssql.DateTime1 " + fmt.Sprint(mssql.DateTime1(time.Date(2026, 12, 2, 9, 40, 0, 0, time.UTC)))
	req := QueueRequest{Computer: model.Computer{ID: 5000001, Name: "PC-01", GroupID: 12}, Job: testJob,
		UserName: `LAB\tech1`, UserFullName: "Tech One", ConsoleUserID: 14000001, Identity: &tech1Identity}

	t.Run("already pending", func(t *testing.T) {
		s, rec := recordingStore(t, OpenOptions{}, queueServer(queueRun{pending: true}))
		res, err := s.Queue(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if !res.AlreadyQueued || res.Schedule.ID != 100000005 || res.Schedule.UserName != `LAB\someone` {
			t.Errorf("result = %+v, want the pending schedule 100000005", res)
		}
		want := append([]string{"discover"}, queueDecisionSQL...)
		want = append(want, "rollback")
		if got := sent(rec); !reflect.DeepEqual(got, want) {
			t.Errorf("statements sent:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})

	t.Run("revoked inside the transaction", func(t *testing.T) {
		s, rec := recordingStore(t, OpenOptions{}, queueServer(queueRun{revoked: true}))
		_, err := s.Queue(context.Background(), req)
		if !errors.Is(err, model.ErrNotPermitted) || !strings.Contains(err.Error(), "nothing was queued") {
			t.Fatalf("err = %v, want ErrNotPermitted", err)
		}
		want := append([]string{"discover"}, queueDecisionSQL...)
		want = append(want, "rollback")
		if got := sent(rec); !reflect.DeepEqual(got, want) {
			t.Errorf("statements sent:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})

	t.Run("deadlock victim retried once", func(t *testing.T) {
		s, rec := recordingStore(t, OpenOptions{}, queueServer(queueRun{deadlocks: 1, knownUser: 3}))
		res, err := s.Queue(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if res.Schedule.ID != 100000042 || res.AlreadyQueued {
			t.Errorf("result = %+v", res)
		}
		attempt := append(append([]string(nil), queueDecisionSQL...), queueWrites(start)...)
		want := append([]string{"discover"}, attempt...)
		want = append(want, "rollback")
		want = append(want, attempt...)
		want = append(want,
			`query EXEC wc_sel_loggedon_users @user_name = @user_name [user_name string LAB\tech1]`,
			"exec EXEC wc_ins_schedule_info @schedule_id = @schedule_id, @user_id = @user_id [schedule_id int32 100000042; user_id int32 3]",
			`query SELECT schedule_id, computer_id, event_id, start_time, status, status_code, user_name, user_full_name
  FROM event_schedule WHERE schedule_id = @scheduleId [scheduleId int64 100000042]`,
			"commit",
		)
		if got := sent(rec); !reflect.DeepEqual(got, want) {
			t.Errorf("statements sent:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

// A technician DS already knows as a logged-on user is not inserted again;
// no console user row means @userId -1.
func TestQueueProcedureKnownUser(t *testing.T) {
	s, rec := recordingStore(t, OpenOptions{QueueMethod: QueueProcedure}, queueServer(queueRun{knownUser: 3}))
	if _, err := s.Queue(context.Background(), QueueRequest{
		Computer: model.Computer{ID: 5000001}, Job: testJob, UserName: `LAB\tech9`, Identity: &tech1Identity,
	}); err != nil {
		t.Fatal(err)
	}
	var sawUser, sawInfo bool
	for _, c := range rec.Calls() {
		switch {
		case strings.HasPrefix(c.text, "EXEC wc_ins_loggedon_users"):
			t.Error("inserted a logged-on user DS already has")
		case strings.HasPrefix(c.text, "EXEC wc_ins_schedule "):
			sawUser = c.args[2].Name == "userId" && c.args[2].Value == int32(-1)
		case strings.HasPrefix(c.text, "EXEC wc_ins_schedule_info"):
			sawInfo = c.args[1].Value == int32(3)
		}
	}
	if !sawUser || !sawInfo {
		t.Errorf("userId -1 sent: %v; schedule_info with the known user: %v", sawUser, sawInfo)
	}
}

// A login that may not execute DS's procedures is told so before anything
// is written, and the whole queue is refused with model.ErrSchema.
func TestQueueProcedureNotCallable(t *testing.T) {
	base := queueServer(queueRun{})
	s, rec := recordingStore(t, OpenOptions{}, func(text string, args []driver.NamedValue) ([]resultSet, error) {
		if isDiscovery(text) {
			return discoveryAnswer(nil, []string{"wc_sel_loggedon_users"}, nil), nil
		}
		return base(text, args)
	})
	_, err := s.Queue(context.Background(), QueueRequest{Computer: model.Computer{ID: 5000001}, Job: testJob, UserName: `LAB\tech1`})
	if !errors.Is(err, model.ErrSchema) || !strings.Contains(err.Error(), "GRANT EXECUTE ON wc_ins_schedule") {
		t.Fatalf("err = %v", err)
	}
	if n := len(rec.Calls()); n != 1 {
		t.Errorf("%d statements sent after discovery refused the procedure path", n-1)
	}
}

// DS's own security state, when its procedure answers, decides whether
// console security applies ("auto"); it rides on the discovery round trip
// and is read as DS's RemotedObject::IsSecurityEnabled reads it: no row =
// on, NULL = off, 0 = off, non-zero = on, column 0 whatever else comes.
// DS's "off" while it has console users or groups is doctor's warning.
func TestSecurityStateFromDS(t *testing.T) {
	ds := SecurityState{Known: true, Source: "wc_sel_security_state"}
	on := ds
	on.On = true
	for _, tt := range []struct {
		name  string
		state []resultSet // the second result set(s); nil: not callable
		want  SecurityState
		warn  bool
	}{
		{"on", []resultSet{{{int64(1)}}}, on, false},
		{"non-zero", []resultSet{{{int64(7)}}}, on, false},
		{"off", []resultSet{{{int64(0)}}}, ds, true},
		{"NULL is off", []resultSet{{{nil}}}, ds, true},
		{"no row is on", []resultSet{{}}, on, false},
		{"extra columns", []resultSet{{named("state", "note"), {int64(0), "console security disabled"}}}, ds, true},
		{"not callable", nil, SecurityState{Source: "inferred"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, rec := recordingStore(t, OpenOptions{}, func(text string, _ []driver.NamedValue) ([]resultSet, error) {
				if strings.HasPrefix(text, "SELECT (SELECT COUNT(*) FROM securityuser)") {
					return []resultSet{{{int64(3)}}}, nil
				}
				return append(discoveryAnswer(nil, allProcs(), nil), tt.state...), nil
			})
			sc, err := s.Schema(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			warning := sc.Security.Warning
			sc.Security.Warning = ""
			if sc.Security != tt.want {
				t.Errorf("security = %+v, want %+v", sc.Security, tt.want)
			}
			if (warning != "") != tt.warn || (tt.warn && !strings.Contains(warning, "3 console users or groups")) {
				t.Errorf("warning = %q, want one: %v", warning, tt.warn)
			}
			calls := rec.Calls()
			if !strings.Contains(calls[0].text, "HAS_PERMS_BY_NAME(N'wc_sel_security_state'") {
				t.Errorf("security state not asked in discovery: %v", calls[0].text)
			}
			if want := map[bool]int{true: 2, false: 1}[tt.warn]; len(calls) != want {
				t.Errorf("%d statements, want %d", len(calls), want)
			}
			// DS's answer decides, console users or not; "on" is always on.
			known := tt.state != nil
			if !s.securityOn("on", false) {
				t.Error(`"on" is not on`)
			}
			if got := s.securityOn("auto", true); got != (!known || tt.want.On) {
				t.Errorf("auto with console users = %v", got)
			}
			if got := s.securityOn("auto", false); got != (known && tt.want.On) {
				t.Errorf("auto without console users = %v", got)
			}
		})
	}
}

// Without a known create/distribute column DS itself is asked, one
// wc_sel_inage_task_type per image task, batched: one round trip per
// maxInList tasks, each answer its own result set.
func TestImageTypesAskDS(t *testing.T) {
	defer func(n int) { maxInList = n }(maxInList)
	maxInList = 2
	var batches [][]string
	s, rec := recordingStore(t, OpenOptions{}, func(text string, args []driver.NamedValue) ([]resultSet, error) {
		switch {
		case isDiscovery(text):
			return discoveryAnswer(map[string]bool{"image_task.create_image": true}, allProcs(), nil), nil
		case strings.HasPrefix(text, "EXEC wc_sel_inage_task_type"):
			batches = append(batches, argSig(args))
			var sets []resultSet
			for i := 0; i < len(args); i += 3 {
				job := args[i].Value.(int64)
				switch job {
				case 2000001:
					sets = append(sets, resultSet{{int64(1)}}) // create
				case 2000002:
					sets = append(sets, resultSet{{int64(0)}}) // distribute
				default:
					sets = append(sets, resultSet{}) // no answer
				}
			}
			return sets, nil
		}
		return nil, fmt.Errorf("unscripted: %s", text)
	})
	ctx := context.Background()
	if _, err := s.Schema(ctx); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(s.q.candidateTasks, "image_task") {
		t.Errorf("tasks statement joins image_task without a known column: %s", s.q.candidateTasks)
	}
	jobs := map[int64]*model.Job{
		2000001: {ID: 2000001, Tasks: []model.Task{{CondSeq: 1, TaskSeq: 1, Type: model.TaskImage}, {CondSeq: 1, TaskSeq: 2, Type: model.TaskRunScript}}},
		2000002: {ID: 2000002, Tasks: []model.Task{{CondSeq: 1, TaskSeq: 1, Type: model.TaskImage}}},
		2000003: {ID: 2000003, Tasks: []model.Task{{CondSeq: 2, TaskSeq: 3, Type: model.TaskImage}}},
	}
	n := 0
	if err := s.resolveImageTypes(ctx, s.db, &n, jobs); err != nil {
		t.Fatal(err)
	}
	if n != 2 || len(batches) != 2 {
		t.Fatalf("%d round trips (%d batches) for 3 image tasks at 2 a batch, want 2", n, len(batches))
	}
	wantFirst := []string{"j0 int64 2000001", "c0 int 1", "t0 int 1", "j1 int64 2000002", "c1 int 1", "t1 int 1"}
	if !reflect.DeepEqual(batches[0], wantFirst) {
		t.Errorf("first batch args = %v, want %v", batches[0], wantFirst)
	}
	calls := rec.Calls()
	wantText := "EXEC wc_sel_inage_task_type @jobId = @j0, @condSeq = @c0, @taskSeq = @t0;\nEXEC wc_sel_inage_task_type @jobId = @j1, @condSeq = @c1, @taskSeq = @t1;"
	if calls[1].text != wantText {
		t.Errorf("batch text = %q, want %q", calls[1].text, wantText)
	}
	if c := jobs[2000001].Tasks[0].CreateImage; c == nil || !*c {
		t.Errorf("job 2000001 image task: %v, want create", c)
	}
	if c := jobs[2000002].Tasks[0].CreateImage; c == nil || *c {
		t.Errorf("job 2000002 image task: %v, want distribute", c)
	}
	if tk := jobs[2000003].Tasks[0]; tk.CreateImage != nil || tk.DetailNote != noteImageNoAnswer {
		t.Errorf("unanswered task = %+v, want unknown with a note", tk)
	}
}

// Where DS cannot be asked (SQLite, or a login that may not execute the
// procedure) the detail stays unknown and says why.
func TestImageTypesWithoutDS(t *testing.T) {
	s, rec := recordingStore(t, OpenOptions{}, func(text string, _ []driver.NamedValue) ([]resultSet, error) {
		return discoveryAnswer(map[string]bool{"image_task.create_image": true}, nil, nil), nil
	})
	ctx := context.Background()
	if _, err := s.Schema(ctx); err != nil {
		t.Fatal(err)
	}
	jobs := map[int64]*model.Job{2000001: {ID: 2000001, Tasks: []model.Task{{CondSeq: 1, TaskSeq: 1, Type: model.TaskImage}}}}
	if err := s.resolveImageTypes(ctx, s.db, nil, jobs); err != nil {
		t.Fatal(err)
	}
	if tk := jobs[2000001].Tasks[0]; tk.CreateImage != nil || tk.DetailNote != noteImageNoSource {
		t.Errorf("task = %+v", tk)
	}
	if len(rec.Calls()) != 1 {
		t.Errorf("asked DS without its procedure: %v", rec.Calls())
	}
}

// doctor --access asks DS's own wc_sel_security_permission: one EXEC a
// question, sent in batches (one round trip each), @selectResults an int as
// DS's client sends it, the answer DS's 4-column row read by name.
func TestAskDSContract(t *testing.T) {
	defer func(n int) { askBatch = n }(askBatch)
	askBatch = 2
	var texts []string
	var sigs [][]string
	s, _ := recordingStore(t, OpenOptions{}, func(text string, args []driver.NamedValue) ([]resultSet, error) {
		if isDiscovery(text) {
			return discoveryAnswer(nil, allProcs(), nil), nil
		}
		texts, sigs = append(texts, text), append(sigs, argSig(args))
		var sets []resultSet
		for i := 2; i < len(args); i += 2 {
			// DS's one row, read by name: granted, permission, object,
			// user ("" = no explicit entry anywhere), in an order that puts
			// granted elsewhere than column 0.
			head := named("permission", "granted", "object", "user")
			switch args[i].Value.(int32) { // the permission
			case model.PermScheduleJob:
				sets = append(sets, resultSet{head, {"Schedule this job", int64(1), "Deploy", `LAB	ech1`}})
			case model.PermDistributeImage:
				sets = append(sets, resultSet{head, {"Distribute image", int64(0), "PC-01", ""}})
			default:
				sets = append(sets, resultSet{}) // no answer
			}
		}
		return sets, nil
	})
	qs := []Question{{model.PermScheduleJob, 2000001}, {model.PermDistributeImage, 5000001}, {model.PermReboot, 5000001}}
	var progress []int
	answers, trips, err := s.AskDS(context.Background(), 14000001, qs, func(done, _ int) { progress = append(progress, done) })
	if err != nil {
		t.Fatal(err)
	}
	if trips != 2 || len(texts) != 2 || !reflect.DeepEqual(progress, []int{2, 3}) {
		t.Fatalf("%d round trips, progress %v, want 2 and [2 3]", trips, progress)
	}
	wantText := "EXEC wc_sel_security_permission @userId = @u, @permission = @p0, @objectId = @o0, @selectResults = @r;\n" +
		"EXEC wc_sel_security_permission @userId = @u, @permission = @p1, @objectId = @o1, @selectResults = @r;"
	if texts[0] != wantText {
		t.Errorf("batch text = %q", texts[0])
	}
	wantArgs := []string{"u int32 14000001", "r int32 1", "p0 int32 66", "o0 int32 2000001", "p1 int32 40", "o1 int32 5000001"}
	if !reflect.DeepEqual(sigs[0], wantArgs) {
		t.Errorf("args = %v, want %v", sigs[0], wantArgs)
	}
	if answers[0] == nil || !*answers[0] || answers[1] == nil || *answers[1] || answers[2] != nil {
		t.Errorf("answers = %v %v %v, want true false nil", answers[0], answers[1], answers[2])
	}

	// Without the procedure, and on SQLite, the check is refused.
	s2, _ := recordingStore(t, OpenOptions{}, func(text string, _ []driver.NamedValue) ([]resultSet, error) {
		return discoveryAnswer(nil, nil, nil), nil
	})
	if _, _, err := s2.AskDS(context.Background(), 14000001, qs, nil); !errors.Is(err, model.ErrSchema) {
		t.Errorf("without the procedure: %v", err)
	}
}

// Names from the catalogue end up in statement text: a catalogue that
// answers with something other than a plain identifier (an injection, or
// Unicode that lowercases onto one of ours, like the Kelvin sign onto k) is
// not taken, and the table counts as missing.
func TestDiscoveryTakesOnlyPlainIdentifiers(t *testing.T) {
	for _, bad := range []string{"task; DROP TABLE event--", "tas\u212a", "[task]"} {
		t.Run(bad, func(t *testing.T) {
			s, rec := recordingStore(t, OpenOptions{}, func(text string, _ []driver.NamedValue) ([]resultSet, error) {
				sets := discoveryAnswer(map[string]bool{"task": true}, allProcs(), nil)
				for _, c := range []string{"event_id", "cond_seq", "task_seq", "task_type"} {
					sets[0] = append(sets[0], []driver.Value{bad, c})
				}
				return sets, nil
			})
			sc, err := s.Schema(context.Background())
			if !errors.Is(err, model.ErrSchema) || !reflect.DeepEqual(sc.Missing, []string{"task"}) {
				t.Fatalf("missing %v, err %v", sc.Missing, err)
			}
			if len(rec.Calls()) != 1 {
				t.Errorf("statements were sent after discovery: %v", rec.Calls())
			}
		})
	}
}

// Without a visible rights table, DS's own wc_sel_security_right answers
// for each matched console user and group, all in one batch, each row read
// by its column name `granted` (DS answers granted and rightname; extra
// columns are ignored, as DS's client ignores them).
func TestRightsAskDS(t *testing.T) {
	var texts []string
	var sigs [][]string
	s, _ := recordingStore(t, OpenOptions{}, func(text string, args []driver.NamedValue) ([]resultSet, error) {
		if isDiscovery(text) {
			return discoveryAnswer(map[string]bool{"rights": true}, allProcs(), nil), nil
		}
		texts, sigs = append(texts, text), append(sigs, argSig(args))
		return []resultSet{
			{named("rightname", "granted", "extra"), {"Administrative", int64(0), "x"}},
			{named("rightname", "granted"), {"Administrative", int64(1)}},
			{named("granted", "rightname"), {nil, "Administrative"}},
		}, nil
	})
	ctx := context.Background()
	sc, err := s.Schema(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sc.RightsSource() != RightsProcedure {
		t.Fatalf("rights source = %s", sc.RightsSource())
	}
	if strings.Contains(s.q.principals, "JOIN") || strings.Contains(s.q.principals, "rightlink") {
		t.Errorf("principals statement joins a rights table this database lacks: %s", s.q.principals)
	}
	ps := []model.Principal{{ID: 14000001, Kind: model.ConsoleUser}, {ID: 15000001, Kind: model.ConsoleGroup}, {ID: 15000002, Kind: model.ConsoleGroup}}
	n := 0
	admins, note, err := s.admins(ctx, s.db, &n, ps)
	if err != nil || note != "" {
		t.Fatal(err, note)
	}
	if n != 1 || len(texts) != 1 {
		t.Fatalf("%d round trips for 3 principals, want 1", n)
	}
	want := "EXEC wc_sel_security_right @userId = @u0, @right = @adminRight, @selectResults = @selectResults;\n" +
		"EXEC wc_sel_security_right @userId = @u1, @right = @adminRight, @selectResults = @selectResults;\n" +
		"EXEC wc_sel_security_right @userId = @u2, @right = @adminRight, @selectResults = @selectResults;"
	if texts[0] != want {
		t.Errorf("batch = %q\nwant %q", texts[0], want)
	}
	wantArgs := []string{"adminRight int32 1", "selectResults int32 1", "u0 int32 14000001", "u1 int32 15000001", "u2 int32 15000002"}
	if !reflect.DeepEqual(sigs[0], wantArgs) {
		t.Errorf("args = %v, want %v", sigs[0], wantArgs)
	}
	if !reflect.DeepEqual(admins, map[int64]bool{15000001: true}) {
		t.Errorf("admins = %v, want only 15000001", admins)
	}

	// Neither a table nor the procedure: nobody, with the note.
	s2, rec2 := recordingStore(t, OpenOptions{}, func(text string, _ []driver.NamedValue) ([]resultSet, error) {
		return discoveryAnswer(map[string]bool{"rights": true}, []string{"wc_ins_schedule"}, nil), nil
	})
	if _, err := s2.Schema(ctx); err != nil {
		t.Fatal(err)
	}
	admins, note, err = s2.admins(ctx, s2.db, nil, ps)
	if err != nil || len(admins) != 0 || note != noteRightsUnknown || len(rec2.Calls()) != 1 {
		t.Errorf("admins %v, note %q, err %v, %d statements", admins, note, err, len(rec2.Calls()))
	}
}

// Without task_return_handlers, DS's wc_sel_return_handler_jobs lists each
// job's return-handler jobs (column job, read by name, duplicates dropped),
// one EXEC a job, one batch a level; handler jobs found are loaded and
// asked in turn, and a cycle ends. With neither, the store is refused.
func TestReturnHandlersAskDS(t *testing.T) {
	var batches []string
	s, _ := recordingStore(t, OpenOptions{}, func(text string, args []driver.NamedValue) ([]resultSet, error) {
		head := named("name", "job")
		switch {
		case isDiscovery(text):
			return discoveryAnswer(map[string]bool{"task_return_handlers": true}, allProcs(), nil), nil
		case strings.HasPrefix(text, "EXEC wc_sel_return_handler_jobs"):
			batches = append(batches, text+" "+strings.Join(argSig(args), "; "))
			var sets []resultSet
			for _, a := range args {
				switch a.Value.(int32) {
				case 2000001:
					sets = append(sets, resultSet{head, {"Flash", int64(2000140)}, {"Flash", int64(2000140)}})
				case 2000140:
					sets = append(sets, resultSet{head, {"Back", int64(2000001)}})
				default:
					sets = append(sets, resultSet{})
				}
			}
			return sets, nil
		case strings.HasPrefix(text, "SELECT e.event_id") && strings.Contains(text, "IN (@j0)"):
			return []resultSet{{{int64(2000140), "Flash", int64(1000010), nil}}}, nil
		case strings.HasPrefix(text, "SELECT t.event_id"):
			return []resultSet{{{int64(2000140), int64(1), int64(1), int64(10), nil, nil}}}, nil
		}
		return nil, fmt.Errorf("unscripted: %s", text)
	})
	ctx := context.Background()
	if _, err := s.Schema(ctx); err != nil {
		t.Fatal(err)
	}
	jobs := map[int64]*model.Job{2000001: {ID: 2000001}, 2000002: {ID: 2000002}}
	n := 0
	extra, err := s.loadHandlers(ctx, s.db, &n, jobs)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"EXEC wc_sel_return_handler_jobs @jobId = @j0;\nEXEC wc_sel_return_handler_jobs @jobId = @j1; j0 int32 2000001; j1 int32 2000002",
		"EXEC wc_sel_return_handler_jobs @jobId = @j0; j0 int32 2000140",
	}
	if !reflect.DeepEqual(batches, want) {
		t.Errorf("batches:\n%q\nwant\n%q", batches, want)
	}
	if n != 4 { // two levels of asking, the handler job and its tasks
		t.Errorf("%d round trips, want 4", n)
	}
	if !reflect.DeepEqual(jobs[2000001].Handlers, []int64{2000140}) || jobs[2000002].Handlers != nil {
		t.Errorf("handlers = %v, %v", jobs[2000001].Handlers, jobs[2000002].Handlers)
	}
	if h := extra[2000140]; h == nil || h.Name != "Flash" || len(h.Tasks) != 1 || !reflect.DeepEqual(h.Handlers, []int64{2000001}) {
		t.Errorf("handler job = %+v", h)
	}

	s2, _ := recordingStore(t, OpenOptions{}, func(text string, _ []driver.NamedValue) ([]resultSet, error) {
		return discoveryAnswer(map[string]bool{"task_return_handlers": true}, []string{"wc_ins_schedule"}, nil), nil
	})
	if sc, err := s2.Schema(ctx); !errors.Is(err, model.ErrSchema) || !reflect.DeepEqual(sc.Missing, []string{"task_return_handlers"}) {
		t.Errorf("neither table nor procedure: missing %v, err %v", sc.Missing, err)
	}
}

// store.queue insert on SQL Server would take MAX(schedule_id)+1 beside
// DS's own counter (sel_next_system_id): it is refused before anything is
// sent, saying why and what to use.
func TestQueueInsertRefusedOnSQLServer(t *testing.T) {
	s, rec := recordingStore(t, OpenOptions{QueueMethod: QueueInsert}, queueServer(queueRun{}))
	_, err := s.Queue(context.Background(), QueueRequest{Computer: model.Computer{ID: 5000001}, Job: testJob, UserName: `LAB\tech1`, Identity: &tech1Identity})
	if !errors.Is(err, model.ErrQueueUnsupported) || !strings.Contains(err.Error(), "sel_next_system_id") || !strings.Contains(err.Error(), "store.queue: procedure") {
		t.Fatalf("err = %v", err)
	}
	if got := sent(rec); !reflect.DeepEqual(got, []string{"discover"}) {
		t.Errorf("statements after the refusal: %v", got)
	}
}

// doctor names the database (DS's data source may point at one other than
// eXpress) and shows what DS's wc_sel_database_info says, where callable.
func TestDatabaseInfo(t *testing.T) {
	for _, tt := range []struct {
		name  string
		procs []string
		want  []string
	}{
		{"with wc_sel_database_info", allProcs(), []string{"version=6.9.453", "dbname=DSLab", "build=NULL"}},
		{"without", nil, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, rec := recordingStore(t, OpenOptions{}, func(text string, _ []driver.NamedValue) ([]resultSet, error) {
				switch {
				case isDiscovery(text):
					return discoveryAnswer(nil, tt.procs, nil), nil
				case text == "SELECT DB_NAME()":
					return []resultSet{{{"DSLab"}}}, nil
				case text == "EXEC wc_sel_database_info":
					return []resultSet{{named("version", "dbname", "build"), {"6.9.453", []byte("DSLab"), nil}}}, nil
				}
				return nil, fmt.Errorf("unscripted: %s", text)
			})
			name, info, err := s.DatabaseInfo(context.Background())
			if err != nil || name != "DSLab" || !reflect.DeepEqual(info, tt.want) {
				t.Errorf("DatabaseInfo = %q, %q, %v; want DSLab, %q", name, info, err, tt.want)
			}
			if n := len(sent(rec)); n != 2+len(tt.want)/3 {
				t.Errorf("%d statements: %v", n, sent(rec))
			}
		})
	}
}

// Without a member table, a DS-native group's members are asked of DS the
// way its SecurityUser::Load reads them: result set 2 of wc_sel_user
// (group_id, by name) for each matched console user; result set 1, which
// carries the password, is passed over.
func TestUserGroupsFromWcSelUser(t *testing.T) {
	var calls []string
	s, _ := recordingStore(t, OpenOptions{}, func(text string, args []driver.NamedValue) ([]resultSet, error) {
		if isDiscovery(text) {
			return discoveryAnswer(map[string]bool{"members": true}, allProcs(), nil), nil
		}
		calls = append(calls, text+" "+strings.Join(argSig(args), "; "))
		return []resultSet{
			{named("user_id", "username", "password"), {int64(14000002), "S_MSAJuLGX[kuP", "TIMW[]AIDJn^lP"}},
			{named("name", "group_id"), {"Bench crew", int64(15000005)}, {"Gone", int64(15000077)}},
			{named("privilege_id"), {int64(2)}},
		}, nil
	})
	ctx := context.Background()
	if _, err := s.Schema(ctx); err != nil {
		t.Fatal(err)
	}
	all := []model.ConsolePrincipal{
		{ID: 14000002, Kind: model.ConsoleUser, Name: "tech2"},
		{ID: 15000004, Kind: model.ConsoleGroup, Name: "Nobody"},
		{ID: 15000005, Kind: model.ConsoleGroup, Name: "Bench crew"},
	}
	n := 0
	matched, notes, err := s.match(ctx, s.db, &n, all, nil, model.Identity{User: `.\tech2`, DSAccount: true})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, p := range matched {
		ids = append(ids, p.ID)
	}
	if !reflect.DeepEqual(ids, []int64{14000002, 15000005}) || len(notes) != 0 || n != 1 {
		t.Errorf("matched %v, notes %q, %d round trips", ids, notes, n)
	}
	if want := []string{"EXEC wc_sel_user @user = @user user int32 14000002"}; !reflect.DeepEqual(calls, want) {
		t.Errorf("calls = %q, want %q", calls, want)
	}
}
