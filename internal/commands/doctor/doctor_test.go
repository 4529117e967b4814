package doctor

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/doctor"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/internal/flow"
	"github.com/imageinvoker/imageinvoker/internal/secret"
)

type streams struct{ out, err bytes.Buffer }

func factory(env map[string]string, s *streams, in string) *cmdutil.Factory {
	f, ts := cmdutil.Test(env)
	ts.In.WriteString(in)
	f.IO.Out, f.IO.Err = &s.out, &s.err
	return f
}

// argv → options: flags reach the resolved config and the machine override.
// want are the Options run must get (cmdutil.Diff names a field that
// differs); config, when set, sets what the resolved configuration must hold.
func TestFlags(t *testing.T) {
	cfgFile := cmdutil.WriteFile(t, t.TempDir(), "imageinvoker.yaml", "store:\n  url: sqlite:/nowhere.db\n")
	bad := cmdutil.WriteFile(t, t.TempDir(), "bad.yaml", "store:\n  ulr: x\n")
	cases := []struct {
		name   string
		args   []string
		env    map[string]string
		want   Options
		config func(*config.Config)
		// sourceErr is what Source.Err says; "" wants none and a config.
		sourceErr string
	}{
		{name: "defaults"},
		{name: "settings and machine", args: []string{"--json", "--dc", "ldaps://dc1:636", "--dc", "ldap://dc2", "--ca-file", "/ca.pem",
			"--dc-timeout", "2s", "--store", "sqlite:/x.db", "--store-timeout", "3s", "--match", "serial,mac", "--mac", "00:11:22:33:44:55"},
			want: Options{JSON: true, Machine: cmdutil.MachineFlags{Override: flow.Override{MACs: []string{"00:11:22:33:44:55"}}}},
			config: func(c *config.Config) {
				c.Directory.DCs, c.Directory.CAFile, c.Directory.Timeout = []string{"ldaps://dc1:636", "ldap://dc2"}, "/ca.pem", 2*time.Second
				c.Store.URL, c.Store.Timeout, c.Machine.Match = "sqlite:/x.db", 3*time.Second, config.MatchList{config.MatchSerial, config.MatchMAC}
			}},
		{name: "the shared sign-in flags", args: []string{"--user", `LAB\alice`, "--password-stdin"},
			want: Options{SignInFlags: cmdutil.SignInFlags{User: `LAB\alice`, Secret: secret.Options{Stdin: true}}}},
		{name: "the user from the environment, as run takes it", env: map[string]string{"IMAGEINVOKER_USER": `LAB\bob`},
			want: Options{SignInFlags: cmdutil.SignInFlags{User: `LAB\bob`}}},
		{name: "config named by --config", args: []string{"--config", cfgFile},
			want:   Options{Source: doctor.ConfigSource{File: cfgFile, From: "named by --config"}},
			config: func(c *config.Config) { c.Store.URL = "sqlite:/nowhere.db" }},
		{name: "config named by the environment", env: map[string]string{"IMAGEINVOKER_CONFIG": cfgFile},
			want: Options{Source: doctor.ConfigSource{File: cfgFile, From: "named by IMAGEINVOKER_CONFIG"}}},
		{name: "invalid config is a finding, not an abort", args: []string{"--config", bad},
			want: Options{Source: doctor.ConfigSource{File: bad, From: "named by --config"}}, sourceErr: "store.ulr"},
		// A bad --dc-timeout is refused by the typed flag itself (exit 2,
		// TestCLIConventions); a bad variable is a finding.
		{name: "bad variable value is a finding too", env: map[string]string{"IMAGEINVOKER_DC_TIMEOUT": "soon"}, sourceErr: "IMAGEINVOKER_DC_TIMEOUT"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var s streams
			var got *Options
			cmd := cmdutil.TestRoot(NewCmd(factory(tc.env, &s, ""), func(_ context.Context, o *Options) error { got = o; return nil }))
			cmd.SetArgs(append([]string{"doctor"}, tc.args...))
			if err := cmd.Execute(); err != nil {
				t.Fatalf("execute: %v", err)
			}
			if got == nil {
				t.Fatal("run not called")
			}
			for _, d := range cmdutil.Diff(*got, tc.want) {
				t.Error(d)
			}
			if tc.sourceErr != "" {
				if got.Config != nil || got.Source.Err == nil || !strings.Contains(got.Source.Err.Error(), tc.sourceErr) {
					t.Errorf("Config %v, Source.Err %v; want no config and an error naming %s", got.Config, got.Source.Err, tc.sourceErr)
				}
				return
			}
			if got.Config == nil || got.Source.Err != nil {
				t.Fatalf("Config %v, Source.Err %v; want a config", got.Config, got.Source.Err)
			}
			if tc.config != nil {
				want := *got.Config
				tc.config(&want)
				for _, d := range cmdutil.Diff(*got.Config, want) {
					t.Error("Config." + d)
				}
			}
		})
	}
}

