package express_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imageinvoker/imageinvoker/pkg/access"
	"github.com/imageinvoker/imageinvoker/pkg/express"
	"github.com/imageinvoker/imageinvoker/pkg/express/expresstest"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// dsAdmin is who asks in the write-path tests: the DS console account
// admin, which holds the Administrative right (basic.sql), so the queue's
// own decision allows every job and the tests are about the writing.
var dsAdmin = model.Identity{User: `.\admin`, DSAccount: true}

func scheduleCount(t *testing.T, s *express.Store) int {
	t.Helper()
	var n int
	if err := s.DB().QueryRow("SELECT COUNT(*) FROM event_schedule").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func menuJob(t *testing.T, s *express.Store, id int64) *model.Job {
	t.Helper()
	j, err := s.Job(context.Background(), id)
	if err != nil {
		t.Fatalf("job %d: %v", id, err)
	}
	return j
}

func TestQueueInsert(t *testing.T) {
	s := basicStore(t)
	ctx := context.Background()
	c := pc01(t, s)
	job := menuJob(t, s, 2000002) // PC-01 has only a finished schedule of it
	before := scheduleCount(t, s)
	now, err := s.Now(ctx)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Queue(ctx, express.QueueRequest{Computer: c, Job: job, UserName: `LAB\tech1`, UserFullName: "Tech One", Identity: &dsAdmin})
	if err != nil {
		t.Fatal(err)
	}
	if res.AlreadyQueued {
		t.Error("AlreadyQueued = true for a new schedule")
	}
	// Highest id in DS's range is 100000007; 300000000 lies outside it.
	if res.Schedule.ID != 100000008 {
		t.Errorf("schedule id = %d, want 100000008", res.Schedule.ID)
	}
	got, err := s.Schedule(ctx, res.Schedule.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got != res.Schedule {
		t.Errorf("stored %+v, returned %+v", got, res.Schedule)
	}
	if got.ComputerID != 5000001 || got.JobID != 2000002 || got.UserName != `LAB\tech1` || got.UserFullName != "Tech One" ||
		got.Status != "" || got.StatusCode != nil {
		t.Errorf("schedule = %+v", got)
	}
	start, err := time.Parse("2006-01-02 15:04:05", got.StartTime)
	if err != nil {
		t.Fatalf("start time %q: %v", got.StartTime, err)
	}
	// Run now = one minute before the database's clock (second precision).
	if d := now.Add(-time.Minute).Sub(start); d < -2*time.Second || d > 30*time.Second {
		t.Errorf("start time %s is not one minute before the server's %s", start, now)
	}
	if n := scheduleCount(t, s); n != before+1 {
		t.Errorf("rows = %d, want %d", n, before+1)
	}

	again, err := s.Queue(ctx, express.QueueRequest{Computer: c, Job: job, UserName: `LAB\other`, Identity: &dsAdmin})
	if err != nil {
		t.Fatal(err)
	}
	if !again.AlreadyQueued || again.Schedule != res.Schedule {
		t.Errorf("second queue = %+v, want the first schedule with AlreadyQueued", again)
	}
	if n := scheduleCount(t, s); n != before+1 {
		t.Errorf("rows after idempotent queue = %d, want %d", n, before+1)
	}
}

func TestQueueExistingPending(t *testing.T) {
	s := basicStore(t)
	before := scheduleCount(t, s)
	res, err := s.Queue(context.Background(), express.QueueRequest{Computer: pc01(t, s), Job: menuJob(t, s, 2000001), UserName: `LAB\tech1`, Identity: &dsAdmin})
	if err != nil {
		t.Fatal(err)
	}
	if !res.AlreadyQueued || res.Schedule.ID != 100000005 || res.Schedule.UserName != `LAB\someone` {
		t.Errorf("result = %+v, want the fixture's pending schedule 100000005", res)
	}
	if n := scheduleCount(t, s); n != before {
		t.Errorf("rows = %d, want %d", n, before)
	}
}

func TestQueueRefusals(t *testing.T) {
	tests := []struct {
		name    string
		change  string // SQL run between menu and queue
		mutate  func(*express.QueueRequest)
		wantErr error
	}{
		{name: "job deleted", change: "DELETE FROM event WHERE event_id = 2000002", wantErr: model.ErrUnknownJob},
		{name: "job renamed", change: "UPDATE event SET name = 'Deploy Win10' WHERE event_id = 2000002", wantErr: model.ErrJobChanged},
		{name: "job moved", change: "UPDATE event SET folder_id = 1000020 WHERE event_id = 2000002", wantErr: model.ErrJobChanged},
		{name: "task added", change: "INSERT INTO task VALUES (2000002, 1, 3, 10)", wantErr: model.ErrJobChanged},
		{name: "image task turned into capture", change: "UPDATE image_task SET create_image = 1 WHERE event_id = 2000002", wantErr: model.ErrJobChanged},
		{name: "power action changed", change: "UPDATE reboot_task SET reboot_method = 2 WHERE event_id = 2000002", wantErr: model.ErrJobChanged},
		{name: "detail row removed", change: "DELETE FROM reboot_task WHERE event_id = 2000002", wantErr: model.ErrJobChanged},
		{name: "computer deleted", change: "DELETE FROM computer WHERE computer_id = 5000001", wantErr: model.ErrUnknownComputer},
		{name: "procedure method on sqlite", wantErr: model.ErrQueueUnsupported},
		{name: "no user", mutate: func(r *express.QueueRequest) { r.UserName = "" }},
		{name: "no job", mutate: func(r *express.QueueRequest) { r.Job = nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := expresstest.NewFile(t, expresstest.Fixture(t, "basic.sql"))
			opts := express.OpenOptions{}
			if tt.name == "procedure method on sqlite" {
				opts.QueueMethod = "procedure"
			}
			s := expresstest.Open(t, path, opts)
			req := express.QueueRequest{Computer: pc01(t, s), Job: menuJob(t, s, 2000002), UserName: `LAB\tech1`, Identity: &dsAdmin}
			if tt.change != "" {
				if _, err := s.DB().Exec(tt.change); err != nil {
					t.Fatal(err)
				}
			}
			if tt.mutate != nil {
				tt.mutate(&req)
			}
			before := scheduleCount(t, s)
			res, err := s.Queue(context.Background(), req)
			if err == nil {
				t.Fatalf("queue succeeded: %+v", res)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if n := scheduleCount(t, s); n != before {
				t.Errorf("rows = %d after a refusal, want %d (nothing written)", n, before)
			}
		})
	}
}

// Twenty technicians queue at once against one SQLite file, each with its
// own store (as separate processes would): distinct pairs each get one row
// with a unique id, identical pairs share one row.
func TestQueueConcurrent(t *testing.T) {
	path := expresstest.NewFile(t, expresstest.Fixture(t, "basic.sql"))
	setup := expresstest.Open(t, path, express.OpenOptions{})
	type pair struct{ computer, job int64 }
	var pairs []pair
	for _, c := range []int64{5000002, 5000003, 5000004} {
		for _, j := range []int64{2000002, 2000003, 2000004, 2000005, 2000006} {
			pairs = append(pairs, pair{c, j})
		}
	}
	distinct := len(pairs)
	pairs = append(pairs, pairs[:5]...) // five pairs queued twice at the same moment
	jobs := map[int64]*model.Job{}
	for _, p := range pairs {
		jobs[p.job] = menuJob(t, setup, p.job)
	}
	before := scheduleCount(t, setup)

	results := make([]express.QueueResult, len(pairs))
	errs := make([]error, len(pairs))
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, p := range pairs {
		s := expresstest.Open(t, path, express.OpenOptions{})
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i], errs[i] = s.Queue(context.Background(), express.QueueRequest{
				Computer: model.Computer{ID: p.computer}, Job: jobs[p.job], UserName: fmt.Sprintf(`LAB\tech%d`, i), Identity: &dsAdmin})
		}()
	}
	close(start)
	wg.Wait()

	byPair := map[pair]int64{}
	fresh := 0
	for i, p := range pairs {
		if errs[i] != nil {
			t.Fatalf("queue %d (%v): %v", i, p, errs[i])
		}
		id := results[i].Schedule.ID
		if prev, ok := byPair[p]; ok && prev != id {
			t.Errorf("pair %v got schedules %d and %d", p, prev, id)
		}
		byPair[p] = id
		if !results[i].AlreadyQueued {
			fresh++
		}
	}
	if fresh != distinct {
		t.Errorf("%d new schedules reported, want %d", fresh, distinct)
	}
	if n := scheduleCount(t, setup); n != before+distinct {
		t.Errorf("rows = %d, want %d", n, before+distinct)
	}
	var dup int
	if err := setup.DB().QueryRow(`SELECT COUNT(*) FROM (SELECT computer_id, event_id FROM event_schedule
		WHERE schedule_id BETWEEN 100000008 AND 200000000 GROUP BY computer_id, event_id HAVING COUNT(*) > 1)`).Scan(&dup); err != nil {
		t.Fatal(err)
	}
	if dup != 0 {
		t.Errorf("%d computer/job pairs have more than one schedule", dup)
	}
	var lo, hi int64
	if err := setup.DB().QueryRow("SELECT MIN(schedule_id), MAX(schedule_id) FROM event_schedule WHERE schedule_id > 100000007 AND schedule_id < 200000000").Scan(&lo, &hi); err != nil {
		t.Fatal(err)
	}
	if lo != 100000008 || hi != 100000007+int64(distinct) {
		t.Errorf("new ids span %d..%d, want 100000008..%d", lo, hi, 100000007+distinct)
	}
}

func TestScheduleUnknown(t *testing.T) {
	s := basicStore(t)
	if _, err := s.Schedule(context.Background(), 100999999); !errors.Is(err, model.ErrUnknownSchedule) {
		t.Errorf("err = %v, want ErrUnknownSchedule", err)
	}
}

func TestNowIsTheDatabaseClock(t *testing.T) {
	s := expresstest.New(t)
	now, err := s.Now(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// SQLite's clock is this host's, in UTC; it must be a real time, not zero.
	if d := time.Since(now); d < -time.Minute || d > time.Minute {
		t.Errorf("Now = %v, host says %v", now, time.Now().UTC())
	}
}

// A permission revoked between menu and queue refuses the queue: the job is
// decided again inside the queue transaction against the entries as they
// are now, and nothing is written.
func TestQueueDecidesAgain(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name   string
		change string
		want   error
	}{
		{"still allowed", "", nil},
		{"folder entry revoked", "DELETE FROM securitypermissionlink WHERE permission_id = 66 AND user_id = 14000001 AND object_id = 1000001", model.ErrNotPermitted},
		{"denied on the job itself", "INSERT INTO securitypermissionlink VALUES (66, 15000001, 2000009, 0)", model.ErrNotPermitted},
		{"made administrator", "DELETE FROM securitypermissionlink WHERE permission_id = 66; INSERT INTO securityprivilegelink VALUES (15000001, 1)", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := basicStore(t)
			c := pc01(t, s)
			snap, err := s.Snapshot(ctx, c, tech1, express.SnapshotOptions{})
			if err != nil {
				t.Fatal(err)
			}
			job := snap.Jobs[2000009] // "Empty job": needs only "Schedule this job"
			if tt.change != "" {
				if err := express.LoadFixture(ctx, s.DB(), tt.change); err != nil {
					t.Fatal(err)
				}
			}
			before := scheduleCount(t, s)
			_, err = s.Queue(ctx, express.QueueRequest{Computer: c, Job: job, UserName: `LAB\tech1`, Menu: snap})
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			wantRows := before + 1
			if tt.want != nil {
				wantRows = before
				if !strings.Contains(err.Error(), "nothing was queued") {
					t.Errorf("message = %v", err)
				}
			}
			if n := scheduleCount(t, s); n != wantRows {
				t.Errorf("schedule rows %d, want %d", n, wantRows)
			}
		})
	}
}

