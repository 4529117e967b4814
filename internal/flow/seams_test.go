package flow

import (
	"context"
	"errors"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/pkg/express"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

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

// countingReader counts Close calls of the session's reader.
type countingReader struct {
	*express.Store
	closed int
}

func (c *countingReader) Close() error {
	c.closed++
	return c.Store.Close()
}

// The flow queues through the Scheduler and reads back through the Reader,
// whichever they are, and a session closes each once.
func TestSeparateScheduler(t *testing.T) {
	path := labFile(t)
	f, _ := newFlow(t, path, nil)
	var reader *countingReader
	var sched *countingScheduler
	f.d.OpenReader = func(ctx context.Context, _ *Credentials) (Reader, error) {
		st, err := express.Open(ctx, "sqlite:"+path, express.OpenOptions{})
		reader = &countingReader{Store: st}
		return reader, err
	}
	f.d.OpenScheduler = func(ctx context.Context, r Reader, _ *Credentials) (Scheduler, error) {
		if r != Reader(reader) {
			t.Errorf("the scheduler is opened over another reader than the session's")
		}
		st, err := express.Open(ctx, "sqlite:"+path, express.OpenOptions{})
		sched = &countingScheduler{st: st}
		return sched, err
	}
	ctx := context.Background()
	sess, err := f.Preview(ctx, model.Identity{User: `LAB\bob`, Groups: []string{`LAB\Techs`}})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := f.Identify(Override{ComputerID: 5000001})
	mm, err := f.LoadMenu(ctx, sess, m)
	if err != nil {
		t.Fatal(err)
	}
	e, err := f.Choose(mm, "2000140")
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.Queue(ctx, sess, mm, e)
	if err != nil || sched.queued != 1 {
		t.Fatalf("Queue: %+v, %v after %d scheduler calls", res, err, sched.queued)
	}
	back, err := f.Schedule(ctx, sess, res.Schedule.ID)
	if err != nil || back == nil || back.ID != res.Schedule.ID {
		t.Errorf("Schedule(%d) = %+v, %v", res.Schedule.ID, back, err)
	}
	pending, err := f.Pending(ctx, sess, mm)
	if err != nil || len(pending) != 1 || pending[0].ID != res.Schedule.ID {
		t.Errorf("Pending = %+v, %v; want the queued schedule", pending, err)
	}
	if gone, err := f.Schedule(ctx, sess, 199999999); gone != nil || err != nil {
		t.Errorf("a schedule DS removed: %+v, %v; want nil, nil", gone, err)
	}
	if err := sess.Close(); err != nil {
		t.Fatal(err)
	}
	if reader.closed != 1 || sched.closed != 1 {
		t.Errorf("closed the reader %d times and the scheduler %d times; want once each", reader.closed, sched.closed)
	}
}

// A session whose scheduler is its reader (the eXpress store) closes it once.
func TestSharedSchedulerClosedOnce(t *testing.T) {
	path := labFile(t)
	f, _ := newFlow(t, path, nil)
	var reader *countingReader
	f.d.OpenReader = func(ctx context.Context, _ *Credentials) (Reader, error) {
		st, err := express.Open(ctx, "sqlite:"+path, express.OpenOptions{})
		reader = &countingReader{Store: st}
		return reader, err
	}
	f.d.OpenScheduler = func(_ context.Context, r Reader, _ *Credentials) (Scheduler, error) {
		return r.(*countingReader), nil
	}
	sess, err := f.Preview(context.Background(), model.Identity{User: `LAB\bob`})
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.Close(); err != nil || reader.closed != 1 {
		t.Errorf("Close: %v; the shared store was closed %d times, want once", err, reader.closed)
	}
}

// A scheduler that cannot be opened fails the session and closes its reader.
func TestSchedulerOpenFails(t *testing.T) {
	path := labFile(t)
	f, _ := newFlow(t, path, nil)
	var reader *countingReader
	f.d.OpenReader = func(ctx context.Context, _ *Credentials) (Reader, error) {
		st, err := express.Open(ctx, "sqlite:"+path, express.OpenOptions{})
		reader = &countingReader{Store: st}
		return reader, err
	}
	f.d.OpenScheduler = func(context.Context, Reader, *Credentials) (Scheduler, error) {
		return nil, model.ErrStoreUnreachable
	}
	_, err := f.Preview(context.Background(), model.Identity{User: `LAB\bob`})
	if exitcode.Of(err) != exitcode.StoreDown || reader.closed != 1 {
		t.Errorf("err = %v (code %d), reader closed %d times; want StoreDown and the reader closed", err, exitcode.Of(err), reader.closed)
	}
}

// Without a scheduler nothing can be queued, and the flow says so.
func TestNoScheduler(t *testing.T) {
	f, _ := newFlow(t, labFile(t), nil)
	f.d.OpenScheduler = nil
	ctx := context.Background()
	sess, err := f.Preview(ctx, model.Identity{User: `LAB\bob`, Groups: []string{`LAB\Techs`}})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	m, _ := f.Identify(Override{ComputerID: 5000001})
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
	f, cfg := newFlow(t, labFile(t), nil)
	ctx := context.Background()
	if _, err := f.SignIn(ctx, "bob", "pw"); exitcode.Of(err) != exitcode.Usage {
		t.Errorf("AD sign-in without a directory: %v (code %d)", err, exitcode.Of(err))
	}
	f.d.Directory = fakeSource{user: "bob", password: "pw"}
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
	cfg.Directory.DSAccounts = true
	var bound Reader
	f.d.ConsoleAccounts = func(r Reader) (IdentitySource, error) {
		bound = r
		return fakeSource{user: `.\kiosk`, password: "kiosk-demo"}, nil
	}
	s, err = f.SignIn(ctx, `.\kiosk`, "kiosk-demo")
	if err != nil {
		t.Fatal(err)
	}
	if bound == nil || bound != s.Reader {
		t.Errorf("the console accounts were not checked over the session's reader")
	}
	s.Close()
	if _, err := f.SignIn(ctx, `.\kiosk`, "wrong"); exitcode.Of(err) != exitcode.BadCredentials {
		t.Errorf("DS account, wrong password: %v (code %d)", err, exitcode.Of(err))
	}
	f.d.ConsoleAccounts = func(Reader) (IdentitySource, error) { return nil, model.ErrSchema }
	if _, err := f.SignIn(ctx, `.\kiosk`, "kiosk-demo"); exitcode.Of(err) != exitcode.StoreDown {
		t.Errorf("console accounts unavailable: %v (code %d); want StoreDown", err, exitcode.Of(err))
	}
}
