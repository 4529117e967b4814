package configcheck

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
)

func factory(env map[string]string) (*cmdutil.Factory, *bytes.Buffer, *bytes.Buffer) {
	f, ts := cmdutil.Test(env)
	return f, ts.Out, ts.Err
}

func TestCheckArgs(t *testing.T) {
	tests := []struct {
		name string
		argv []string
		env  map[string]string
		want CheckOptions
	}{
		{"positional file", []string{"config", "check", "a.yaml"}, nil, CheckOptions{File: "a.yaml"}},
		{"--config flag", []string{"--config", "b.yaml", "config", "check"}, nil, CheckOptions{Explicit: "b.yaml"}},
		{"env variable", []string{"config", "check"}, map[string]string{"IMAGEINVOKER_CONFIG": "c.yaml"}, CheckOptions{Explicit: "c.yaml"}},
		{"flag beats env", []string{"config", "check", "--config", "d.yaml"}, map[string]string{"IMAGEINVOKER_CONFIG": "c.yaml"}, CheckOptions{Explicit: "d.yaml"}},
		{"nothing named", []string{"config", "check"}, nil, CheckOptions{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, _ := factory(tt.env)
			var got *CheckOptions
			r := cmdutil.TestRoot(NewCmd(f, func(_ context.Context, o *CheckOptions) error { got = o; return nil }))
			r.SetArgs(tt.argv)
			if err := r.Execute(); err != nil {
				t.Fatal(err)
			}
			if got == nil {
				t.Fatal("run was not called")
			}
			want := tt.want
			want.Exe = executable()
			for _, d := range cmdutil.Diff(*got, want) {
				t.Error(d)
			}
		})
	}
	t.Run("two files is a usage error", func(t *testing.T) {
		f, _, _ := factory(nil)
		r := cmdutil.TestRoot(NewCmd(f, func(context.Context, *CheckOptions) error { return nil }))
		r.SetArgs([]string{"config", "check", "a", "b"})
		if err := r.Execute(); err == nil {
			t.Error("want an error for two files")
		}
	})
}

func TestRunCheck(t *testing.T) {
	dir := t.TempDir()
	good := cmdutil.WriteFile(t, dir, "good.yaml", "store:\n  url: sqlite:/tmp/x.db\ndirectory:\n  dns_domain: uni.edu\n")
	bad := cmdutil.WriteFile(t, dir, "bad.yaml", "store:\n  auth: kerberos\nlook:\n  style: fancy\nmenu:\n  flatt: true\n")
	several := cmdutil.WriteFile(t, dir, "several.yaml", "store:\n  auth: kerberos\nlook:\n  style: fancy\n")
	exeDir := t.TempDir()
	found := cmdutil.WriteFile(t, exeDir, config.FileName, "menu:\n  flat: true\n")

	tests := []struct {
		name     string
		opts     CheckOptions
		wantCode int
		wantOut  string
		wantErr  []string
	}{
		{"valid file", CheckOptions{File: good}, exitcode.OK, "ok: " + good + "\n", nil},
		{"explicit from --config", CheckOptions{Explicit: good}, exitcode.OK, "ok: " + good + "\n", nil},
		{"found next to the binary", CheckOptions{Exe: filepath.Join(exeDir, "imageinvoker")}, exitcode.OK, found + ": no errors, 2 warning(s) above\n", nil},
		{"unknown key", CheckOptions{File: bad}, exitcode.Usage, "",
			[]string{bad + ": 1 error(s):", "line 6: unknown key menu.flatt: did you mean menu.flat?"}},
		{"each validation error on its own line", CheckOptions{File: several}, exitcode.Usage, "",
			[]string{several + ": 2 error(s):", "\n  line 2: store.auth: the value is not one of", "\n  line 4: look.style: the value is not one of"}},
		{"missing file", CheckOptions{File: filepath.Join(dir, "nope.yaml")}, exitcode.Usage, "",
			[]string{"nope.yaml", "no such file"}},
		{"a directory", CheckOptions{File: dir}, exitcode.Usage, "", []string{"is a directory"}},
		{"nothing found", CheckOptions{Exe: filepath.Join(t.TempDir(), "imageinvoker")}, exitcode.Usage, "",
			[]string{"no config file found", "imageinvoker config check FILE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "nothing found" {
				for _, p := range config.SearchPaths("", "linux") {
					if _, err := os.Stat(p); err == nil {
						t.Skip("this machine has a config at " + p + ", so something is always found")
					}
				}
			}
			f, out, _ := factory(nil)
			opts := tt.opts
			opts.IO = f.IO
			err := runCheck(context.Background(), &opts)
			if code := exitcode.Of(err); code != tt.wantCode {
				t.Fatalf("exit code %d, want %d (err %v)", code, tt.wantCode, err)
			}
			if out.String() != tt.wantOut {
				t.Errorf("stdout %q, want %q", out.String(), tt.wantOut)
			}
			for _, w := range tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("error %v does not contain %q", err, w)
				}
			}
		})
	}
}

