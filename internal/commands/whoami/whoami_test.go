package whoami

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/directory/adtest"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/internal/secret"
)

func TestMain(m *testing.M) { os.Exit(adtest.Main(m)) }

func factory(stdin string, env map[string]string) (*cmdutil.Factory, *bytes.Buffer, *bytes.Buffer) {
	f, ts := cmdutil.Test(env)
	ts.In.WriteString(stdin)
	return f, ts.Out, ts.Err
}

// argv → Options: the first half of the command, with runF in place of run.
func TestArgvToOptions(t *testing.T) {
	cases := []cmdutil.ArgvCase[Options]{
		{Name: "flags", Argv: []string{"--user", "alice", "--password-stdin", "--json", "--dc", "ldaps://a:636", "--dc", "ldaps://b:636", "--ca-file", "ca.pem", "--dc-timeout", "2s"},
			Want: Options{JSON: true, SignInFlags: cmdutil.SignInFlags{User: "alice", Secret: secret.Options{Stdin: true}}},
			Config: func(c *config.Config) {
				c.Directory.DCs, c.Directory.CAFile, c.Directory.Timeout = []string{"ldaps://a:636", "ldaps://b:636"}, "ca.pem", 2*time.Second
			}},
		{Name: "env config", Argv: []string{"-u", `LAB\bob`, "--password-file", "pw.txt"}, Env: map[string]string{"IMAGEINVOKER_DOMAIN": "LAB", "IMAGEINVOKER_DC": "ldaps://dc1"},
			Want:   Options{SignInFlags: cmdutil.SignInFlags{User: `LAB\bob`, Secret: secret.Options{File: "pw.txt"}}},
			Config: func(c *config.Config) { c.Directory.Domain, c.Directory.DCs = "LAB", []string{"ldaps://dc1"} }},
		{Name: "demo", Argv: []string{"--demo", "--user", "alice"}, Want: Options{Demo: true, SignInFlags: cmdutil.SignInFlags{User: "alice"}}},
		{Name: "user from the environment, as run takes it", Argv: []string{"--password-stdin"}, Env: map[string]string{"IMAGEINVOKER_USER": `LAB\carol`},
			Want: Options{SignInFlags: cmdutil.SignInFlags{User: `LAB\carol`, Secret: secret.Options{Stdin: true}}}},
		{Name: "no user", Argv: []string{"--password-stdin"}, WantErr: "--user is required"},
		{Name: "no password flag", Argv: []string{"--user", "alice", "--password", "x"}, WantErr: "unknown flag: --password"},
		{Name: "bad timeout", Argv: []string{"--user", "a", "--dc-timeout", "soon"}, WantErr: "--dc-timeout"},
	}
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			if err := tc.Try(NewCmd); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func whoami(t *testing.T, stdin string, env map[string]string, argv ...string) (Result, string, error) {
	t.Helper()
	f, out, errb := factory(stdin, env)
	err := cmdutil.Execute(NewCmd(f, nil), argv...)
	var r Result
	if err == nil {
		if jerr := json.Unmarshal(out.Bytes(), &r); jerr != nil {
			t.Fatalf("stdout is not JSON: %v\n%s", jerr, out)
		}
	}
	return r, errb.String(), err
}

func TestWhoamiDemo(t *testing.T) {
	r, _, err := whoami(t, "alice-demo\n", nil, "--demo", "--user", "alice", "--password-stdin", "--json")
	if err != nil {
		t.Fatalf("whoami: %v", err)
	}
	if r.User != `LAB\alice` || r.FullName != "Alice Imaging" || r.RoundTrips != 5 { // StartTLS-less LDAPS: bind, who am I, find user, tokenGroups, resolve groups
		t.Errorf("result = %+v", r)
	}
	var names []string
	for _, g := range r.Groups {
		names = append(names, g.Name)
	}
	for _, want := range []string{`LAB\Imaging Techs`, `LAB\Techs`, `LAB\Domain Users`} {
		if !slices.Contains(names, want) {
			t.Errorf("groups %q lack %s", names, want)
		}
	}
	if slices.Contains(names, `LAB\All Staff`) {
		t.Errorf("groups %q include the distribution group", names)
	}
	_, _, err = whoami(t, "", map[string]string{"IMAGEINVOKER_PASSWORD": "Xyzzy-42"}, "--demo", "--user", "alice")
	if exitcode.Of(err) != exitcode.BadCredentials || strings.Contains(err.Error(), "Xyzzy-42") {
		t.Errorf("wrong password: err = %v (code %d); want exit %d without the password", err, exitcode.Of(err), exitcode.BadCredentials)
	}
}

func TestWhoamiSamba(t *testing.T) {
	dc := adtest.Start(t)
	base := []string{"--password-stdin", "--domain", dc.Domain, "--dns-domain", dc.DNSDomain, "--ca-file", dc.CAFile, "--json"}
	alice := dc.Users["alice"]
	cases := []struct {
		name     string
		argv     []string
		password string
		wantCode int
	}{
		{"ldaps", []string{"--user", "alice@" + dc.DNSDomain, "--dc", dc.URL}, alice.Password, exitcode.OK},
		{"starttls", []string{"--user", `LAB\alice`, "--dc", dc.StartTLSURL}, alice.Password, exitcode.OK},
		{"dead DC then live one", []string{"--user", "alice", "--dc", dc.DeadURL, "--dc", dc.URL}, alice.Password, exitcode.OK},
		{"wrong password", []string{"--user", adtest.UserBadPassword, "--dc", dc.URL}, "nope", exitcode.BadCredentials},
		{"locked", []string{"--user", adtest.UserLocked, "--dc", dc.URL}, adtest.EdgePassword, exitcode.BadCredentials},
		{"dead DC only", []string{"--user", "alice", "--dc", dc.DeadURL}, alice.Password, exitcode.DirectoryDown},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			argv := append(slices.Clone(base), tc.argv...)
			r, _, err := whoami(t, tc.password+"\n", nil, argv...)
			if got := exitcode.Of(err); got != tc.wantCode {
				t.Fatalf("exit code %d (%v); want %d", got, err, tc.wantCode)
			}
			if err == nil && (r.User != `LAB\alice` || !strings.HasPrefix(r.SID, dc.DomainSID+"-")) {
				t.Errorf("result = %+v", r)
			}
		})
	}
}

