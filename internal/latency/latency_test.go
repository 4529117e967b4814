package latency_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/directory/adtest"
	"github.com/imageinvoker/imageinvoker/internal/doctor"
)

func TestMain(m *testing.M) { os.Exit(adtest.Main(m)) }

// The counts are what the bench reports; here they must be the same on
// every run and add up, with SQL Server's batches modelled (one round trip
// per batch the store sends): a sign-in is a TCP connection, TLS and LDAP
// requests (bind, who-am-I with the account's search, tokenGroups, the
// group names); the store opened during the bind is a ping and discovery,
// and the menu two batches after the bind; prepared while the password is
// typed, the store is opened and the principals and group chain read, and
// the DC dialled (TCP, TLS) before Enter: the menu is the LDAP requests and
// one batch after the bind. The queue is BEGIN, its reads in one batch,
// the insert, the row read back and COMMIT.
func TestRoundTripsCounted(t *testing.T) {
	r := newRig(t, 0)
	ctx := context.Background()
	r.identify(t, ctx)
	if testing.Verbose() {
		r.link.SetTrace(func(q string) { t.Logf("sql %.70q", q) })
	}
	cold, mn := r.enterToMenu(t, ctx)
	if mn == nil || len(mn.Entries()) == 0 {
		t.Fatal("no menu")
	}
	r.be.SignOut()
	pre := r.prepare(t)
	warm, _ := r.enterToMenu(t, ctx)
	if cold.ldapConns != 1 || cold.ldapTrips != 6 {
		t.Errorf("LDAP without Prepare: %d round trips on %d connections; want 6 on 1 (TCP, TLS, bind, who-am-I with the search, tokenGroups, names)", cold.ldapTrips, cold.ldapConns)
	}
	if cold.sqlConns != 1 || cold.sqlTrips != 4 || cold.sqlAfterBind != 2 {
		t.Errorf("SQL without Prepare: %d round trips (%d after the bind), %d statements, %d connections; want 4 (ping, discovery, two batches), 2 after the bind, on one connection",
			cold.sqlTrips, cold.sqlAfterBind, cold.sqlStmts, cold.sqlConns)
	}
	if pre.ldapTrips != 2 || pre.ldapConns != 1 || pre.sqlConns != 1 || pre.sqlTrips != 3 {
		t.Errorf("Prepare: %d LDAP round trips on %d connections, %d SQL on %d; want 2 LDAP (TCP, TLS) on one, 3 SQL (ping, discovery, the batch read ahead) on one",
			pre.ldapTrips, pre.ldapConns, pre.sqlTrips, pre.sqlConns)
	}
	if warm.ldapTrips != doctor.DCRoundTripsAfterEnter || warm.sqlTrips != doctor.StoreRoundTripsAfterEnter {
		t.Errorf("after Enter: %d LDAP and %d SQL round trips; doctor's latency check says %d and %d",
			warm.ldapTrips, warm.sqlTrips, doctor.DCRoundTripsAfterEnter, doctor.StoreRoundTripsAfterEnter)
	}
	if warm.ldapConns != 0 || warm.ldapTrips != cold.ldapTrips-2 {
		t.Errorf("LDAP after Prepare: %d round trips on %d new connections; want %d (no TCP, no TLS) on the one dialled before Enter", warm.ldapTrips, warm.ldapConns, cold.ldapTrips-2)
	}
	if warm.sqlConns != 0 || warm.sqlTrips != 1 || warm.sqlAfterBind != 1 {
		t.Errorf("SQL after Prepare: %d round trips (%d after the bind), %d statements, %d connections; want 1 batch after the bind on the prepared connection",
			warm.sqlTrips, warm.sqlAfterBind, warm.sqlStmts, warm.sqlConns)
	}
	q := r.confirmToQueued(t, ctx, mn.Entries()[0])
	if q.ldapTrips != 0 {
		t.Errorf("queueing asked the DC %d times; it re-decides from the store", q.ldapTrips)
	}
	if q.sqlConns != 0 || q.sqlTrips != 5 {
		t.Errorf("queue: %d round trips, %d statements, %d new connections; want 5 (BEGIN, the reads, the insert, the read back, COMMIT)", q.sqlTrips, q.sqlStmts, q.sqlConns)
	}
	t.Logf("Enter→menu: LDAP %d round trips without Prepare, %d after it (%d before Enter); SQL %d round trips (%d statements) without Prepare, %d (%d) after it (%d before Enter); Confirm→queued: SQL %d round trips (%d statements)",
		cold.ldapTrips, warm.ldapTrips, pre.ldapTrips, cold.sqlTrips, cold.sqlStmts, warm.sqlTrips, warm.sqlStmts, pre.sqlTrips, q.sqlTrips, q.sqlStmts)
}