func TestSample(t *testing.T) {
	f, out, _ := factory(nil)
	r := cmdutil.TestRoot(NewCmd(f, nil))
	r.SetArgs([]string{"config", "sample"})
	if err := r.Execute(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), config.Sample) {
		t.Error("config sample does not print config.Sample")
	}
	// What an image builder gets from `config sample > file` must pass `config check file`.
	p := cmdutil.WriteFile(t, t.TempDir(), "from-sample.yaml", out.String())
	f2, out2, _ := factory(nil)
	if err := runCheck(context.Background(), &CheckOptions{IO: f2.IO, File: p}); err != nil {
		t.Fatalf("the sample is not even valid: %v", err)
	}
	// Valid, but not "ok": its examples are commented out, so it names
	// no store and no DC (issue 23).
	if out2.String() != p+": no errors, 2 warning(s) above\n" {
		t.Errorf("stdout %q", out2.String())
	}
}

// A mistyped store URL is refused, its password hidden (issue 9, attack 6);
// allow_plain is valid but warned about.
func TestCheckStoreURLAndPlainLDAP(t *testing.T) {
	dir := t.TempDir()
	for _, u := range []string{"sqlserver//sa:S3cretPW@ds1?database=eXpress", "sqlserver:sa:S3cretPW@ds1", "sqlserver://sa:S3cretPW@/SQLEXPRESS"} {
		path := cmdutil.WriteFile(t, dir, "bad.yaml", "store:\n  url: '"+u+"'\n")
		f, out, errOut := factory(nil)
		err := runCheck(context.Background(), &CheckOptions{IO: f.IO, File: path})
		if exitcode.Of(err) != exitcode.Usage || !strings.Contains(err.Error(), "line 2: store.url") {
			t.Errorf("%s: err = %v; want a usage error at line 2, store.url", u, err)
		}
		if err != nil && strings.Contains(err.Error()+out.String()+errOut.String(), "S3cretPW") {
			t.Errorf("%s: the password shows: %v", u, err)
		}
	}
	path := cmdutil.WriteFile(t, dir, "plain.yaml", "store:\n  url: sqlite:/tmp/x.db\ndirectory:\n  dcs: [ldap://dc1.uni.edu]\n  allow_plain: true\n")
	f, out, errOut := factory(nil)
	if err := runCheck(context.Background(), &CheckOptions{IO: f.IO, File: path}); err != nil || !strings.Contains(out.String(), "no errors, 1 warning(s)") {
		t.Fatalf("allow_plain: %v %s", err, out)
	}
	if !strings.Contains(errOut.String(), "directory.allow_plain: true") {
		t.Errorf("no warning about allow_plain: %q", errOut.String())
	}
}

// config show

