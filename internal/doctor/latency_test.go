package doctor_test

import (
	"context"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/doctor"
	"github.com/imageinvoker/imageinvoker/internal/latency"
)

// The latency check reports the round trip this machine measures to its DC,
// and warns when the wait from Enter to the menu it makes is long. The DC is
// the real one behind internal/latency's delaying proxy, so the round trip
// is at least the delay it adds: a lower bound, which no load can break.
func TestLatencyCheck(t *testing.T) {
	e := newEnv(t)
	proxy, err := latency.NewProxy("127.0.0.1:0", e.dcHost(), 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = proxy.Close() })
	e.deps.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, proxy.Addr())
	}
	dcMillis := regexp.MustCompile(`takes ([0-9.]+) ms to the DC`)
	cases := []struct {
		name   string
		rtt    time.Duration
		auth   config.StoreAuth
		status doctor.Status
		fix    []string
	}{
		{"near", 20 * time.Millisecond, config.AuthURL, doctor.OK, nil},
		{"far", 300 * time.Millisecond, config.AuthURL, doctor.Warn, []string{"directory.dcs"}},
		{"far, technician", 300 * time.Millisecond, config.AuthTechnician, doctor.Warn, []string{"directory.dcs", "store.auth: url", "saving 8 store round trips"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			proxy.SetRTT(tc.rtt)
			// doctor opens the SQLite store either way; the setting only
			// changes the round trips the SQL login adds after Enter.
			e.cfg.Store.Auth = tc.auth
			r := e.run(t)
			c, ok := r.Find("latency")
			if !ok {
				t.Fatal("no latency check")
			}
			t.Logf("%s: %s", c.Status, c.Detail)
			m := dcMillis.FindStringSubmatch(c.Detail)
			if m == nil {
				t.Fatalf("detail %q names no DC round trip", c.Detail)
			}
			got, _ := strconv.ParseFloat(m[1], 64)
			if got < float64(tc.rtt/time.Millisecond) {
				t.Errorf("DC round trip %v ms, below the %v the link adds", got, tc.rtt)
			}
			if !strings.Contains(c.Detail, "needs "+strconv.Itoa(doctor.DCRoundTripsAfterEnter)+" DC") {
				t.Errorf("detail %q: the round trips a sign-in needs", c.Detail)
			}
			if c.Status != tc.status {
				t.Errorf("status %s, want %s", c.Status, tc.status)
			}
			for _, f := range tc.fix {
				if !strings.Contains(c.Fix, f) {
					t.Errorf("fix %q lacks %q", c.Fix, f)
				}
			}
		})
	}
}