// domainsConfig writes a config file with LAB and OTHER (each with its
// reader account for the other's users: the two Samba domains have no trust).
func domainsConfig(t *testing.T, lab, other *adtest.DC, otherDCs ...string) string {
	t.Helper()
	dir := t.TempDir()
	if len(otherDCs) == 0 {
		otherDCs = []string{other.URL}
	}
	cmdutil.WriteFile(t, dir, "reader.txt", adtest.ReaderPassword+"\n")
	body := fmt.Sprintf(`directory:
  domains:
    - netbios: LAB
      dns: lab.example
      dcs: [%s]
      ca_file: %s
      bind_user: LAB\%s
      bind_password_file: reader.txt
    - netbios: OTHER
      dns: other.example
      dcs: [%s]
      ca_file: %s
      bind_user: OTHER\%s
      bind_password_file: reader.txt
`, lab.URL, lab.CAFile, adtest.UserReader, strings.Join(otherDCs, ", "), other.CAFile, adtest.UserReader)
	cmdutil.WriteFile(t, dir, "imageinvoker.yaml", body)
	return dir + "/imageinvoker.yaml"
}

func TestWhoamiDomains(t *testing.T) {
	lab, other := adtest.StartPair(t)
	env := map[string]string{"IMAGEINVOKER_CONFIG": domainsConfig(t, lab, other)}
	r, _, err := whoami(t, lab.Users["alice"].Password+"\n", env, "--user", "alice", "--password-stdin", "--json")
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]string{}
	for _, g := range r.Groups {
		byName[g.Name] = g.Domain
	}
	for name, dom := range map[string]string{`LAB\Imaging Techs`: "LAB", `OTHER\Res Imagers`: "OTHER", `OTHER\Res Admins`: "OTHER"} {
		if byName[name] != dom {
			t.Errorf("group %s: domain %q, want %q (groups %v)", name, byName[name], dom, byName)
		}
	}
	if r.User != `LAB\alice` || len(r.Domains) != 2 || len(r.Lookups) != 2 {
		t.Errorf("result = %+v", r)
	}

	// Text: each group under its domain, and what each domain cost.
	f, out, _ := factory(adtest.OlgaPassword+"\n", env)
	cmd := NewCmd(f, nil)
	cmd.SetArgs([]string{"--user", `OTHER\olga`, "--password-stdin"})
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, re := range []string{`(?m)^User: +OTHER\\olga`, `(?m)^  LAB +Guest Outer +S-1-5-21-`, `(?m)^  OTHER +Field Techs +S-1-5-21-`,
		`(?m)^  OTHER +127\.0\.0\.3:636, \d+ groups, \d+ LDAP requests, \d+ ms \(the user's domain`, `(?m)^  LAB +127\.0\.0\.1:636, 4 groups`} {
		if !regexp.MustCompile(re).MatchString(text) {
			t.Errorf("text lacks %s:\n%s", re, text)
		}
	}
	t.Logf("whoami:\n%s", text)

	// Fail closed: OTHER cannot be asked, so alice is not signed in.
	env = map[string]string{"IMAGEINVOKER_CONFIG": domainsConfig(t, lab, other, other.DeadURL)}
	_, _, err = whoami(t, lab.Users["alice"].Password+"\n", env, "--user", "alice", "--password-stdin", "--json")
	if exitcode.Of(err) != exitcode.DirectoryDown || !strings.Contains(err.Error(), "OTHER") {
		t.Fatalf("err = %v (exit %d); want exit %d naming OTHER", err, exitcode.Of(err), exitcode.DirectoryDown)
	}
}
