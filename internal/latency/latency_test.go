package latency_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/directory/adtest"
)

func TestMain(m *testing.M) { os.Exit(adtest.Main(m)) }

// The counts are what the bench reports; here they must be the same on
// every run and add up: a sign-in is a TCP connection, TLS and LDAP
// requests; the menu's SQL is the statements plus the ping that opens the
// session's store; the queue is statements only (SQLite's BEGIN IMMEDIATE
// and COMMIT are statements).
func TestRoundTripsCounted(t *testing.T) {
	r := newRig(t, 0)
	ctx := context.Background()
	r.identify(t, ctx)
	if testing.Verbose() {
		r.link.SetTrace(func(q string) { t.Logf("sql %.70q", q) })
	}
	first, mn := r.enterToMenu(t, ctx)
	if mn == nil || len(mn.Entries()) == 0 {
		t.Fatal("no menu")
	}
	r.be.SignOut()
	second, _ := r.enterToMenu(t, ctx)
	for _, c := range []counts{first, second} {
		if c.ldapConns < 1 || c.ldapTrips < c.ldapConns+3 {
			t.Errorf("LDAP: %d round trips on %d connections; a sign-in is at least TCP, TLS and a bind", c.ldapTrips, c.ldapConns)
		}
		if c.sqlConns != 1 || c.sqlTrips != c.sqlStmts+1 {
			t.Errorf("SQL: %d round trips, %d statements, %d connections; want the statements plus one ping on one connection", c.sqlTrips, c.sqlStmts, c.sqlConns)
		}
		// store.auth: url: the ping and discovery that open the
		// session's store overlap the LDAP sign-in; the menu's
		// statements follow it.
		if c.sqlAfterBind != c.sqlTrips-2 {
			t.Errorf("SQL: %d of %d round trips after the DC's last answer; want all but the ping and discovery", c.sqlAfterBind, c.sqlTrips)
		}
	}
	if first.ldapTrips != second.ldapTrips || first.sqlTrips != second.sqlTrips {
		t.Errorf("two sign-ins differ: LDAP %d/%d, SQL %d/%d round trips", first.ldapTrips, second.ldapTrips, first.sqlTrips, second.sqlTrips)
	}
	q := r.confirmToQueued(t, ctx, mn.Entries()[0])
	if q.ldapTrips != 0 {
		t.Errorf("queueing asked the DC %d times; it re-decides from the store", q.ldapTrips)
	}
	if q.sqlConns != 0 || q.sqlTrips != q.sqlStmts {
		t.Errorf("queue: %d round trips, %d statements, %d new connections", q.sqlTrips, q.sqlStmts, q.sqlConns)
	}
	t.Logf("Enter→menu: LDAP %d round trips (%d connections), SQL %d round trips (%d statements); Confirm→queued: SQL %d round trips (%d statements)",
		first.ldapTrips, first.ldapConns, first.sqlTrips, first.sqlStmts, q.sqlTrips, q.sqlStmts)
}

// BenchmarkLatency measures Enter → menu and Confirm → queued at 0, 20 and
// 60 ms round trip on the LDAP link and the SQL link alike.
func BenchmarkLatency(b *testing.B) {
	r := newRig(b, 0)
	ctx := context.Background()
	r.identify(b, ctx)
	for _, ms := range []int{0, 20, 60} {
		b.Run("rtt="+strconv.Itoa(ms)+"ms", func(b *testing.B) {
			r.setRTT(time.Duration(ms) * time.Millisecond)
			defer r.setRTT(0)
			var enter, confirm time.Duration
			var e, q counts
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c, m := r.enterToMenu(b, ctx)
				qc := r.confirmToQueued(b, ctx, m.Entries()[0])
				b.StopTimer()
				r.be.SignOut()
				b.StartTimer()
				enter += c.took
				confirm += qc.took
				e, q = c, qc
			}
			n := float64(b.N)
			b.ReportMetric(float64(enter.Microseconds())/n/1000, "enter-ms")
			b.ReportMetric(float64(confirm.Microseconds())/n/1000, "confirm-ms")
			b.ReportMetric(float64(e.ldapTrips), "enter-ldap-trips")
			b.ReportMetric(float64(e.ldapConns), "enter-ldap-conns")
			b.ReportMetric(float64(e.sqlTrips), "enter-sql-trips")
			b.ReportMetric(float64(e.sqlStmts), "enter-sql-stmts")
			b.ReportMetric(float64(e.sqlAfterBind), "enter-sql-trips-menu")
			b.ReportMetric(float64(q.sqlTrips), "confirm-sql-trips")
			b.ReportMetric(float64(q.sqlStmts), "confirm-sql-stmts")
		})
	}
}