// The console warns when another job already waits for this machine.
func TestPendingSchedules(t *testing.T) {
	s := basicStore(t)
	got, err := s.PendingSchedules(context.Background(), 5000001)
	if err != nil {
		t.Fatal(err)
	}
	// PC-01 has Capture base pending and Deploy Win11 finished.
	if len(got) != 1 || got[0].ID != 100000005 || got[0].JobID != 2000001 || got[0].UserName != `LAB\someone` {
		t.Errorf("pending = %+v", got)
	}
	if got, err := s.PendingSchedules(context.Background(), 5000004); err != nil || len(got) != 0 {
		t.Errorf("PC-04: %+v, %v", got, err)
	}
}

// The queue decides from scratch, always, from what it reads inside its
// transaction: with the menu's principals, with the identity alone (no
// menu: never a skip), and refusing a request with neither. What it reads
// includes the computer's group now and that group's chain (a computer
// moved into a denied group after the menu, or its group moved under one,
// is refused) and the folders above the job.
func TestQueueDecidesFromScratch(t *testing.T) {
	ctx := context.Background()
	const script = 2000012 // runs a script: needs "Schedule run script" on the computer
	setup := "INSERT INTO event VALUES (2000012, 'Run a script', 1000002, NULL);" +
		"INSERT INTO task VALUES (2000012, 1, 1, 10);" +
		"INSERT INTO securitypermissionlink VALUES (48, 15000001, 10, 1);" + // Imaging Techs on Site A
		"INSERT INTO computer_group VALUES (30, NULL, 'Quarantine');" +
		"INSERT INTO securitypermissionlink VALUES (48, 15000001, 30, 0)"
	for _, tt := range []struct {
		name   string
		change string
		menu   bool
		who    *model.Identity
		want   error
	}{
		{"menu, still allowed", "", true, nil, nil},
		{"identity alone, still allowed", "", false, &tech1, nil},
		{"neither menu nor identity", "", false, nil, model.ErrNotPermitted},
		{"menu: computer moved into a denied group", "UPDATE computer SET group_id = 30 WHERE computer_id = 5000001", true, nil, model.ErrNotPermitted},
		{"menu: its group moved under a denied one", "UPDATE computer_group SET parent_id = 30 WHERE group_id = 11", true, nil, model.ErrNotPermitted},
		{"identity alone: computer moved into a denied group", "UPDATE computer SET group_id = 30 WHERE computer_id = 5000001", false, &tech1, model.ErrNotPermitted},
		{"identity alone: folder entry revoked", "DELETE FROM securitypermissionlink WHERE permission_id = 66 AND user_id = 14000001 AND object_id = 1000001", false, &tech1, model.ErrNotPermitted},
		// Allowed now only through what the menu did not read: the queue
		// reads its links for the menu's principals and group chain with its
		// other reads, and must read them again for the fresh ones.
		{"menu: computer moved under a group that allows it", "INSERT INTO computer_group VALUES (31, NULL, 'Scripts'), (32, 31, 'Bench 2');" +
			"INSERT INTO securitypermissionlink VALUES (48, 15000001, 31, 1);" +
			"DELETE FROM securitypermissionlink WHERE permission_id = 48 AND object_id = 10;" +
			"UPDATE computer SET group_id = 32 WHERE computer_id = 5000001", true, nil, nil},
		{"menu and identity: allowed now through a new console group", "INSERT INTO securitygroup VALUES (15000009, 'Domain Users', NULL, NULL, 'LAB');" +
			"INSERT INTO securitypermissionlink VALUES (48, 15000009, 10, 1);" +
			"DELETE FROM securitypermissionlink WHERE permission_id = 48 AND user_id = 15000001", true, &tech1, nil},
		{"menu: the job's folder moved under a denied one", "INSERT INTO event_folder VALUES (1000030, NULL, 'Closed');" +
			"INSERT INTO securitypermissionlink VALUES (66, 14000001, 1000030, 0);" +
			"UPDATE event_folder SET parent_id = 1000030 WHERE folder_id = 1000002", true, nil, model.ErrNotPermitted},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := basicStore(t)
			if err := express.LoadFixture(ctx, s.DB(), setup); err != nil {
				t.Fatal(err)
			}
			c := pc01(t, s)
			snap, err := s.Snapshot(ctx, c, tech1, express.SnapshotOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if !access.New(snap).Allowed(script) {
				t.Fatal("the script job is not on tech1's menu")
			}
			if tt.change != "" {
				if err := express.LoadFixture(ctx, s.DB(), tt.change); err != nil {
					t.Fatal(err)
				}
			}
			req := express.QueueRequest{Computer: c, Job: snap.Jobs[script], UserName: `LAB\tech1`, Identity: tt.who}
			if tt.menu {
				req.Menu = snap
			}
			before := scheduleCount(t, s)
			_, err = s.Queue(ctx, req)
			if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			want := before + 1
			if tt.want != nil {
				want = before
			}
			if n := scheduleCount(t, s); n != want {
				t.Errorf("schedule rows %d, want %d", n, want)
			}
		})
	}
}
