package app

import (
	"context"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/directory/adtest"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
)

// executeAt is execute on a machine with these IP addresses (they choose
// its site).
func executeAt(t *testing.T, addr, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	f, ts := cmdutil.Test(nil)
	ts.In.WriteString(stdin)
	f.Addrs = func() ([]netip.Addr, error) { return []netip.Addr{netip.MustParseAddr(addr)}, nil }
	root := NewRootCmd(f)
	root.SetArgs(args)
	code = exitcode.OK
	if cmd, err := root.ExecuteContextC(context.Background()); err != nil {
		code = report(f, cmd, err, false)
	}
	return ts.Out.String(), ts.Err.String(), code
}

// TestOrganisationEndToEnd is issue 10's whole story: one boot medium whose
// config includes a central file naming two sites (each its own eXpress
// store) and two AD domains (two real Samba DCs). A technician of each
// domain signs in on a machine of each site, gets that site's menu with the
// groups of both domains, and queues into that site's store; config show
// says where every value came from; doctor checks the central file, the
// site and every domain's DCs.
func TestOrganisationEndToEnd(t *testing.T) {
	lab, other := adtest.StartPair(t)
	north, south := labStore(t), labStore(t)
	// North: OTHER's Res Imagers (which holds LAB\Imaging Techs, alice's
	// group, as a foreign member) may schedule Win11 Physics: alice gets it
	// only if OTHER's groups are read for her.
	// South: OTHER's Field Techs (olga's group) may run the BIOS update.
	for store, stmts := range map[string][]string{
		north: {
			`INSERT INTO securitygroup(group_id, name, ad_group_netbiosdomain) VALUES (15000030, 'Res Imagers', 'OTHER')`,
			`INSERT INTO securitypermissionlink VALUES (66, 15000030, 2000133, 1)`,
			// And OTHER's Field Techs may take inventory.
			`INSERT INTO securitygroup(group_id, name, ad_group_netbiosdomain) VALUES (15000031, 'Field Techs', 'OTHER')`,
			`INSERT INTO securitypermissionlink VALUES (66, 15000031, 2000150, 1)`,
			`INSERT INTO securitypermissionlink VALUES (64, 15000031, -1, 1)`,
		},
		south: {
			`INSERT INTO securitygroup(group_id, name, ad_group_domain) VALUES (15000031, 'Field Techs', 'other.example')`,
			`INSERT INTO securitypermissionlink VALUES (66, 15000031, 1000004, 1)`,
			`INSERT INTO securitypermissionlink VALUES (48, 15000031, -1, 1)`,
		},
	} {
		db := openSQLite(t, store)
		for _, q := range stmts {
			if _, err := db.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
	}
	dir := t.TempDir()
	reader := cmdutil.WriteFile(t, dir, "reader.txt", adtest.ReaderPassword+"\n")
	domain := func(dc *adtest.DC) string {
		return "    - netbios: " + dc.Domain + "\n      dns: " + dc.DNSDomain + "\n      dcs: ['" + dc.URL + "']\n      ca_file: '" + dc.CAFile +
			"'\n      bind_user: '" + dc.Domain + `\` + adtest.UserReader + "'\n      bind_password_file: '" + reader + "'\n"
	}
	central := filepath.Join(dir, "central.yaml")
	media := filepath.Join(dir, "imageinvoker.yaml")
	for path, body := range map[string]string{
		central: "directory:\n  domains:\n" + domain(lab) + domain(other) +
			"sites:\n  - name: north\n    subnets: [10.1.0.0/16]\n    store:\n      url: '" + north + "'\n" +
			"  - name: south\n    subnets: [10.2.0.0/16, 'fd00:2::/32']\n    store:\n      url: '" + south + "'\n" +
			"session:\n  step_timeout: 45s\n",
		// The machine is named by --mac in this test, as in a lab.
		media: "include: '" + central + "'\nsession:\n  step_timeout: 40s\npolicy:\n  allow_overrides: true\n",
	} {
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	run := func(addr, mac, user, password, job string) (runOut, string, int) {
		stdout, stderr, code := executeAt(t, addr, password+"\n", "run", "--config", media, "--mac", mac,
			"--job", job, "--user", user, "--password-stdin", "--yes", "--json")
		var r runOut
		if code == 0 {
			if err := json.Unmarshal([]byte(stdout), &r); err != nil {
				t.Fatalf("%v: %s", err, stdout)
			}
		}
		return r, stderr, code
	}
	alice, olga := lab.Users["alice"].Password, adtest.OlgaPassword
	// PC-042 and PC-043 are in both stores (each site's DS knows them).
	const pc42, pc43 = "AA:BB:CC:DD:EE:FF", "00:11:22:33:44:55"
	cases := []struct {
		name, addr, mac, user, password, job string
		code                                 int
		store                                string
	}{
		{"LAB user at north, through OTHER's group", "10.1.2.3", pc42, `LAB\alice`, alice, "2000133", 0, north},
		{"LAB user at south", "10.2.7.7", pc42, `LAB\alice`, alice, "2000140", 0, south},
		{"OTHER user at south, through OTHER's group", "fd00:2::10", pc43, `OTHER\olga`, olga, "2000140", 0, south},
		{"OTHER user at north", "10.1.9.9", pc43, `olga@other.example`, olga, "2000150", 0, north},
		{"OTHER user at north: no entry for the BIOS update there", "10.1.9.9", pc43, `OTHER\olga`, olga, "2000140", exitcode.NotPermitted, ""},
		{"LAB user at south: south's store has no OTHER Res Imagers entry", "10.2.0.1", pc42, `LAB\alice`, alice, "2000133", exitcode.NotPermitted, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n, s := countSchedules(t, north), countSchedules(t, south)
			start := time.Now()
			r, stderr, code := run(tc.addr, tc.mac, tc.user, tc.password, tc.job)
			// Config with include, site choice, sign-in at two domains, menu, queue.
			t.Logf("%s: run took %s", tc.name, time.Since(start).Round(time.Millisecond))
			if code != tc.code {
				t.Fatalf("exit %d, want %d: %s", code, tc.code, stderr)
			}
			dn, ds := countSchedules(t, north)-n, countSchedules(t, south)-s
			switch tc.store {
			case north:
				if dn != 1 || ds != 0 || r.ScheduleID < 100000001 {
					t.Errorf("north +%d, south +%d, schedule %d", dn, ds, r.ScheduleID)
				}
			case south:
				if dn != 0 || ds != 1 || r.ScheduleID < 100000001 {
					t.Errorf("north +%d, south +%d, schedule %d", dn, ds, r.ScheduleID)
				}
			default:
				if dn != 0 || ds != 0 {
					t.Errorf("a refused run wrote north +%d, south +%d", dn, ds)
				}
			}
		})
	}

	// config show: the site by address, and where each value came from.
	stdout, stderr, code := executeAt(t, "10.2.3.4", "", "config", "show", "--config", media, "--json")
	if code != 0 {
		t.Fatalf("config show: exit %d: %s", code, stderr)
	}
	var show struct {
		Site struct {
			Name string `json:"name"`
		} `json:"site"`
		Settings []struct {
			Key    string `json:"key"`
			Value  any    `json:"value"`
			Origin struct {
				Kind, File, Name string
				Line             int
			} `json:"origin"`
		} `json:"settings"`
	}
	if err := json.Unmarshal([]byte(stdout), &show); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	if show.Site.Name != "south" {
		t.Errorf("site = %q, want south", show.Site.Name)
	}
	origins := map[string]string{}
	for _, s := range show.Settings {
		origins[s.Key] = s.Origin.Kind + " " + s.Origin.File + " " + s.Origin.Name
	}
	for key, want := range map[string]string{
		"store.url":            "site",
		"directory.domains":    "central",
		"session.step_timeout": "media",
		"session.idle_timeout": "default",
	} {
		if !strings.Contains(origins[key], want) {
			t.Errorf("%s comes from %q, want %s", key, origins[key], want)
		}
	}

	// doctor: the central file, this machine's site, and both domains' DCs.
	stdout, _, _ = executeAt(t, "10.1.0.7", "", "doctor", "--config", media, "--json", "--mac", "AA:BB:CC:DD:EE:FF")
	var rep struct {
		Checks []struct{ Name, Status, Detail string } `json:"checks"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	seen := map[string]string{}
	var dcs []string
	for _, c := range rep.Checks {
		seen[c.Name] = c.Status + ": " + c.Detail
		if strings.HasPrefix(c.Name, "dc ") {
			dcs = append(dcs, c.Name+" "+c.Status)
		}
	}
	if !strings.HasPrefix(seen["central config"], "ok") || !strings.Contains(seen["site"], "north") {
		t.Errorf("central config %q, site %q", seen["central config"], seen["site"])
	}
	joined := strings.Join(dcs, "; ")
	if !strings.Contains(joined, "127.0.0.1") || !strings.Contains(joined, adtest.OtherAddr) || strings.Contains(joined, "fail") {
		t.Errorf("dc checks: %s", joined)
	}
}

// runOut is what run --json says of a queued job.
type runOut struct {
	ScheduleID int64 `json:"schedule_id"`
}
