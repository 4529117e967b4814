package machine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/demo"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/internal/flow"
	machinepkg "github.com/imageinvoker/imageinvoker/pkg/machine"
)

func factory(env map[string]string) (*cmdutil.Factory, *bytes.Buffer, *bytes.Buffer) {
	f, ts := cmdutil.Test(env)
	return f, ts.Out, ts.Err
}

// fakeReport is a machine as pkg/machine would report it: one used NIC with
// the demo computer's MAC, a bridge that is not used, and SMBIOS fields.
func fakeReport(mac string) machinepkg.Report {
	return machinepkg.Report{
		Identity: machinepkg.Identity{
			MACs: []string{mac}, UUID: "4C4C4544-0042-3010-8058-B3C04F4E4A31", Serial: "CZC214446Z",
			AssetTag: "AT-7781", Manufacturer: "Hewlett-Packard", Model: "HP Z600 Workstation",
		},
		NICs: []machinepkg.NIC{
			{Name: "lo", Reason: "loopback interface"},
			{Name: "eth0", MAC: mac, Used: true},
			{Name: "docker0", MAC: "0242AC110001", Reason: "software interface (bridge, veth, bond, tun/tap, VPN): no bus device in /sys/class/net/docker0/device"},
		},
	}
}

// execute runs `machine ARGS` with the reader replaced by inspect.
func execute(t *testing.T, inspect func() (machinepkg.Report, error), env map[string]string, args ...string) (string, string, error) {
	t.Helper()
	f, out, errb := factory(env)
	err := cmdutil.Execute(NewCmd(f, func(ctx context.Context, o *Options) error {
		o.Inspect, o.Platform = inspect, "testos/testarch"
		return run(ctx, o)
	}), args...)
	return out.String(), errb.String(), err
}

func reads(r machinepkg.Report, err error) func() (machinepkg.Report, error) {
	return func() (machinepkg.Report, error) { return r, err }
}

