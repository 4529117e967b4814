package latency_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"net"
	"testing"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/directory/adtest"
	"github.com/imageinvoker/imageinvoker/internal/flow"
	"github.com/imageinvoker/imageinvoker/internal/latency"
	"github.com/imageinvoker/imageinvoker/internal/setup"
	"github.com/imageinvoker/imageinvoker/pkg/express"
	"github.com/imageinvoker/imageinvoker/pkg/express/expresstest"
	"github.com/imageinvoker/imageinvoker/pkg/machine"
	"github.com/imageinvoker/imageinvoker/pkg/menu"
	"github.com/imageinvoker/imageinvoker/tui"
)

// rig is the console's real path after Enter — tui.FlowBackend over the
// flow setup.Build makes, store.auth: url — with the DC behind a Proxy and
// the SQLite store behind a Link.
type rig struct {
	proxy *latency.Proxy
	link  *latency.Link
	env   *setup.Env
	be    *tui.FlowBackend
	user  string
	pass  string
	// direct is the database without the link, for undoing a queue
	// between two measurements.
	direct *sql.DB
}

// sqliteDriver is modernc's driver, as registered under "sqlite".
func sqliteDriver(t testing.TB) driver.Driver {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return db.Driver()
}

func newRig(t testing.TB, rtt time.Duration) *rig {
	t.Helper()
	dc := adtest.Start(t)
	path := expresstest.LabFile(t)
	proxy, err := latency.NewProxy(net.JoinHostPort(dc.Addr, "0"), net.JoinHostPort(dc.Addr, "636"), rtt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proxy.Close() })
	link := latency.NewLink(rtt)
	// SQLite runs a batch's statements one by one; the link charges what
	// SQL Server would: one round trip per batch the store sends.
	link.SetBatches(express.BatchOf)
	base := sqliteDriver(t)

	cfg := config.Default()
	cfg.Store.URL = "sqlite:" + path
	cfg.Store.Auth = config.AuthURL
	cfg.Directory.DCs, cfg.Directory.CAFile = []string{"ldaps://" + proxy.Addr()}, dc.CAFile
	cfg.Directory.Domain, cfg.Directory.DNSDomain = dc.Domain, dc.DNSDomain
	cfg.Directory.Timeout = 10 * time.Second

	// The implementations Build uses, with the store opened across the
	// link: express.Open would open its own SQLite driver. What Open does
	// at open — a ping, then discovery — happens here too, at open. The
	// directory and DS's console accounts are the real ones: the delay is
	// in the DC's link (the proxy the config's DC URL names).
	impl := setup.Real()
	impl.OpenReader = func(ctx context.Context, cfg *config.Config, _ *flow.Credentials) (flow.Reader, error) {
		db := sql.OpenDB(link.Connector(base, express.SQLiteDSN(path)))
		if err := db.PingContext(ctx); err != nil {
			db.Close()
			return nil, err
		}
		st := express.OpenDB(db, express.DialectSQLite, express.OpenOptions{QueueMethod: string(cfg.Store.Queue), Timeout: cfg.Store.Timeout})
		if _, err := st.Schema(ctx); err != nil {
			st.Close()
			return nil, err
		}
		return st, nil
	}
	impl.OpenScheduler = func(_ context.Context, _ *config.Config, r flow.Reader, _ *flow.Credentials) (flow.Scheduler, error) {
		return r.(*express.Store), nil
	}
	env, err := setup.Build(context.Background(), cfg, setup.Options{
		NeedDirectory: true, Backends: &impl,
		ReadMachine: func() (machine.Identity, []string, error) { return machine.Identity{}, nil, nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(env.Close)
	direct, err := sql.Open("sqlite", express.SQLiteDSN(path))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { direct.Close() })
	be := tui.NewFlowBackend(env.Flow, flow.Override{MACs: []string{"AABBCCDDEEFF"}}, nil)
	return &rig{proxy: proxy, link: link, env: env, be: be, user: "alice", pass: dc.Users["alice"].Password, direct: direct}
}

func (r *rig) setRTT(rtt time.Duration) {
	r.proxy.SetRTT(rtt)
	r.link.SetRTT(rtt)
}

func (r *rig) reset() {
	r.proxy.Reset()
	r.link.Reset()
}

// counts are the round trips of one step.
type counts struct {
	ldapTrips, ldapConns         int64
	sqlTrips, sqlStmts, sqlConns int64
	// sqlAfterBind are the SQL round trips begun after the DC's last
	// answer; the others overlapped the LDAP sign-in.
	sqlAfterBind int64
	took         time.Duration
}

func (r *rig) counts(start time.Time) counts {
	return counts{
		ldapTrips: r.proxy.Trips(), ldapConns: r.proxy.Conns(),
		sqlTrips: r.link.Trips(), sqlStmts: r.link.Statements(), sqlConns: r.link.Conns(),
		took: time.Since(start),
	}
}

// identify is what the console does before anyone types (not timed):
// with store.auth: url it finds the machine in DS.
func (r *rig) identify(t testing.TB, ctx context.Context) {
	t.Helper()
	m, err := r.be.Identify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !m.LookedUp {
		t.Fatal("identify: the machine was not looked up before sign-in")
	}
}

// prepare is what the console does while the password is typed (not
// timed, counted): the sign-in screen has the session's store opened and
// what the menu can read ahead read (store.auth: url), and the DC dialled
// (TCP, TLS) for the sign-in to bind on.
func (r *rig) prepare(t testing.TB) counts {
	t.Helper()
	r.reset()
	start := time.Now()
	<-r.be.Prepare()
	return r.counts(start)
}

// enterToMenu is what follows Enter on the sign-in screen: sign in (bind,
// groups, open the store), then load the menu (tui's menuScreen.load:
// FindComputer only when the machine was not looked up before).
func (r *rig) enterToMenu(t testing.TB, ctx context.Context) (counts, *menu.Menu) {
	t.Helper()
	r.reset()
	start := time.Now()
	if _, err := r.be.SignIn(ctx, r.user, r.pass); err != nil {
		t.Fatal(err)
	}
	l, err := r.be.LoadMenu(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := r.counts(start)
	c.sqlAfterBind = r.link.TripsSince(r.proxy.LastAnswer())
	return c, l.Menu
}

// confirmToQueued is Confirm on the confirm screen: Queue, with its
// SERIALIZABLE (here BEGIN IMMEDIATE) re-decision.
func (r *rig) confirmToQueued(t testing.TB, ctx context.Context, e menu.Entry) counts {
	t.Helper()
	r.reset()
	start := time.Now()
	q, err := r.be.Queue(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	c := r.counts(start)
	if q.AlreadyQueued {
		t.Fatal("queue: already queued; the measurement must queue afresh")
	}
	if _, err := r.direct.ExecContext(ctx, "DELETE FROM event_schedule WHERE schedule_id = ?", q.Schedule.ID); err != nil {
		t.Fatal(err)
	}
	return c
}
