package flow_test

import (
	"context"
	"errors"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/directory"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/internal/flow"
	"github.com/imageinvoker/imageinvoker/internal/flow/flowtest"
	"github.com/imageinvoker/imageinvoker/pkg/express"
	"github.com/imageinvoker/imageinvoker/pkg/express/expresstest"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

func openLab(t *testing.T, path string) *express.Store {
	t.Helper()
	st, err := express.Open(context.Background(), expresstest.URL(t, "sqlite:"+path), express.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// countingReader is a reader that counts its Close calls.
type countingReader struct {
	*express.Store
	closed int
}

func (c *countingReader) Close() error {
	c.closed++
	return c.Store.Close()
}

// countingScheduler is a scheduler of its own (not the session's reader),
// as another implementation would be: it queues through a second
// connection and counts what the flow asks of it.
type countingScheduler struct {
	st             *express.Store
	queued, closed int
}

func (c *countingScheduler) Queue(ctx context.Context, req model.QueueRequest) (model.QueueResult, error) {
	c.queued++
	return c.st.Queue(ctx, req)
}

func (c *countingScheduler) Close() error {
	c.closed++
	return c.st.Close()
}

// fakes are a flow's dependencies over the lab store, through the counting
// reader and (unless shared) a counting scheduler of its own.
type fakes struct {
	path    string
	shared  bool
	readers []*countingReader
	scheds  []*countingScheduler
}

func (fk *fakes) deps(t *testing.T) flow.Deps {
	return flow.Deps{
		Config: config.Default(),
		OpenReader: func(context.Context, *flow.Credentials) (flow.Reader, error) {
			r := &countingReader{Store: openLab(t, fk.path)}
			fk.readers = append(fk.readers, r)
			return r, nil
		},
		OpenScheduler: func(_ context.Context, r flow.Reader, _ *flow.Credentials) (flow.Scheduler, error) {
			if fk.shared {
				return r.(*countingReader), nil
			}
			s := &countingScheduler{st: openLab(t, fk.path)}
			fk.scheds = append(fk.scheds, s)
			return s, nil
		},
	}
}

// The fakes keep the seams' contract: they run the conformance suite too.
func TestFakesConform(t *testing.T) {
	fx := flowtest.Fixture{
		Known:             model.ComputerKey{By: model.MatchMAC, Values: []string{"AABBCCDDEEFF"}},
		KnownID:           5000001,
		Unknown:           model.ComputerKey{By: model.MatchMAC, Values: []string{"020000000099"}},
		Identity:          model.Identity{User: `LAB\bob`, Groups: []string{`LAB\Techs`}},
		JobID:             2000140,
		DeniedJobID:       2000133,
		MissingJobID:      2999999,
		MissingScheduleID: 199999999,
		MissingComputerID: 5999999,
	}
	flowtest.RunReader(t, func(t *testing.T) flow.Reader { return &countingReader{Store: openLab(t, expresstest.LabFile(t))} }, fx)
	flowtest.RunScheduler(t, func(t *testing.T) (flow.Reader, flow.Scheduler) {
		path := expresstest.LabFile(t)
		return openLab(t, path), &countingScheduler{st: openLab(t, path)}
	}, fx)
}

// The flow queues through the Scheduler and reads back through the Reader,
// whichever they are, and a session closes each once.
func TestSeparateScheduler(t *testing.T) {
	fk := &fakes{path: expresstest.LabFile(t)}
	f := flow.New(fk.deps(t))
	ctx := context.Background()
	sess, err := f.Preview(ctx, model.Identity{User: `LAB\bob`, Groups: []string{`LAB\Techs`}})
	if err != nil {
		t.Fatal(err)
	}
	if len(fk.readers) != 1 || len(fk.scheds) != 1 || sess.Reader != flow.Reader(fk.readers[0]) || sess.Scheduler != flow.Scheduler(fk.scheds[0]) {
		t.Fatalf("session %+v over %d readers and %d schedulers", sess, len(fk.readers), len(fk.scheds))
	}
	m, _ := f.Identify(flow.Override{ComputerID: 5000001})
	mm, err := f.LoadMenu(ctx, sess, m)
	if err != nil {
		t.Fatal(err)
	}
	e, err := f.Choose(mm, "2000140")
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.Queue(ctx, sess, mm, e)
	if err != nil || fk.scheds[0].queued != 1 {
		t.Fatalf("Queue: %+v, %v after %d scheduler calls", res, err, fk.scheds[0].queued)
	}
	st, back, err := f.CheckPickup(ctx, sess, res.Schedule)
	if err != nil || st != flow.PickupPending || back == nil || back.ID != res.Schedule.ID {
		t.Errorf("CheckPickup(%d) = %v, %+v, %v", res.Schedule.ID, st, back, err)
	}
	pending, err := f.Pending(ctx, sess, mm)
	if err != nil || len(pending) != 1 || pending[0].ID != res.Schedule.ID {
		t.Errorf("Pending = %+v, %v; want the queued schedule", pending, err)
	}
	if st, gone, err := f.CheckPickup(ctx, sess, model.Schedule{ID: 199999999}); st != flow.PickupGone || gone != nil || err != nil {
		t.Errorf("a schedule DS removed: %v, %+v, %v; want gone, nil, nil", st, gone, err)
	}
	if err := sess.Close(); err != nil {
		t.Fatal(err)
	}
	if fk.readers[0].closed != 1 || fk.scheds[0].closed != 1 {
		t.Errorf("closed the reader %d times and the scheduler %d times; want once each", fk.readers[0].closed, fk.scheds[0].closed)
	}
}

// A session whose scheduler is its reader (the eXpress store) closes it once.
func TestSharedSchedulerClosedOnce(t *testing.T) {
	fk := &fakes{path: expresstest.LabFile(t), shared: true}
	sess, err := flow.New(fk.deps(t)).Preview(context.Background(), model.Identity{User: `LAB\bob`})
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.Close(); err != nil || fk.readers[0].closed != 1 {
		t.Errorf("Close: %v; the shared store was closed %d times, want once", err, fk.readers[0].closed)
	}
}

// A scheduler that cannot be opened fails the session and closes its reader.
func TestSchedulerOpenFails(t *testing.T) {
	fk := &fakes{path: expresstest.LabFile(t)}
	d := fk.deps(t)
	d.OpenScheduler = func(context.Context, flow.Reader, *flow.Credentials) (flow.Scheduler, error) {
		return nil, model.ErrStoreUnreachable
	}
	_, err := flow.New(d).Preview(context.Background(), model.Identity{User: `LAB\bob`})
	if exitcode.Of(err) != exitcode.StoreDown || fk.readers[0].closed != 1 {
		t.Errorf("err = %v (code %d), reader closed %d times; want StoreDown and the reader closed", err, exitcode.Of(err), fk.readers[0].closed)
	}
}

// Without a scheduler nothing can be queued, and the flow says so.
func TestNoScheduler(t *testing.T) {
	fk := &fakes{path: expresstest.LabFile(t)}
	d := fk.deps(t)
	d.OpenScheduler = nil
	f := flow.New(d)
	ctx := context.Background()
	sess, err := f.Preview(ctx, model.Identity{User: `LAB\bob`, Groups: []string{`LAB\Techs`}})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	m, _ := f.Identify(flow.Override{ComputerID: 5000001})
	mm, err := f.LoadMenu(ctx, sess, m)
	if err != nil {
		t.Fatal(err)
	}
	e, _ := f.Choose(mm, "2000140")
	_, err = f.Queue(ctx, sess, mm, e)
	if !errors.Is(err, model.ErrQueueUnsupported) || exitcode.Of(err) != exitcode.Usage {
		t.Errorf("Queue without a scheduler: %v (code %d)", err, exitcode.Of(err))
	}
}

// fakeSource is an identity source other than AD: the flow signs in
// through it and keeps its answer.
type fakeSource struct{ user, password string }

func (s fakeSource) SignIn(_ context.Context, user, password string) (*model.SignIn, error) {
	if user != s.user || password != s.password {
		return nil, model.ErrBadCredentials
	}
	return &model.SignIn{Identity: model.Identity{User: `LAB\` + user, Groups: []string{`LAB\Techs`}}, Authority: "fake"}, nil
}

func TestIdentitySources(t *testing.T) {
	fk := &fakes{path: expresstest.LabFile(t), shared: true}
	d := fk.deps(t)
	f := flow.New(d)
	ctx := context.Background()
	if _, err := f.SignIn(ctx, "bob", "pw"); exitcode.Of(err) != exitcode.Usage {
		t.Errorf("AD sign-in without a directory: %v (code %d)", err, exitcode.Of(err))
	}
	d.Directory = fakeSource{user: "bob", password: "pw"}
	f = flow.New(d)
	s, err := f.SignIn(ctx, "bob", "pw")
	if err != nil {
		t.Fatal(err)
	}
	if s.Identity.User != `LAB\bob` || s.SignIn == nil || s.SignIn.Authority != "fake" || s.Reader == nil || s.Scheduler == nil {
		t.Errorf("session = %+v", s)
	}
	s.Close()
	if _, err := f.SignIn(ctx, "bob", "wrong"); exitcode.Of(err) != exitcode.BadCredentials {
		t.Errorf("wrong password: %v (code %d)", err, exitcode.Of(err))
	}

	// DS console accounts: off by default, then over the session's reader.
	if _, err := f.SignIn(ctx, `.\kiosk`, "kiosk-demo"); exitcode.Of(err) != exitcode.BadCredentials {
		t.Errorf("DS account with ds_accounts off: %v (code %d)", err, exitcode.Of(err))
	}
	d.Config.Directory.DSAccounts = true
	var bound flow.Reader
	d.ConsoleAccounts = func(r flow.Reader) (flow.IdentitySource, error) {
		bound = r
		return fakeSource{user: `.\kiosk`, password: "kiosk-demo"}, nil
	}
	f = flow.New(d)
	s, err = f.SignIn(ctx, `.\kiosk`, "kiosk-demo")
	if err != nil {
		t.Fatal(err)
	}
	if bound == nil || bound != s.Reader {
		t.Errorf("the console accounts were not checked over the session's reader")
	}
	s.Close()
	readers := len(fk.readers)
	if _, err := f.SignIn(ctx, `.\kiosk`, "wrong"); exitcode.Of(err) != exitcode.BadCredentials {
		t.Errorf("DS account, wrong password: %v (code %d)", err, exitcode.Of(err))
	}
	if last := fk.readers[len(fk.readers)-1]; len(fk.readers) != readers+1 || last.closed != 1 {
		t.Errorf("a refused DS account left its store open")
	}
	d.ConsoleAccounts = func(flow.Reader) (flow.IdentitySource, error) { return nil, model.ErrSchema }
	if _, err := flow.New(d).SignIn(ctx, `.\kiosk`, "kiosk-demo"); exitcode.Of(err) != exitcode.StoreDown {
		t.Errorf("console accounts unavailable: %v (code %d); want StoreDown", err, exitcode.Of(err))
	}
}

// countingSource is an identity source that counts the passwords it was
// asked to check.
type countingSource struct{ asked *int }

func (s countingSource) SignIn(context.Context, string, string) (*model.SignIn, error) {
	*s.asked++
	return nil, model.ErrBadCredentials
}

// An empty password for a DS console account is refused by the flow
// itself, before the store is opened or any identity source sees it: the
// rule holds whatever source is registered, and reads the same (exit code
// and sentence) whether or not the store is up or store.auth allows the
// account.
func TestDSAccountEmptyPasswordNeverLeavesTheFlow(t *testing.T) {
	for _, tc := range []struct {
		name      string
		storeDown bool
		auth      config.StoreAuth
	}{
		{"store up", false, ""},
		{"store down", true, ""},
		{"store.auth technician", false, config.AuthTechnician},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fk := &fakes{path: expresstest.LabFile(t), shared: true}
			d := fk.deps(t)
			d.Config.Directory.DSAccounts = true
			if tc.auth != "" {
				d.Config.Store.Auth = tc.auth
			}
			opened := 0
			open := d.OpenReader
			d.OpenReader = func(ctx context.Context, c *flow.Credentials) (flow.Reader, error) {
				opened++
				if tc.storeDown {
					return nil, model.ErrStoreUnreachable
				}
				return open(ctx, c)
			}
			asked := 0
			d.ConsoleAccounts = func(flow.Reader) (flow.IdentitySource, error) { return countingSource{&asked}, nil }
			s, err := flow.New(d).SignIn(context.Background(), `.\kiosk`, "")
			if s != nil {
				s.Close()
			}
			if !errors.Is(err, model.ErrEmptyPassword) || exitcode.Of(err) != exitcode.BadCredentials {
				t.Errorf("err = %v (code %d); want the empty password refused (BadCredentials)", err, exitcode.Of(err))
			}
			if want := directory.EmptyPasswordError().Error(); err == nil || err.Error() != want {
				t.Errorf("err = %v; want the directory's sentence %q", err, want)
			}
			if opened != 0 || asked != 0 {
				t.Errorf("opened the store %d times and asked the identity source %d times; want neither", opened, asked)
			}
		})
	}
}
