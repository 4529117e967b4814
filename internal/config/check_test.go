package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/certs"
)

// lintFile writes body as a config next to a good CA file (good-ca.pem) and
// a non-PEM one (not-pem.pem) and lints it, as config check does: the
// loader's own errors are not Lint's, so the file is read leniently.
func lintFile(t *testing.T, body string, target Target) Findings {
	t.Helper()
	dir := t.TempDir()
	ca, err := certs.NewCA("Lint Test CA", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"good-ca.pem": ca.PEM, "not-pem.pem": []byte("MIIB...this is DER pasted as text\n")} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "imageinvoker.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return LintFile(path, LintOptions{Target: target})
}

const goodBody = `store:
  url: sqlserver://ds1.uni.edu/ALTIRIS?database=eXpress
  auth: technician
directory:
  dcs: [ldaps://dc1.uni.edu:636]
  dns_domain: uni.edu
  ca_file: good-ca.pem
`

func TestLintCatchesWhatBootRefuses(t *testing.T) {
	cases := []struct {
		name   string
		body   string
		target Target
		errs   []string // each a substring of one error, in order
		warns  []string
	}{
		{name: "a finished config", body: goodBody},
		{name: "empty file warns of no store and no DC", body: "",
			warns: []string{"store.url: not set", "directory: no dcs, dns_domain or domains"}},
		{name: "DC without a scheme", body: strings.Replace(goodBody, "ldaps://dc1.uni.edu:636", "dc1.uni.edu", 1),
			errs: []string{`line 5: directory.dcs: "dc1.uni.edu" is not a DC address`}},
		{name: "console_security off", body: goodBody + "  # \nstore:\n",
			errs: nil}, // placeholder replaced below
		{name: "store URL without database", body: strings.Replace(goodBody, "?database=eXpress", "", 1),
			errs: []string{"line 2: store.url: names no database"}},
		{name: "SQL login in the URL with auth technician", body: strings.Replace(goodBody, "ds1.uni.edu", "sa:pass@ds1.uni.edu", 1),
			errs: []string{"store.url: has a user name and password in it"}},
		{name: "ds_accounts with auth technician", body: goodBody + "  ds_accounts: true\n",
			errs: []string{"directory.ds_accounts: true does not work with store.auth: technician"}},
		{name: "CA file missing", body: strings.Replace(goodBody, "good-ca.pem", `X:\ImageInvoker\missing.pem`, 1),
			errs: []string{`directory.ca_file: X:\ImageInvoker\missing.pem: not found next to the config`}},
		{name: "CA file as a WinPE path, present next to the config", body: strings.Replace(goodBody, "good-ca.pem", `X:\ImageInvoker\good-ca.pem`, 1)},
		{name: "CA file not PEM", body: strings.Replace(goodBody, "good-ca.pem", "not-pem.pem", 1),
			errs: []string{"holds no PEM certificate"}},
		{name: "sample names warn", body: strings.ReplaceAll(goodBody, "uni.edu", "lab.example"),
			warns: []string{"store.url: ds1.lab.example is a documentation name (RFC 2606): still the sample's value?",
				"directory.dcs: dc1.lab.example", "directory.dns_domain: lab.example"}},
		{name: "a site's own refusals", body: goodBody + "sites:\n  - name: north\n    subnets: [10.1.0.0/16]\n    store:\n      url: sqlserver://dsn.uni.edu/A\n      console_security: \"off\"\n    directory:\n      dcs: [dcn.uni.edu]\n",
			errs: []string{"sites[north].store.console_security: off is refused", "sites[north].store.url: names no database", `sites[north].directory.dcs: "dcn.uni.edu"`}},
		{name: "Windows paths on Linux media", target: TargetLinux, body: goodBody + "log:\n  file: X:\\ImageInvoker\\ii.log\n",
			errs: []string{`log.file: X:\ImageInvoker\ii.log is a Windows path, and this config is for Linux boot media`}},
		{name: "Windows paths are fine on WinPE", target: TargetWindows, body: goodBody + "log:\n  file: X:\\ImageInvoker\\ii.log\n"},
		{name: "Linux paths on WinPE", target: TargetWindows, body: goodBody + "log:\n  file: /var/log/ii.log\n",
			errs: []string{"log.file: /var/log/ii.log is a Linux path, and this config is for WinPE"}},
		{name: "every error in one pass", body: "store:\n  url: sqlserver://sa:pw@ds1.uni.edu/A\n  auth: technician\n  console_security: \"off\"\ndirectory:\n  dcs: [dc1.uni.edu]\n  ca_file: nope.pem\n  ds_accounts: true\n",
			errs: []string{"console_security: off", "names no database", "has a user name and password", `"dc1.uni.edu" is not a DC address`, "nope.pem: not found", "ds_accounts: true does not work"}},
	}
	cases[3].body = strings.Replace(goodBody, "  auth: technician\n", "  auth: technician\n  console_security: \"off\"\n", 1)
	cases[3].errs = []string{"line 4: store.console_security: off is refused on the console"}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := lintFile(t, tc.body, tc.target)
			check := func(kind string, got, want []string) {
				if len(got) != len(want) {
					t.Fatalf("%s:\n got %q\nwant %d matching %q", kind, got, len(want), want)
				}
				for i := range want {
					if !strings.Contains(got[i], want[i]) {
						t.Errorf("%s %d = %q, want it to contain %q", kind, i, got[i], want[i])
					}
				}
			}
			check("errors", f.Errors, tc.errs)
			check("warnings", f.Warnings, tc.warns)
		})
	}
}

// The unedited sample is not a finished config: Lint warns (no store, no
// DC), and with its examples put in, it warns of every example name.
func TestLintSample(t *testing.T) {
	c, err := Parse("sample.yaml", Sample)
	if err != nil {
		t.Fatal(err)
	}
	if f := c.Lint(LintOptions{}); len(f.Warnings) < 2 {
		t.Errorf("the unedited sample gives %d warnings: %q", len(f.Warnings), f.Warnings)
	}
	c, err = Parse("sample.yaml", uncommentExamples(t))
	if err != nil {
		t.Fatal(err)
	}
	f := c.Lint(LintOptions{})
	if !strings.Contains(strings.Join(f.Warnings, "\n"), "still the sample's value?") {
		t.Errorf("the sample's examples give no RFC 2606 warning: %q", f.Warnings)
	}
}