// demoStore makes a real demo eXpress database in SQLite and returns its URL.
func demoStore(t *testing.T) string {
	t.Helper()
	url, err := demo.NewStore(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(url, "sqlite:") {
		url = "sqlite:" + url
	}
	return url
}

func TestArgvToOptions(t *testing.T) {
	platform := runtime.GOOS + "/" + runtime.GOARCH
	cases := []cmdutil.ArgvCase[Options]{
		{Name: "none", Argv: nil, Want: Options{Platform: platform}, Config: func(c *config.Config) { c.Store.URL = "" }},
		{Name: "json demo mac", Argv: []string{"--json", "--demo", "--mac", "00:15:5d:2a:00:42"},
			Want: Options{Platform: platform, JSON: true, Demo: true, Machine: cmdutil.MachineFlags{Override: flow.Override{MACs: []string{"00:15:5d:2a:00:42"}}}}},
		{Name: "store and match from env", Argv: nil, Env: map[string]string{"IMAGEINVOKER_STORE": "sqlite:x.db", "IMAGEINVOKER_MATCH": "serial,mac"},
			Want: Options{Platform: platform}, Config: func(c *config.Config) {
				c.Store.URL, c.Machine.Match = "sqlite:x.db", config.MatchList{config.MatchSerial, config.MatchMAC}
			}},
		{Name: "bad match", Argv: []string{"--match", "hostname"}, WantErr: "match"},
		{Name: "no args", Argv: []string{"extra"}, WantErr: "unknown command"},
	}
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			if err := tc.Try(NewCmd); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestTextWithoutStore(t *testing.T) {
	warn := &machinepkg.PartialError{Problems: []error{errors.New("no permission to read /sys/firmware/dmi/tables/DMI: run as root")}}
	out, _, err := execute(t, reads(fakeReport("001AA0123456"), warn), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Read from this machine (testos/testarch):",
		"    lo       -                  not used: loopback interface\n",
		"    eth0     00:1A:A0:12:34:56  used\n",
		"    docker0  02:42:AC:11:00:01  not used: software interface",
		"  MACs for matching: 00:1A:A0:12:34:56\n",
		"  System UUID:       4C4C4544-0042-3010-8058-B3C04F4E4A31\n",
		"  Serial number:     CZC214446Z\n",
		"  Asset tag:         AT-7781\n",
		"  Manufacturer:      Hewlett-Packard\n",
		"  Model:             HP Z600 Workstation\n",
		"  note: no permission to read /sys/firmware/dmi/tables/DMI: run as root\n",
		"Deployment Server:\n  no eXpress store configured",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestJSONFoundInStore(t *testing.T) {
	// The MAC read from the machine (not a flag) finds the demo computer in a
	// real SQLite eXpress database.
	store := demoStore(t)
	out, _, err := execute(t, reads(fakeReport(demo.ComputerMAC), nil), nil, "--store", store, "--json")
	if err != nil {
		t.Fatal(err)
	}
	var got Result
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if got.Platform != "testos/testarch" || !slices.Equal(got.MACs, []string{demo.ComputerMAC}) || got.Serial != "CZC214446Z" || len(got.NICs) != 3 {
		t.Errorf("machine part wrong: %+v", got)
	}
	if got.NICs[2].Used || got.NICs[2].Reason == "" || !got.NICs[1].Used {
		t.Errorf("NICs lost used/reason: %+v", got.NICs)
	}
	l := got.Lookup
	if l.Status != LookupFound || l.Computer == nil || l.Computer.ID != demo.ComputerID || l.Computer.Name != demo.ComputerName {
		t.Errorf("lookup = %+v, want found %s", l, demo.ComputerName)
	}
	if len(l.Keys) != 1 || l.Keys[0].By != "mac" || !slices.Equal(l.Keys[0].Values, []string{demo.ComputerMAC}) {
		t.Errorf("keys = %+v, want the configured default: mac only", l.Keys)
	}
	for _, key := range []string{`"nics"`, `"used"`, `"reason"`, `"asset_tag"`, `"lookup"`, `"warnings": []`} {
		if !strings.Contains(out, key) {
			t.Errorf("JSON lacks %s:\n%s", key, out)
		}
	}
}

func TestNotFoundExits3AfterPrinting(t *testing.T) {
	store := demoStore(t)
	out, _, err := execute(t, reads(fakeReport("001AA0123456"), nil), nil, "--store", store, "--match", "mac,serial")
	if exitcode.Of(err) != exitcode.UnknownComputer {
		t.Fatalf("err = %v (exit %d), want exit 3", err, exitcode.Of(err))
	}
	for _, want := range []string{"MACs for matching: 00:1A:A0:12:34:56", "looked up by mac 00:1A:A0:12:34:56, then serial CZC214446Z", "not known to Deployment Server"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestDemoUsesDemoMachine(t *testing.T) {
	// Like menu --demo: the demo machine unless flags name another; what was
	// read from this machine is still shown.
	out, _, err := execute(t, reads(fakeReport("001AA0123456"), nil), nil, "--demo")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"eth0     00:1A:A0:12:34:56  used", "this machine is " + demo.ComputerName + " (computer 5000042)"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestTechnicianStoreSkipsLookup(t *testing.T) {
	out, _, err := execute(t, reads(fakeReport("001AA0123456"), nil), nil, "--store", "sqlserver://ds1.invalid/SQLEXPRESS?database=eXpress", "--store-auth", "technician", "--json")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `"status": "skipped"`) || !strings.Contains(out, "after sign-in") {
		t.Errorf("want a skipped lookup naming sign-in:\n%s", out)
	}
}

func TestStoreDownExits8AfterPrinting(t *testing.T) {
	out, _, err := execute(t, reads(fakeReport("001AA0123456"), nil), nil, "--store", "sqlite:/nonexistent/dir/x.db", "--json")
	if exitcode.Of(err) != exitcode.StoreDown {
		t.Fatalf("err = %v (exit %d), want exit 8", err, exitcode.Of(err))
	}
	var got Result
	if jerr := json.Unmarshal([]byte(out), &got); jerr != nil || got.Lookup.Status != LookupFailed || got.Lookup.Detail == "" {
		t.Errorf("want the report with a failed lookup: %v\n%s", jerr, out)
	}
}

// TestRealReader runs the command with this host's real reader (sysfs on
// Linux) and checks it shows exactly what machine.Read gives everyone else.
func TestRealReader(t *testing.T) {
	f, out, _ := factory(nil)
	cmd := NewCmd(f, nil)
	cmd.SetArgs([]string{"--json"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	var got Result
	if err := json.Unmarshal([]byte(out.Bytes()), &got); err != nil {
		t.Fatal(err)
	}
	id, _ := machinepkg.Read()
	if !slices.Equal(got.MACs, id.MACs) && !(len(got.MACs) == 0 && len(id.MACs) == 0) {
		t.Errorf("machine --json MACs %q, machine.Read %q", got.MACs, id.MACs)
	}
	if got.Platform != runtime.GOOS+"/"+runtime.GOARCH {
		t.Errorf("platform %q", got.Platform)
	}
	for _, n := range got.NICs {
		if n.Used != slices.Contains(got.MACs, n.MAC) && n.Used {
			t.Errorf("NIC %+v used but its MAC is not in macs", n)
		}
		if !n.Used && n.Reason == "" {
			t.Errorf("NIC %+v not used and no reason", n)
		}
	}
	t.Logf("%s", out)
}

// SMBIOS strings come from firmware anyone can flash: the text output
// draws them without escape sequences, JSON keeps them exactly.
func TestHostileFirmwareStrings(t *testing.T) {
	r := fakeReport("001AA0123456")
	r.Identity.Manufacturer = "\x1b[2J\x1b]0;pwned\x07ACME"
	out, _, err := execute(t, reads(r, nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "\x1b") || strings.Contains(out, "pwned") || !strings.Contains(out, "ACME") {
		t.Errorf("text output: %q", out)
	}
	out, _, err = execute(t, reads(r, nil), nil, "--json")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `\u001b[2J`) {
		t.Errorf("JSON must keep the exact value, escaped: %s", out)
	}
}
