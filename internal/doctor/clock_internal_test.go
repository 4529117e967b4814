package doctor

import (
	"strings"
	"testing"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/config"
)

// The clock verdict for every kind of reference. Every reference is UTC (the
// store reads SQL Server's GETUTCDATE()), so hours of difference are a fault
// whatever the server's time zone.
func TestClockCheck(t *testing.T) {
	now := time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC)
	const year = 365 * 24 * time.Hour
	dcAt := func(skew time.Duration) dcPhase {
		return dcPhase{probes: []*probe{{raw: "ldaps://dc1:636", dcSkew: skew, dcTimeOK: true}}}
	}
	noDC := dcPhase{probes: []*probe{{raw: "ldaps://dc1:636", dcTimeErr: errTest}}}
	db := func(dialect string, skew time.Duration) storePhase {
		return storePhase{dbSkew: skew, dbTimeOK: true, dialect: dialect}
	}
	cases := []struct {
		name   string
		dcs    dcPhase
		st     storePhase
		want   Status
		detail []string
	}{
		{"no reference", noDC, storePhase{}, Skip, []string{"neither a DC nor the database"}},
		{"DC agrees", dcAt(30 * time.Second), storePhase{}, OK, []string{"the DC ldaps://dc1:636 says 2026-11-23 16:00 UTC"}},
		{"DC 10 minutes ahead", dcAt(10 * time.Minute), storePhase{}, Warn, []string{"10m behind"}},
		{"DC says three years later", dcAt(3 * year), db("sqlite", 3*year), Fail,
			[]string{"this machine's clock says 2026-11-23 16:00 UTC but the DC ldaps://dc1:636 says 2029-11-22 16:00 UTC", "the database server says", "about 3.0 years behind"}},
		{"machine ahead of the DC", dcAt(-2 * 24 * time.Hour), storePhase{}, Fail, []string{"about 2 days ahead"}},
		{"DC beats the database", dcAt(0), db("sqlite", 3*year), OK, nil},
		{"SQLite is UTC", noDC, db("sqlite", 2*time.Hour), Warn, []string{"2h behind"}},
		{"SQL Server five hours off", noDC, db("sqlserver", -5*time.Hour), Warn, []string{"5h ahead"}},
		{"SQL Server three years later", noDC, db("sqlserver", 3*year), Fail, []string{"the database server says 2029-11-22 16:00 UTC"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := Deps{Config: config.Default(), Now: func() time.Time { return now }}
			c := clockCheck(d, dcPhases{tc.dcs}, tc.st)
			if c.Status != tc.want {
				t.Fatalf("status %s (%s); want %s", c.Status, c.Detail, tc.want)
			}
			for _, s := range tc.detail {
				if !strings.Contains(c.Detail, s) {
					t.Errorf("detail %q lacks %q", c.Detail, s)
				}
			}
			if (c.Status == Fail || c.Status == Warn) != (c.Fix != "") {
				t.Errorf("status %s with fix %q", c.Status, c.Fix)
			}
		})
	}
}

var errTest = errorString("no currentTime")

type errorString string

func (e errorString) Error() string { return string(e) }

func TestHumanDuration(t *testing.T) {
	cases := []struct {
		in   time.Duration
		want string
	}{
		{6 * time.Minute, "6m"},
		{90 * time.Minute, "1h30m"},
		{5 * time.Hour, "5h"},
		{47 * time.Hour, "47h"},
		{50 * time.Hour, "about 2 days"},
		{3 * 365 * 24 * time.Hour, "about 3.0 years"},
	}
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			if got := humanDuration(tc.in); got != tc.want {
				t.Errorf("humanDuration(%v) = %q; want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestWrap(t *testing.T) {
	cases := []struct {
		name, prefix, text string
		width              int
		want               string
	}{
		{"fits", "[ ok ] ", "config: fine", 79, "[ ok ] config: fine\n"},
		{"wraps at a space", "> ", "aaa bbb ccc", 9, "> aaa bbb\n  ccc\n"},
		{"long word stays whole", "> ", "x /a/very/long/path y", 8, "> x\n  /a/very/long/path\n  y\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := wrap(tc.prefix, tc.text, tc.width, "  "); got != tc.want {
				t.Errorf("wrap = %q; want %q", got, tc.want)
			}
		})
	}
}