type shown struct {
	ConfigFile string `json:"config_file"`
	Central    *struct {
		Ref    string `json:"ref"`
		Loaded bool   `json:"loaded"`
		Lines  int    `json:"lines"`
	} `json:"central"`
	Site struct {
		Name, Reason string
	} `json:"site"`
	Warnings []string `json:"warnings"`
	Settings []struct {
		Key    string `json:"key"`
		Value  any    `json:"value"`
		Origin struct {
			Kind, File, Name string
			Line             int
		} `json:"origin"`
	} `json:"settings"`
}

func show(t *testing.T, env map[string]string, addrs []string, args ...string) (string, string, error) {
	t.Helper()
	f, out, errOut := factory(env)
	f.Addrs = func() ([]netip.Addr, error) {
		var out []netip.Addr
		for _, a := range addrs {
			out = append(out, netip.MustParseAddr(a))
		}
		return out, nil
	}
	r := cmdutil.TestRoot(NewCmd(f, nil))
	r.SetArgs(append([]string{"config", "show"}, args...))
	err := r.Execute()
	return out.String(), errOut.String(), err
}

// central < media < site < environment < flag, as `config show --json`
// reports it, with the store URL's password never shown.
func TestShowProvenance(t *testing.T) {
	dir := t.TempDir()
	central := cmdutil.WriteFile(t, dir, "central.yaml", `store:
  url: 'sqlserver://imaging:Sup3rSecret@ds1.lab.example/SQLEXPRESS?database=eXpress'
  timeout: 1s
menu:
  root: C
  tag: C
  flat: true
sites:
  - name: north
    subnets: [10.1.0.0/16, "2001:db8:1::/48"]
    menu:
      tag: SiteTag
`)
	media := cmdutil.WriteFile(t, dir, "imageinvoker.yaml", "include: central.yaml\nmenu:\n  root: M\n  tag: M\nstore:\n  timeout: 2s\nlook:\n  style: ascii\n")
	env := map[string]string{"IMAGEINVOKER_CONFIG": media, "IMAGEINVOKER_STORE_TIMEOUT": "3s", "IMAGEINVOKER_LOOK": "styled"}
	out, _, err := show(t, env, []string{"192.168.1.1", "2001:db8:1::7"}, "--json", "--look", "ascii")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "Sup3rSecret") {
		t.Fatalf("the store password is printed:\n%s", out)
	}
	var got shown
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if got.ConfigFile != media || got.Central == nil || !got.Central.Loaded || got.Central.Ref != central || got.Central.Lines != 12 {
		t.Errorf("config file %q, central %+v", got.ConfigFile, got.Central)
	}
	if got.Site.Name != "north" || got.Site.Reason != "2001:db8:1::7 is in 2001:db8:1::/48" {
		t.Errorf("site %+v", got.Site)
	}
	type want struct {
		value      any
		kind, file string
		line       int
		name       string
	}
	wants := map[string]want{
		"menu.flat":     {true, "central", central, 7, ""},
		"menu.root":     {"M", "media", media, 3, ""},
		"menu.tag":      {"SiteTag", "site", central, 12, "north"},
		"store.timeout": {"3s", "env", "", 0, "IMAGEINVOKER_STORE_TIMEOUT"},
		"look.style":    {"ascii", "flag", "", 0, "--look"},
		"store.url":     {"sqlserver://***@ds1.lab.example/SQLEXPRESS?database=eXpress", "central", central, 2, ""},
		"log.debug":     {false, "default", "", 0, ""},
		"site":          {"north", "chosen", "", 0, "2001:db8:1::7 is in 2001:db8:1::/48"},
	}
	seen := 0
	for _, s := range got.Settings {
		w, ok := wants[s.Key]
		if !ok {
			continue
		}
		seen++
		if s.Value != w.value || s.Origin.Kind != w.kind || s.Origin.File != w.file || s.Origin.Line != w.line || s.Origin.Name != w.name {
			t.Errorf("%s = %v from %+v; want %v from %s %s line %d %s", s.Key, s.Value, s.Origin, w.value, w.kind, w.file, w.line, w.name)
		}
	}
	if seen != len(wants) {
		t.Errorf("found %d of the %d settings checked", seen, len(wants))
	}

	// The text form says the same, one line per setting.
	text, _, err := show(t, env, nil, "--site", "north")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"central file  " + central + ": loaded (12 lines",
		"site          north: named by flag --site",
		"menu.tag",
		"site north (" + central + " line 12)",
		"environment IMAGEINVOKER_STORE_TIMEOUT",
	} {
		if !strings.Contains(text, line) {
			t.Errorf("text lacks %q:\n%s", line, text)
		}
	}
	if strings.Contains(text, "Sup3rSecret") {
		t.Error("the store password is printed in the text form")
	}
}

