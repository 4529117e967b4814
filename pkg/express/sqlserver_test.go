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

// queueServer scripts a DS 6.9 SQL Server for one queue: the job as on the
// menu, the computer present, nothing pending, and the logged-on user new
// when knownUser is 0.
func queueServer(knownUser int64) answerFunc {
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
		case strings.HasPrefix(text, "SELECT computer_id FROM computer"):
			return []resultSet{{{int64(5000001)}}}, nil
		case strings.HasPrefix(text, "SELECT schedule_id") && strings.Contains(text, "WHERE computer_id"):
			return nil, nil // nothing pending
		case strings.HasPrefix(text, "SELECT schedule_id"):
			return []resultSet{{{int64(100000042), int64(5000001), int64(2000002), serverNow, nil, nil, nil, nil}}}, nil
		case strings.HasPrefix(text, "SELECT DATEADD"):
			return []resultSet{{{serverNow.Add(-time.Minute)}}}, nil
		// DS's procedures may answer with more columns than the id: DS's
		// client takes column 0 of row 0 (ExecuteScalar) and so must we.
		case strings.HasPrefix(text, "EXEC wc_ins_schedule "):
			return []resultSet{{named("schedule_id", "event_id", "computer_id"), {int64(100000042), int64(2000002), int64(5000001)}}}, nil
		case strings.HasPrefix(text, "EXEC wc_sel_loggedon_users"):
			if knownUser != 0 {
				return []resultSet{{named("user_id", "user_name", "full_name"), {knownUser, `LAB	ech9`, nil}}}, nil
			}
			return nil, nil
		case strings.HasPrefix(text, "EXEC wc_ins_loggedon_users"):
			return []resultSet{{named("id", "user_name"), {int64(7), `LAB	ech1`}}}, nil
		case strings.HasPrefix(text, "EXEC wc_ins_schedule_info"):
			return nil, nil
		}
		return nil, fmt.Errorf("unscripted statement: %s", text)
	}
}

// The procedure path sends exactly what DS's SDK sends: wc_ins_schedule with
// seven arguments of DS's types, then the technician through the logged-on
// user procedures, in one SERIALIZABLE transaction with the idempotency check.
func TestQueueProcedureContract(t *testing.T) {
	s, rec := recordingStore(t, OpenOptions{}, queueServer(0))
	if s.QueueMethod() != QueueProcedure {
		t.Fatalf("auto on SQL Server = %s, want procedure", s.QueueMethod())
	}
	res, err := s.Queue(context.Background(), QueueRequest{
		Computer: model.Computer{ID: 5000001, Name: "PC-01"}, Job: testJob,
		UserName: `LAB\tech1`, UserFullName: "Tech One", ConsoleUserID: 14000001,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Schedule.ID != 100000042 || res.AlreadyQueued {
		t.Errorf("result = %+v", res)
	}
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
	start := "startTime mssql.DateTime1 " + fmt.Sprint(mssql.DateTime1(time.Date(2026, 12, 2, 9, 40, 0, 0, time.UTC)))
	want := []string{
		"discover",
		"begin Serializable",
		"query SELECT e.event_id, e.name, e.folder_id, e.description FROM event e WHERE e.event_id = @jobId [jobId int64 2000002]",
		"query " + buildQueries(fullSchema(DialectSQLServer)).tasksByJob + " [jobId int64 2000002]",
		"query SELECT computer_id FROM computer WHERE computer_id = @computerId [computerId int64 5000001]",
		"query " + buildQueries(fullSchema(DialectSQLServer)).pendingSchedule + " [computerId int64 5000001; jobId int64 2000002; pendingStatus string scheduled]",
		"query SELECT DATEADD(minute,-1,GETDATE())",
		"query EXEC wc_ins_schedule @jobId = @jobId, @computerId = @computerId, @userId = @userId, @deferMins = @deferMins, @startTime = @startTime, @recur = @recur, @recurType = @recurType" +
			" [jobId int32 2000002; computerId int32 5000001; userId int32 14000001; deferMins int64 0; " + start + "; recur int64 0; recurType int32 2]",
		`query EXEC wc_sel_loggedon_users @user_name = @user_name [user_name string LAB\tech1]`,
		`query EXEC wc_ins_loggedon_users @user_name = @user_name, @full_name = @full_name [user_name string LAB\tech1; full_name string Tech One]`,
		"exec EXEC wc_ins_schedule_info @schedule_id = @schedule_id, @user_id = @user_id [schedule_id int32 100000042; user_id int32 7]",
		"query " + buildQueries(fullSchema(DialectSQLServer)).scheduleByID + " [scheduleId int64 100000042]",
		"commit",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("statements sent:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A technician DS already knows as a logged-on user is not inserted again;
// no console user row means @userId -1.
func TestQueueProcedureKnownUser(t *testing.T) {
	s, rec := recordingStore(t, OpenOptions{QueueMethod: QueueProcedure}, queueServer(3))
	if _, err := s.Queue(context.Background(), QueueRequest{
		Computer: model.Computer{ID: 5000001}, Job: testJob, UserName: `LAB\tech9`,
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
	base := queueServer(0)
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

func ptr64(v int64) *int64 { return &v }

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