// BenchmarkLatency measures Enter → menu (the console's path: the store
// prepared and the DC dialled while the password is typed; and without
// either, as `run` signs in) and Confirm → queued at 0, 20 and 60 ms round trip on the LDAP link
// and the SQL link alike.
func BenchmarkLatency(b *testing.B) {
	r := newRig(b, 0)
	ctx := context.Background()
	r.identify(b, ctx)
	for _, ms := range []int{0, 20, 60} {
		b.Run("rtt="+strconv.Itoa(ms)+"ms", func(b *testing.B) {
			r.setRTT(time.Duration(ms) * time.Millisecond)
			defer r.setRTT(0)
			var enter, cold, confirm time.Duration
			var p, e, c, q counts
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				pc := r.prepare(b)
				b.StartTimer()
				ec, m := r.enterToMenu(b, ctx)
				qc := r.confirmToQueued(b, ctx, m.Entries()[0])
				b.StopTimer()
				r.be.SignOut()
				b.StartTimer()
				cc, _ := r.enterToMenu(b, ctx)
				b.StopTimer()
				r.be.SignOut()
				b.StartTimer()
				enter += ec.took
				cold += cc.took
				confirm += qc.took
				p, e, c, q = pc, ec, cc, qc
			}
			n := float64(b.N)
			b.ReportMetric(float64(enter.Microseconds())/n/1000, "enter-ms")
			b.ReportMetric(float64(cold.Microseconds())/n/1000, "enter-cold-ms")
			b.ReportMetric(float64(confirm.Microseconds())/n/1000, "confirm-ms")
			b.ReportMetric(float64(p.sqlTrips), "prepare-sql-trips")
			b.ReportMetric(float64(p.ldapTrips), "prepare-ldap-trips")
			b.ReportMetric(float64(c.ldapTrips), "cold-ldap-trips")
			b.ReportMetric(float64(e.ldapTrips), "enter-ldap-trips")
			b.ReportMetric(float64(e.ldapConns), "enter-ldap-conns")
			b.ReportMetric(float64(e.sqlTrips), "enter-sql-trips")
			b.ReportMetric(float64(e.sqlStmts), "enter-sql-stmts")
			b.ReportMetric(float64(e.sqlAfterBind), "enter-sql-trips-menu")
			b.ReportMetric(float64(c.sqlTrips), "cold-sql-trips")
			b.ReportMetric(float64(c.sqlAfterBind), "cold-sql-trips-menu")
			b.ReportMetric(float64(q.sqlTrips), "confirm-sql-trips")
			b.ReportMetric(float64(q.sqlStmts), "confirm-sql-stmts")
		})
	}
}

// What the sign-in screen dials while the password is typed is closed when
// the technician leaves (Esc: Unprepare), when the password is refused
// (the refusal came on it: no connection of its own), and at sign-out; a
// DS console account name leaves it unused.
func TestWarmDirectoryClosed(t *testing.T) {
	r := newRig(t, 0)
	ctx := context.Background()
	r.identify(t, ctx)
	wait := func(n int, why string) {
		t.Helper()
		wctx, cancel := context.WithTimeout(ctx, time.Minute) // a hang guard
		defer cancel()
		if err := r.proxy.WaitOpen(wctx, n); err != nil {
			t.Fatalf("%s: %d LDAP connections open; want %d", why, r.proxy.Open(), n)
		}
	}

	r.prepare(t)
	wait(1, "Prepare")
	r.be.Unprepare()
	wait(0, "Esc (Unprepare)")

	r.prepare(t)
	r.reset()
	if _, err := r.be.SignIn(ctx, r.user, "not-the-password"); err == nil {
		t.Fatal("a wrong password signed in")
	}
	if r.proxy.Conns() != 0 {
		t.Errorf("the refused sign-in opened %d LDAP connections; want it on the one dialled before Enter", r.proxy.Conns())
	}
	wait(0, "after a refused password")

	r.prepare(t)
	if _, err := r.be.SignIn(ctx, `.\nobody`, "whatever-1"); err == nil {
		t.Fatal(`.\nobody signed in`)
	}
	wait(0, "after a DS console account name")

	r.prepare(t)
	if _, err := r.be.SignIn(ctx, r.user, r.pass); err != nil {
		t.Fatal(err)
	}
	wait(0, "signed in (a bound connection is never kept)")
	r.be.SignOut()
	wait(0, "sign-out")
}