func TestShowIPAndWarnings(t *testing.T) {
	dir := t.TempDir()
	media := cmdutil.WriteFile(t, dir, "imageinvoker.yaml", `include: missing-central.yaml
sites:
  - name: north
    subnets: [10.1.0.0/16]
    store: {url: "sqlite:north.db"}
`)
	env := map[string]string{"IMAGEINVOKER_CONFIG": media}
	out, _, err := show(t, env, []string{"192.168.7.7"}, "--ip", "10.1.9.9")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"site          north: 10.1.9.9 is in 10.1.0.0/16", "store.url", "sqlite:north.db",
		"central file  " + filepath.Join(dir, "missing-central.yaml") + ": not loaded: no such file or directory",
		"warning       central settings"} {
		if !strings.Contains(out, line) {
			t.Errorf("output lacks %q:\n%s", line, out)
		}
	}
	out, _, _ = show(t, env, []string{"192.168.7.7"})
	if !strings.Contains(out, "site          none: no site's subnets hold this machine's addresses (192.168.7.7); the top-level settings apply") {
		t.Errorf("no match:\n%s", out)
	}
	if _, _, err := show(t, env, nil, "--ip", "10.1.9"); exitcode.Of(err) != exitcode.Usage {
		t.Errorf("bad --ip: %v", err)
	}
}

// config check reads a file include but does not fetch an https one.
func TestCheckWithInclude(t *testing.T) {
	dir := t.TempDir()
	cmdutil.WriteFile(t, dir, "central.yaml", "menu:\n  flatt: true\n")
	media := cmdutil.WriteFile(t, dir, "imageinvoker.yaml", "include: central.yaml\n")
	f, _, _ := factory(nil)
	err := runCheck(context.Background(), &CheckOptions{IO: f.IO, File: media})
	if exitcode.Of(err) != exitcode.Usage || !strings.Contains(err.Error(), "central.yaml") || !strings.Contains(err.Error(), "line 2: unknown key menu.flatt") {
		t.Errorf("bad central file: %v", err)
	}
	good := cmdutil.WriteFile(t, dir, "good-central.yaml", "menu:\n  flat: true\nstore:\n  url: sqlite:/tmp/x.db\ndirectory:\n  dns_domain: uni.edu\n")
	goodMedia := cmdutil.WriteFile(t, dir, "good.yaml", "include: good-central.yaml\n")
	f, out, _ := factory(nil)
	if err := runCheck(context.Background(), &CheckOptions{IO: f.IO, File: goodMedia}); err != nil || out.String() != "ok: "+goodMedia+"\nok: "+good+" (central file, 6 lines)\n" {
		t.Errorf("good central file: %v, stdout %q", err, out.String())
	}
	remote := cmdutil.WriteFile(t, dir, "remote.yaml", "include: https://127.0.0.1:1/central.yaml\n")
	f, out, errOut := factory(nil)
	if err := runCheck(context.Background(), &CheckOptions{IO: f.IO, File: remote}); err != nil || !strings.Contains(out.String(), "no errors, 2 warning(s)") {
		t.Fatalf("https include offline: %v, %q", err, out.String())
	}
	if !strings.Contains(errOut.String(), "unless the central file (include) sets it") {
		t.Errorf("the missing store is not put down to the unfetched include: %q", errOut.String())
	}
	if !strings.Contains(errOut.String(), "not fetched: this check works offline") {
		t.Errorf("stderr %q", errOut.String())
	}
}

