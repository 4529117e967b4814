package flow

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/pkg/express"
	"github.com/imageinvoker/imageinvoker/pkg/express/expresstest"
	"github.com/imageinvoker/imageinvoker/pkg/machine"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// execLab changes the lab database at path as DS would. It reports with
// t.Error, so it may run in a goroutine.
func execLab(t *testing.T, path string, query string, args ...any) {
	db, err := sql.Open("sqlite", express.SQLiteDSN(path))
	if err != nil {
		t.Error(err)
		return
	}
	defer db.Close()
	if _, err := db.Exec(query, args...); err != nil {
		t.Error(err)
	}
}

// bobsMenu previews as LAB\bob (LAB\Techs) and loads his menu on computer
// 5000001; the session is closed when the test ends.
func bobsMenu(t *testing.T, ctx context.Context, f *Flow) (*Session, *Menu) {
	t.Helper()
	sess, err := f.Preview(ctx, model.Identity{User: `LAB\bob`, FullName: "Bob", Groups: []string{`LAB\Techs`}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	m, _ := f.Identify(Override{ComputerID: 5000001})
	mm, err := f.LoadMenu(ctx, sess, m)
	if err != nil {
		t.Fatal(err)
	}
	return sess, mm
}

// labFlow is a flow over a fresh copy of the lab database, at path.
func labFlow(t *testing.T) (f *Flow, cfg *config.Config, path string) {
	t.Helper()
	path = expresstest.LabFile(t)
	f, cfg = newFlow(t, path, nil)
	return f, cfg, path
}

func newFlow(t *testing.T, path string, read func() (machine.Identity, []string, error)) (*Flow, *config.Config) {
	t.Helper()
	cfg := config.Default()
	f := New(Deps{
		Config:      cfg,
		ReadMachine: read,
		OpenReader: func(ctx context.Context, _ *Credentials) (Reader, error) {
			return express.Open(ctx, expresstest.URL(t, "sqlite:"+path), express.OpenOptions{})
		},
		OpenScheduler: func(_ context.Context, r Reader, _ *Credentials) (Scheduler, error) {
			return r.(*express.Store), nil
		},
	})
	return f, cfg
}

func TestIdentifyOrder(t *testing.T) {
	read := func() (machine.Identity, []string, error) {
		return machine.Identity{MACs: []string{"AABBCCDDEEFF"}, Serial: "SN-042", UUID: "X", AssetTag: "AT"}, []string{"no DMI"}, nil
	}
	f, cfg := newFlow(t, "", read)
	cfg.Machine.Match = config.MatchList{config.MatchSerial, config.MatchMAC}
	m, err := f.Identify(Override{})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Keys) != 2 || m.Keys[0].By != model.MatchSerial || m.Keys[1].By != model.MatchMAC {
		t.Errorf("keys follow machine.match: %+v", m.Keys)
	}
	if len(m.Warnings) != 1 {
		t.Errorf("warnings lost: %v", m.Warnings)
	}
	m, err = f.Identify(Override{MACs: []string{"aa-bb-cc-dd-ee-ff"}, ComputerID: 5000001})
	if err != nil {
		t.Fatal(err)
	}
	if m.Keys[0].By != model.MatchComputerID || m.Keys[1].Values[0] != "AABBCCDDEEFF" {
		t.Errorf("override keys: %+v", m.Keys)
	}
	if !strings.Contains(m.Describe(), "MAC AA:BB:CC:DD:EE:FF") || !strings.Contains(m.Describe(), "computer id 5000001") {
		t.Errorf("Describe = %q", m.Describe())
	}
	if _, err := f.Identify(Override{MACs: []string{"nope"}}); exitcode.Of(err) != exitcode.Usage {
		t.Errorf("bad MAC: %v", err)
	}
}

// TestWaitRegistration: DS registers the machine while the flow waits.
func TestWaitRegistration(t *testing.T) {
	f, cfg, path := labFlow(t)
	cfg.Machine.WaitRegistration = 20 * time.Second
	ctx := context.Background()
	st, err := f.d.OpenReader(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m, err := f.Identify(Override{MACs: []string{"02:00:00:00:00:77"}})
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(1500 * time.Millisecond)
		execLab(t, path, `INSERT INTO computer VALUES (5000077, 'NEW-77', -7, NULL, NULL, NULL)`)
		execLab(t, path, `INSERT INTO nics VALUES (5000077, 1, '020000000077')`)
	}()
	if err := f.FindComputer(ctx, st, m); err != nil {
		t.Fatalf("waiting for registration: %v", err)
	}
	if m.Computer.ID != 5000077 {
		t.Errorf("found %+v", m.Computer)
	}

	// Without waiting, an unknown machine fails at once with its identifiers.
	cfg.Machine.WaitRegistration = 0
	m, _ = f.Identify(Override{MACs: []string{"02:00:00:00:00:78"}})
	err = f.FindComputer(ctx, st, m)
	if exitcode.Of(err) != exitcode.UnknownComputer || !strings.Contains(err.Error(), "02:00:00:00:00:78") {
		t.Errorf("unknown machine: %v", err)
	}
}

func TestPreviewChooseQueueWatch(t *testing.T) {
	f, cfg, path := labFlow(t)
	cfg.Session.WatchTimeout = 10 * time.Second
	ctx := context.Background()
	sess, mm := bobsMenu(t, ctx, f)
	if mm.Menu.Count != 2 || mm.Snapshot.Statements > 8 {
		t.Errorf("menu has %d jobs in %d statements", mm.Menu.Count, mm.Snapshot.Statements)
	}
	if _, err := f.Choose(mm, "2000133"); exitcode.Of(err) != exitcode.NotPermitted || !strings.Contains(err.Error(), "Denied") {
		t.Errorf("choose a denied job: %v", err)
	}
	if _, err := f.Choose(mm, "Windows/Lab/Nothing"); exitcode.Of(err) != exitcode.NotPermitted {
		t.Errorf("choose a missing path: %v", err)
	}
	e, err := f.Choose(mm, "utilities/bios update")
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.Queue(ctx, sess, mm, e)
	if err != nil {
		t.Fatal(err)
	}
	// DS picks the schedule up a moment later: the watcher must notice.
	go func() {
		time.Sleep(time.Second)
		execLab(t, path, `UPDATE event_schedule SET status = 'Running', status_code = 0 WHERE schedule_id = ?`, res.Schedule.ID)
	}()
	polls := 0
	got, err := f.Watch(ctx, sess, res.Schedule, 200*time.Millisecond, func(*model.Schedule) { polls++ })
	if err != nil {
		t.Fatal(err)
	}
	if got == nil || got.Status != "Running" || polls < 2 {
		t.Errorf("watch saw %+v after %d polls", got, polls)
	}

	// A second schedule nobody picks up: the watch times out with its own code.
	cfg.Session.WatchTimeout = 700 * time.Millisecond
	e2, _ := f.Choose(mm, "2000150")
	res2, err := f.Queue(ctx, sess, mm, e2)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.Watch(ctx, sess, res2.Schedule, 100*time.Millisecond, nil)
	if exitcode.Of(err) != exitcode.Timeout {
		t.Errorf("watch without pickup: %v", err)
	}
}

func TestPickedUp(t *testing.T) {
	zero, one := 0, 1
	cases := []struct {
		name     string
		q, c     model.Schedule
		pickedUp bool
	}{
		{"unchanged", model.Schedule{}, model.Schedule{}, false},
		{"status set", model.Schedule{}, model.Schedule{Status: "Running"}, true},
		{"code set", model.Schedule{}, model.Schedule{StatusCode: &zero}, true},
		{"code changed", model.Schedule{StatusCode: &zero}, model.Schedule{StatusCode: &one}, true},
		{"same code", model.Schedule{StatusCode: &one}, model.Schedule{StatusCode: &one}, false},
	}
	for _, tc := range cases {
		if got := PickedUp(tc.q, tc.c); got != tc.pickedUp {
			t.Errorf("%s: PickedUp = %v", tc.name, got)
		}
	}
}

func TestStoreErrorsGetCodes(t *testing.T) {
	f, _ := newFlow(t, "", nil)
	cases := []struct {
		err  error
		code int
	}{
		{model.ErrUnknownComputer, exitcode.UnknownComputer},
		{model.ErrUnknownJob, exitcode.UnknownJob},
		{model.ErrJobChanged, exitcode.UnknownJob},
		{model.ErrStoreUnreachable, exitcode.StoreDown},
		{model.ErrQueueUnsupported, exitcode.Usage},
		{errors.New("driver: boom"), exitcode.StoreDown},
	}
	for _, tc := range cases {
		if got := exitcode.Of(f.storeError(tc.err, nil)); got != tc.code {
			t.Errorf("%v → %d, want %d", tc.err, got, tc.code)
		}
	}
}

// A menu path that matches two jobs is refused as ambiguous, listing both:
// a script must never queue a job it merely guessed.
func TestChooseAmbiguousPath(t *testing.T) {
	path := expresstest.LabFile(t)
	execLab(t, path, "UPDATE event SET name = 'BIOS update', description = 'a second BIOS update', folder_id = (SELECT folder_id FROM event WHERE event_id = 2000140) WHERE event_id = 2000150")
	if t.Failed() {
		t.FailNow()
	}
	f, _ := newFlow(t, path, nil)
	_, mm := bobsMenu(t, context.Background(), f)
	_, err := f.Choose(mm, "Utilities/BIOS update")
	if exitcode.Of(err) != exitcode.Usage || !strings.Contains(err.Error(), "ambiguous") ||
		!strings.Contains(err.Error(), "2000140") || !strings.Contains(err.Error(), "2000150") {
		t.Fatalf("err = %v (code %d); want ambiguous listing 2000140 and 2000150", err, exitcode.Of(err))
	}
	if e, err := f.Choose(mm, "2000150"); err != nil || e.ID != 2000150 {
		t.Errorf("by id: %+v, %v", e, err)
	}
}

// With directory.domains, a preview's bare names take the first domain and
// the identity pairs every configured domain's NetBIOS and DNS names, so
// console entries kept by DNS name only match in either domain.
func TestPreviewDomains(t *testing.T) {
	f, cfg, _ := labFlow(t)
	cfg.Directory.Domains = []config.DomainConfig{{NetBIOS: "lab", DNS: "lab.example"}, {NetBIOS: "OTHER", DNS: "other.example"}}
	s, err := f.Preview(context.Background(), model.Identity{User: "alice", Groups: []string{"Techs", `OTHER\Res Admins`}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	id := s.Identity
	if id.User != `LAB\alice` || id.Groups[0] != `LAB\Techs` || id.Groups[1] != `OTHER\Res Admins` {
		t.Errorf("identity = %+v", id)
	}
	if id.DNSOf("OTHER") != "other.example" || id.DNSOf("LAB") != "lab.example" || len(id.Domains) != 2 {
		t.Errorf("domains = %+v", id.Domains)
	}
}