// `doctor access` and its hidden alias `doctor --access` reach the same
// AccessOptions, with the shared identity and machine flags.
func TestAccessSpellings(t *testing.T) {
	want := AccessOptions{Identity: cmdutil.IdentityFlags{As: `LAB\alice`, Groups: []string{`LAB\Techs`, `LAB\Imaging`}},
		Machine: cmdutil.MachineFlags{Override: flow.Override{ComputerID: 5000042}}, JSON: true, Sample: 100, Budget: 30 * time.Second}
	common := []string{"--as-groups", `LAB\Techs,LAB\Imaging`, "--computer-id", "5000042", "--json", "--sample", "100", "--access-budget", "30s", "--store", "sqlite:/x.db"}
	for _, argv := range [][]string{
		append([]string{"doctor", "access", "--as", `LAB\alice`}, common...),
		append([]string{"doctor", "--access", `LAB\alice`}, common...),
	} {
		t.Run(strings.Join(argv[:2], " "), func(t *testing.T) {
			var s streams
			var got *AccessOptions
			cmd := cmdutil.TestRoot(newCmd(factory(nil, &s, ""), nil, func(_ context.Context, o *AccessOptions) error { got = o; return nil }))
			if err := cmdutil.Execute(cmd, argv...); err != nil {
				t.Fatalf("execute: %v", err)
			}
			if got == nil {
				t.Fatal("runAccess not reached")
			}
			for _, d := range cmdutil.Diff(*got, want) {
				t.Error(d)
			}
			if got.Config == nil || got.Config.Store.URL != "sqlite:/x.db" {
				t.Errorf("Config = %v, want the resolved one with --store", got.Config)
			}
		})
	}
	t.Run("access needs --as", func(t *testing.T) {
		var s streams
		err := cmdutil.Execute(cmdutil.TestRoot(newCmd(factory(nil, &s, ""), nil, func(context.Context, *AccessOptions) error { return nil })), "doctor", "access")
		if exitcode.Of(err) != exitcode.Usage || !strings.Contains(err.Error(), "--as is required") {
			t.Errorf("err = %v; want a usage error naming --as", err)
		}
	})
}