// What boot refuses is an error of config check, and every error comes in
// one pass: the loader's (an unknown value) with Lint's (issue 23).
func TestCheckOnePass(t *testing.T) {
	dir := t.TempDir()
	empty := cmdutil.WriteFile(t, dir, "empty.yaml", "")
	f, out, errOut := factory(nil)
	if err := runCheck(context.Background(), &CheckOptions{IO: f.IO, File: empty}); err != nil || strings.Contains(out.String(), "ok") {
		t.Errorf("an empty file: %v, stdout %q", err, out.String())
	}
	if !strings.Contains(errOut.String(), "warning: store.url: not set") {
		t.Errorf("stderr %q", errOut.String())
	}
	bad := cmdutil.WriteFile(t, dir, "bad.yaml", "store:\n  url: sqlserver://ds1.uni.edu/A\n  console_security: \"off\"\n  auth: kerberos\ndirectory:\n  dcs: [dc1.uni.edu]\n  ca_file: X:\\ImageInvoker\\ca.pem\n")
	f, _, _ = factory(nil)
	err := runCheck(context.Background(), &CheckOptions{IO: f.IO, File: bad, Target: "linux"})
	if exitcode.Of(err) != exitcode.Usage {
		t.Fatalf("exit %d: %v", exitcode.Of(err), err)
	}
	for _, want := range []string{"5 error(s)", "line 4: store.auth: the value is not one of [url technician]", "line 3: store.console_security: off is refused",
		"line 2: store.url: names no database", `line 6: directory.dcs: "dc1.uni.edu" is not a DC address`,
		`line 7: directory.ca_file: X:\ImageInvoker\ca.pem is a Windows path, and this config is for Linux boot media`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestCheckTargetFlag(t *testing.T) {
	f, _, _ := factory(nil)
	var got *CheckOptions
	r := cmdutil.TestRoot(NewCmd(f, func(_ context.Context, o *CheckOptions) error { got = o; return nil }))
	r.SetArgs([]string{"config", "check", "--target", "linux", "a.yaml"})
	if err := r.Execute(); err != nil || got == nil {
		t.Fatalf("--target linux: %v; run reached: %v", err, got != nil)
	}
	for _, d := range cmdutil.Diff(*got, CheckOptions{File: "a.yaml", Target: "linux", Exe: executable()}) {
		t.Error(d)
	}
	f, _, _ = factory(nil)
	r = cmdutil.TestRoot(NewCmd(f, func(context.Context, *CheckOptions) error { return nil }))
	r.SetArgs([]string{"config", "check", "--target", "macos", "a.yaml"})
	if err := r.Execute(); exitcode.Of(err) != exitcode.Usage {
		t.Errorf("--target macos: %v", err)
	}
}

// config show names the config file's sha256 and label (issue 23).
func TestShowIdentity(t *testing.T) {
	body := "label: North media\n"
	media := cmdutil.WriteFile(t, t.TempDir(), "imageinvoker.yaml", body)
	sum := sha256.Sum256([]byte(body))
	want := hex.EncodeToString(sum[:])
	out, _, err := show(t, map[string]string{"IMAGEINVOKER_CONFIG": media}, nil)
	if err != nil || !regexp.MustCompile(`\nsha256 +`+want+`\n`).MatchString(out) || !regexp.MustCompile(`\nlabel +North media\n`).MatchString(out) {
		t.Errorf("%v:\n%s", err, out)
	}
	out, _, err = show(t, map[string]string{"IMAGEINVOKER_CONFIG": media}, nil, "--json")
	if err != nil || !strings.Contains(out, `"config_sha256": "`+want+`"`) {
		t.Errorf("%v:\n%s", err, out)
	}
}
