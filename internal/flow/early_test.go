package flow_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/flow"
	"github.com/imageinvoker/imageinvoker/pkg/express/expresstest"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// waitingSource answers a sign-in only once the store has been opened (or
// after a while): a sign-in that opens the store after the bind, one after
// the other, cannot see it opened and refuses.
type waitingSource struct {
	opened chan struct{}
	ok     bool
	// sawOpen reports whether the store was open while the password was
	// being checked.
	sawOpen *bool
}

func (s waitingSource) SignIn(ctx context.Context, user, _ string) (*model.SignIn, error) {
	select {
	case <-s.opened:
		*s.sawOpen = true
	case <-time.After(2 * time.Second):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if !s.ok {
		return nil, model.ErrBadCredentials
	}
	return &model.SignIn{Identity: model.Identity{User: `LAB\` + user, Groups: []string{`LAB\Techs`}}}, nil
}

func earlyDeps(t *testing.T, auth config.StoreAuth, ok bool) (flow.Deps, *fakes, *bool, *[]*flow.Credentials) {
	fk := &fakes{path: expresstest.LabFile(t), shared: true}
	d := fk.deps(t)
	d.Config.Store.Auth = auth
	opened := make(chan struct{})
	var once sync.Once
	var creds []*flow.Credentials
	open := d.OpenReader
	d.OpenReader = func(ctx context.Context, c *flow.Credentials) (flow.Reader, error) {
		creds = append(creds, c)
		r, err := open(ctx, c)
		once.Do(func() { close(opened) })
		return r, err
	}
	saw := new(bool)
	d.Directory = waitingSource{opened: opened, ok: ok, sawOpen: saw}
	return d, fk, saw, &creds
}

// With store.auth: url the store is opened while the directory checks the
// password (the SQL login overlaps the bind), and the session gets it
// with the identity of the sign-in.
func TestSignInOpensTheStoreDuringTheBind(t *testing.T) {
	d, fk, saw, creds := earlyDeps(t, config.AuthURL, true)
	f := flow.New(d)
	sess, err := f.SignIn(context.Background(), "bob", "pw")
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if !*saw {
		t.Error("the store was opened only after the password was checked")
	}
	if len(fk.readers) != 1 || sess.Reader != flow.Reader(fk.readers[0]) || (*creds)[0] != nil {
		t.Fatalf("%d readers opened, session reader %v, creds %v", len(fk.readers), sess.Reader, *creds)
	}
	if sess.Identity.User != `LAB\bob` || sess.SignIn == nil || fk.readers[0].closed != 0 {
		t.Errorf("session identity %q, sign-in %v, reader closed %d times", sess.Identity.User, sess.SignIn, fk.readers[0].closed)
	}
	// The menu is read with the sign-in's identity, after it.
	m, _ := f.Identify(flow.Override{ComputerID: 5000001})
	if _, err := f.LoadMenu(context.Background(), sess, m); err != nil {
		t.Fatal(err)
	}
}

// A refused sign-in closes the store opened early before SignIn returns:
// nothing opened for it outlives the attempt.
func TestRefusedSignInClosesTheEarlyStore(t *testing.T) {
	d, fk, _, _ := earlyDeps(t, config.AuthURL, false)
	sess, err := flow.New(d).SignIn(context.Background(), "bob", "wrong")
	if !errors.Is(err, model.ErrBadCredentials) || sess != nil {
		t.Fatalf("SignIn = %v, %v; want a refusal", sess, err)
	}
	if len(fk.readers) != 1 {
		t.Fatalf("%d stores opened during the refused sign-in; want the early one", len(fk.readers))
	}
	for i, r := range fk.readers {
		if r.closed != 1 {
			t.Errorf("reader %d closed %d times when SignIn returned", i, r.closed)
		}
	}
}

// With store.auth: technician the SQL login needs the technician's
// password: the store is opened after the sign-in, with the credentials.
func TestTechnicianStoreWaitsForTheSignIn(t *testing.T) {
	d, fk, saw, creds := earlyDeps(t, config.AuthTechnician, true)
	sess, err := flow.New(d).SignIn(context.Background(), "bob", "pw")
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if *saw {
		t.Error("the store was opened before the technician was signed in")
	}
	if len(fk.readers) != 1 || len(*creds) != 1 || (*creds)[0] == nil || (*creds)[0].User != `LAB\bob` {
		t.Errorf("%d readers, creds %v", len(fk.readers), *creds)
	}
}

// preparedMachine is the lab's PC-01 as the console knows it before
// anyone signs in (store.auth: url looks it up first).
func preparedMachine(t *testing.T, f *flow.Flow) *flow.Machine {
	t.Helper()
	m, err := f.Identify(flow.Override{ComputerID: 5000001})
	if err != nil {
		t.Fatal(err)
	}
	m.Computer = &model.Computer{ID: 5000001, Name: "PC-01", GroupID: 12}
	return m
}

// Prepare opens the session's store while the password is typed and reads
// ahead what the menu needs that does not depend on who signs in; the
// sign-in takes that store for the session instead of opening another,
// and the menu read with it is the menu read without it.
func TestPrepareReadsAheadAndTheSignInTakesIt(t *testing.T) {
	d, fk, _, _ := earlyDeps(t, config.AuthURL, true)
	f := flow.New(d)
	m := preparedMachine(t, f)
	p := f.Prepare(m)
	if p == nil {
		t.Fatal("Prepare: nil with store.auth: url")
	}
	<-p.Done()
	if len(fk.readers) != 1 {
		t.Fatalf("%d stores opened by Prepare, want 1", len(fk.readers))
	}
	// Discovery, then the console users and groups and the group chain.
	if n := fk.readers[0].Statements(); n != 3 {
		t.Errorf("%d statements before the sign-in, want 3 (discovery and the two read ahead)", n)
	}
	sess, err := f.SignInPrepared(context.Background(), p, "bob", "pw")
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if len(fk.readers) != 1 || sess.Reader != flow.Reader(fk.readers[0]) || sess.Identity.User != `LAB\bob` {
		t.Fatalf("%d stores opened; the session's reader is not the prepared one (%q)", len(fk.readers), sess.Identity.User)
	}
	warm, err := f.LoadMenu(context.Background(), sess, m)
	if err != nil {
		t.Fatal(err)
	}
	cold, err := f.LoadMenu(context.Background(), sess, m)
	if err != nil {
		t.Fatal(err)
	}
	if warm.Menu.Count != cold.Menu.Count || len(warm.Snapshot.Links) != len(cold.Snapshot.Links) {
		t.Errorf("the prefetched menu has %d jobs and %d links, the cold one %d and %d", warm.Menu.Count, len(warm.Snapshot.Links), cold.Menu.Count, len(cold.Snapshot.Links))
	}
	// Taken once: closing it now closes nothing of the session's.
	p.Close()
	if fk.readers[0].closed != 0 {
		t.Error("closing a Prepared the sign-in took closed the session's store")
	}
}

// Leaving the sign-in screen (Esc) closes what Prepare opened: nothing read
// ahead survives a sign-out; a refused sign-in closes it too.
func TestPreparedStoreClosedWhenLeftOrRefused(t *testing.T) {
	t.Run("left", func(t *testing.T) {
		d, fk, _, _ := earlyDeps(t, config.AuthURL, true)
		f := flow.New(d)
		p := f.Prepare(preparedMachine(t, f))
		<-p.Done()
		p.Close()
		if len(fk.readers) != 1 || fk.readers[0].closed != 1 {
			t.Fatalf("%d stores opened, closed %v", len(fk.readers), fk.readers)
		}
		// A sign-in after it opens its own.
		sess, err := f.SignInPrepared(context.Background(), p, "bob", "pw")
		if err != nil {
			t.Fatal(err)
		}
		defer sess.Close()
		if len(fk.readers) != 2 || sess.Reader != flow.Reader(fk.readers[1]) {
			t.Errorf("the sign-in after Esc used %d stores", len(fk.readers))
		}
	})
	t.Run("refused", func(t *testing.T) {
		d, fk, _, _ := earlyDeps(t, config.AuthURL, false)
		f := flow.New(d)
		p := f.Prepare(preparedMachine(t, f))
		<-p.Done()
		if _, err := f.SignInPrepared(context.Background(), p, "bob", "wrong"); !errors.Is(err, model.ErrBadCredentials) {
			t.Fatalf("err = %v, want a refusal", err)
		}
		if len(fk.readers) != 1 || fk.readers[0].closed != 1 {
			t.Errorf("%d stores opened; the prepared one closed %d times when the sign-in was refused", len(fk.readers), fk.readers[0].closed)
		}
	})
	t.Run("technician", func(t *testing.T) {
		d, fk, _, _ := earlyDeps(t, config.AuthTechnician, true)
		f := flow.New(d)
		if p := f.Prepare(preparedMachine(t, f)); p != nil || len(fk.readers) != 0 {
			t.Errorf("Prepare opened %d stores with store.auth: technician", len(fk.readers))
		}
	})
}

// A store that failed to open while the password was typed (SQL Server
// still starting at boot) is opened again at the sign-in: its error is
// stale, and the technician would otherwise be refused once for nothing.
func TestPreparedStoreFailedIsOpenedAgain(t *testing.T) {
	d, fk, _, _ := earlyDeps(t, config.AuthURL, true)
	open := d.OpenReader
	calls := 0
	d.OpenReader = func(ctx context.Context, c *flow.Credentials) (flow.Reader, error) {
		calls++
		if calls == 1 {
			return nil, errors.New("SQL Server is still starting")
		}
		return open(ctx, c)
	}
	f := flow.New(d)
	p := f.Prepare(preparedMachine(t, f))
	<-p.Done()
	sess, err := f.SignInPrepared(context.Background(), p, "bob", "pw")
	if err != nil {
		t.Fatalf("sign-in after a failed early open: %v", err)
	}
	defer sess.Close()
	if calls != 2 || len(fk.readers) != 1 || sess.Reader != flow.Reader(fk.readers[0]) {
		t.Errorf("%d opens, %d stores; want the failed one and a fresh one the session uses", calls, len(fk.readers))
	}
}

// A store whose login SQL Server refused before Enter is not tried again:
// the same login would be refused again, and count once more against the
// store's account.
func TestPreparedStoreLoginRefusedIsNotRetried(t *testing.T) {
	d, _, _, _ := earlyDeps(t, config.AuthURL, true)
	calls := 0
	d.OpenReader = func(ctx context.Context, c *flow.Credentials) (flow.Reader, error) {
		calls++
		return nil, fmt.Errorf("the eXpress database refused the login: %w", errors.Join(model.ErrStoreUnreachable, model.ErrStoreLoginRefused))
	}
	f := flow.New(d)
	p := f.Prepare(preparedMachine(t, f))
	<-p.Done()
	if _, err := f.SignInPrepared(context.Background(), p, "bob", "pw"); !errors.Is(err, model.ErrStoreLoginRefused) {
		t.Fatalf("sign-in: %v; want the refused login", err)
	}
	if calls != 1 {
		t.Errorf("%d logins; want the one before Enter only", calls)
	}
}

// warmSource is an identity source that can reach its server while the
// password is typed (as directory.Client does): it records what it was
// handed and whether its warm-up was closed.
type warmSource struct {
	waitingSource
	warmed   []*warmConn
	signedIn []io.Closer
}

type warmConn struct{ closed int }

func (w *warmConn) Close() error { w.closed++; return nil }

func (s *warmSource) Warm() io.Closer {
	w := &warmConn{}
	s.warmed = append(s.warmed, w)
	return w
}

func (s *warmSource) SignInWarm(ctx context.Context, warm io.Closer, user, password string) (*model.SignIn, error) {
	s.signedIn = append(s.signedIn, warm)
	defer warm.Close()
	return s.SignIn(ctx, user, password)
}

// The directory is warmed while the password is typed whatever store.auth
// (technician too, whose store waits for the sign-in); the sign-in hands
// the warm-up to the directory, Close and a DS console account name close
// it unused.
func TestPrepareWarmsTheDirectory(t *testing.T) {
	d, _, _, _ := earlyDeps(t, config.AuthTechnician, true)
	src := &warmSource{waitingSource: d.Directory.(waitingSource)}
	d.Directory = src
	d.Config.Directory.DSAccounts = true
	f := flow.New(d)

	p := f.Prepare(nil)
	if p == nil || len(src.warmed) != 1 {
		t.Fatalf("Prepare with store.auth: technician: %v, %d warm-ups; want one", p, len(src.warmed))
	}
	<-p.Done()
	sess, err := f.SignInPrepared(context.Background(), p, "bob", "pw")
	if err != nil {
		t.Fatal(err)
	}
	sess.Close()
	if len(src.signedIn) != 1 || src.signedIn[0] != src.warmed[0] || src.warmed[0].closed == 0 {
		t.Fatalf("the sign-in did not take the warm-up: %v", src.signedIn)
	}

	p = f.Prepare(nil)
	p.Close()
	p.Close()
	if len(src.signedIn) != 1 || len(src.warmed) != 2 || src.warmed[1].closed == 0 {
		t.Fatalf("Close: %d sign-ins, warm-up closed %d times", len(src.signedIn), src.warmed[1].closed)
	}

	p = f.Prepare(nil)
	if _, err := f.SignInPrepared(context.Background(), p, `.\nobody`, "pw"); err == nil {
		t.Fatal(`.\nobody signed in`)
	}
	if len(src.signedIn) != 1 || len(src.warmed) != 3 || src.warmed[2].closed == 0 {
		t.Fatalf("a DS console account name: %d sign-ins, warm-up closed %d times", len(src.signedIn), src.warmed[2].closed)
	}
}