// doctor's help names the access subcommand and says --access is its
// hidden alias; the alias's flags stay out of the flag list.
func TestHelpNamesTheAlias(t *testing.T) {
	f, ts := cmdutil.Test(nil)
	cmd := cmdutil.TestRoot(NewCmd(f, nil))
	cmd.SetOut(ts.Out)
	cmd.SetArgs([]string{"doctor", "--help"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	help := ts.Out.String()
	for _, want := range []string{"doctor access --as USER", "'doctor --access USER' is a hidden\nalias of it that does the same", "access      Compare ImageInvoker's decisions"} {
		if !strings.Contains(help, want) {
			t.Errorf("help lacks %q:\n%s", want, help)
		}
	}
	_, flags, _ := strings.Cut(help, "\nFlags:\n")
	for _, hidden := range []string{"--access ", "--as-groups", "--sample", "--access-budget"} {
		if strings.Contains(flags, hidden) {
			t.Errorf("the flag list shows the alias's flag %s:\n%s", hidden, flags)
		}
	}
}

func TestSourceOf(t *testing.T) {
	exe := filepath.FromSlash("/media/boot/imageinvoker")
	next := filepath.Join(filepath.Dir(exe), "imageinvoker.yaml")
	cases := []struct {
		name, explicit, from, path, goos, want string
	}{
		{"no file", "", "", "", "linux", ""},
		{"named", "/x.yaml", "named by --config", "/x.yaml", "linux", "named by --config"},
		{"next to the binary", "", "", next, "linux", "found next to the binary"},
		{"standard place", "", "", "/etc/imageinvoker/imageinvoker.yaml", "linux", "found in the boot environment's standard place"},
		{"WinPE RAM drive", "", "", `X:\ImageInvoker\imageinvoker.yaml`, "windows", "found in the boot environment's standard place"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := SourceOf(tc.explicit, tc.from, tc.path, exe, tc.goos); got != tc.want {
				t.Errorf("SourceOf = %q; want %q", got, tc.want)
			}
		})
	}
}

// The whole command against the embedded demo store and directory.
func TestDemo(t *testing.T) {
	cases := []struct {
		name     string
		args     []string
		wantCode int
		check    func(t *testing.T, out string)
	}{
		{"all green as JSON", []string{"--demo", "--json"}, exitcode.OK, func(t *testing.T, out string) {
			var r struct {
				Checks []struct{ Name, Status, Detail, Fix string } `json:"checks"`
				OK     bool                                         `json:"ok"`
			}
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatalf("JSON: %v\n%s", err, out)
			}
			statuses := map[string]string{}
			for _, c := range r.Checks {
				statuses[c.Name] = c.Status
				if strings.HasPrefix(c.Name, "dc ") && c.Status != "ok" {
					t.Errorf("%s: %s %s", c.Name, c.Status, c.Detail)
				}
			}
			for name, want := range map[string]string{"config": "ok", "dns": "skip", "store": "ok", "store tables": "ok", "clock": "ok", "machine": "ok"} {
				if statuses[name] != want {
					t.Errorf("%s: %q; want %q", name, statuses[name], want)
				}
			}
			if !r.OK {
				t.Errorf("not ok:\n%s", out)
			}
		}},
		{"unknown machine as text", []string{"--demo", "--mac", "02:00:00:00:00:01"}, exitcode.Failure, func(t *testing.T, out string) {
			if !strings.Contains(out, "[FAIL] machine: not known to Deployment Server") || !strings.Contains(out, "02:00:00:00:00:01") {
				t.Errorf("output:\n%s", out)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var s streams
			cmd := cmdutil.TestRoot(NewCmd(factory(nil, &s, ""), nil))
			cmd.SetArgs(append([]string{"doctor"}, tc.args...))
			err := cmd.Execute()
			if got := exitcode.Of(err); got != tc.wantCode {
				t.Fatalf("exit code %d (%v); want %d\n%s", got, err, tc.wantCode, s.out.String())
			}
			if err != nil && !strings.Contains(err.Error(), "machine") {
				t.Errorf("error %q does not name the failed check", err)
			}
			tc.check(t, s.out.String())
		})
	}
}

// store.auth technician: without --user the store is skipped (no password,
// no network); with --user a password source is required.
func TestTechnicianStore(t *testing.T) {
	args := []string{"doctor", "--json", "--store", "sqlserver://127.0.0.1:1?database=eXpress", "--store-auth", "technician",
		"--dc", "ldaps://127.0.0.2:636", "--mac", "00:11:22:33:44:55"}
	t.Run("skipped without a user", func(t *testing.T) {
		var s streams
		cmd := cmdutil.TestRoot(NewCmd(factory(nil, &s, ""), nil))
		cmd.SetArgs(args)
		_ = cmd.Execute() // the dead DC fails; the store must only be skipped
		var r struct {
			Checks []struct{ Name, Status, Detail string } `json:"checks"`
		}
		if err := json.Unmarshal(s.out.Bytes(), &r); err != nil {
			t.Fatalf("JSON: %v\n%s", err, s.out.String())
		}
		for _, c := range r.Checks {
			if c.Name == "store" && (c.Status != "skip" || !strings.Contains(c.Detail, "whoami") || !strings.Contains(c.Detail, "--password-stdin")) {
				t.Errorf("store check = %+v", c)
			}
		}
	})
	t.Run("a user needs a password source", func(t *testing.T) {
		var s streams
		cmd := cmdutil.TestRoot(NewCmd(factory(nil, &s, ""), nil))
		cmd.SetArgs(append(args, "--user", "alice"))
		err := cmd.Execute()
		if exitcode.Of(err) != exitcode.Usage || !strings.Contains(err.Error(), "--password-stdin") {
			t.Fatalf("err = %v (code %d); want a usage error naming --password-stdin", err, exitcode.Of(err))
		}
	})
	t.Run("the password never shows", func(t *testing.T) {
		var s streams
		cmd := cmdutil.TestRoot(NewCmd(factory(nil, &s, "S3cret-pw\n"), nil))
		cmd.SetArgs(append(args, "--user", "alice", "--password-stdin", "--domain", "LAB"))
		_ = cmd.Execute()
		out := s.out.String() + s.err.String()
		if strings.Contains(out, "S3cret-pw") {
			t.Fatalf("password in output:\n%s", out)
		}
		var r struct {
			Checks []struct{ Name, Status, Detail string } `json:"checks"`
		}
		if err := json.Unmarshal(s.out.Bytes(), &r); err != nil {
			t.Fatalf("JSON: %v\n%s", err, s.out.String())
		}
		for _, c := range r.Checks {
			// Tried, as the technician, and refused: nothing listens on port 1.
			if c.Name == "store" && (c.Status != "fail" || !strings.Contains(c.Detail, "127.0.0.1:1")) {
				t.Errorf("store check = %+v", c)
			}
		}
	})
}

// doctor shows the central file and the site on their own lines: an
// unreachable central file is a warning, not a failure.
func TestDoctorCentralAndSite(t *testing.T) {
	dir := t.TempDir()
	central := cmdutil.WriteFile(t, dir, "central.yaml", "sites:\n  - name: north\n    subnets: [10.1.0.0/16]\n  - name: south\n    subnets: [10.2.0.0/16]\n")
	media := cmdutil.WriteFile(t, dir, "imageinvoker.yaml", "include: central.yaml\n")
	missing := cmdutil.WriteFile(t, dir, "missing.yaml", "include: nowhere.yaml\nsites:\n  - name: north\n    subnets: [10.1.0.0/16]\n")
	type check struct{ Name, Status, Detail, Fix string }
	run := func(t *testing.T, cfg string, args ...string) map[string]check {
		var s streams
		f := factory(map[string]string{"IMAGEINVOKER_CONFIG": cfg}, &s, "")
		f.Addrs = func() ([]netip.Addr, error) { return []netip.Addr{netip.MustParseAddr("10.2.3.4")}, nil }
		cmd := cmdutil.TestRoot(NewCmd(f, nil))
		cmd.SetArgs(append([]string{"doctor", "--demo", "--json"}, args...))
		if err := cmd.Execute(); err != nil {
			t.Fatalf("%v\n%s", err, s.out.String())
		}
		var r struct{ Checks []check }
		if err := json.Unmarshal(s.out.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		out := map[string]check{}
		for _, c := range r.Checks {
			out[c.Name] = c
		}
		return out
	}
	got := run(t, media)
	if c := got["central config"]; c.Status != "ok" || !strings.Contains(c.Detail, central+": 5 lines") {
		t.Errorf("central config: %+v", c)
	}
	if c := got["site"]; c.Status != "ok" || c.Detail != "south: 10.2.3.4 is in 10.2.0.0/16" {
		t.Errorf("site: %+v", c)
	}
	if c := run(t, media, "--site", "north")["site"]; c.Detail != "north: named by flag --site" {
		t.Errorf("--site: %+v", c)
	}
	got = run(t, missing)
	if c := got["central config"]; c.Status != "warn" || !strings.Contains(c.Detail, "nowhere.yaml not loaded: no such file") || c.Fix == "" {
		t.Errorf("unreachable central config: %+v", c)
	}
	if c := got["site"]; c.Status != "warn" || !strings.Contains(c.Detail, "10.2.3.4") || !strings.Contains(c.Fix, "config show --ip") {
		t.Errorf("no site: %+v", c)
	}
}

// The version comes first in doctor's JSON, then the config file's sha256
// and label; the text starts with them too (issue 23).
func TestDoctorIdentity(t *testing.T) {
	dir := t.TempDir()
	body := "label: Chem labs 2026-09\n"
	cfgFile := cmdutil.WriteFile(t, dir, "imageinvoker.yaml", body)
	sum := sha256.Sum256([]byte(body))
	want := hex.EncodeToString(sum[:])
	var s streams
	cmd := cmdutil.TestRoot(NewCmd(factory(nil, &s, ""), nil))
	cmd.SetArgs([]string{"doctor", "--demo", "--json", "--config", cfgFile})
	if err := cmd.Execute(); err != nil {
		t.Fatalf("%v\n%s", err, s.out.String())
	}
	out := s.out.String()
	if !strings.HasPrefix(out, "{\n  \"version\": \"") {
		t.Errorf("the version is not first:\n%.200s", out)
	}
	var r struct {
		Version, Label string
		SHA            string `json:"config_sha256"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil || r.SHA != want || r.Label != "Chem labs 2026-09" || r.Version == "" {
		t.Errorf("identity %+v (%v), want sha256 %s", r, err, want)
	}
	s = streams{}
	cmd = cmdutil.TestRoot(NewCmd(factory(nil, &s, ""), nil))
	cmd.SetArgs([]string{"doctor", "--demo", "--config", cfgFile})
	_ = cmd.Execute()
	if text := s.out.String(); !strings.HasPrefix(text, "imageinvoker ") || !strings.Contains(text, "config sha256: "+want) ||
		!strings.Contains(text, "config label: Chem labs 2026-09") {
		t.Errorf("text head:\n%.400s", text)
	}
}

// doctor checks that menu.root exists (issue 23).
func TestDoctorMenuRoot(t *testing.T) {
	for _, tc := range []struct{ root, status, say string }{
		{"ImageInvoker", "ok", `job folder "ImageInvoker"`},
		{"Nope", "warn", `DS has no job folder named "Nope" (menu.root)`},
	} {
		cfgFile := cmdutil.WriteFile(t, t.TempDir(), "imageinvoker.yaml", "menu:\n  root: "+tc.root+"\n")
		var s streams
		cmd := cmdutil.TestRoot(NewCmd(factory(nil, &s, ""), nil))
		cmd.SetArgs([]string{"doctor", "--demo", "--json", "--config", cfgFile})
		_ = cmd.Execute()
		var r struct {
			Checks []struct{ Name, Status, Detail string } `json:"checks"`
		}
		if err := json.Unmarshal(s.out.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, c := range r.Checks {
			if c.Name == "menu root" {
				found = true
				if c.Status != tc.status || !strings.Contains(c.Detail, tc.say) {
					t.Errorf("%s: %+v", tc.root, c)
				}
			}
		}
		if !found {
			t.Errorf("%s: no menu root check", tc.root)
		}
	}
}
