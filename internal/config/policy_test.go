package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// The settings that widen what may be scheduled or whom the client trusts
// are exactly these; a new one (directory.ds_accounts) must be added here
// and marked Policy, or this fails.
func TestPolicySettings(t *testing.T) {
	want := map[string]bool{
		"store.url": true, "store.auth": true, "store.queue": true, "store.console_security": true,
		"directory.dcs": true, "directory.domain": true, "directory.dns_domain": true, "directory.base_dn": true,
		"directory.ca_file": true, "directory.allow_plain": true, "directory.ds_accounts": true,
		"menu.root": true, "menu.tag": true, "site": true, "machine.match": true,
		"store.ca_file": true, "store.tls_fingerprint": true,
		"session.after_queue": true, "log.file": true, "log.debug": true,
	}
	for _, s := range Settings {
		if s.Policy != want[s.Key] {
			t.Errorf("%s: Policy = %v, want %v", s.Key, s.Policy, want[s.Key])
		}
	}
}

func TestEnforcePolicy(t *testing.T) {
	dir := t.TempDir()
	write := func(body string) string {
		p := filepath.Join(dir, "c.yaml")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	resolve := func(file string, env map[string]string, args ...string) *Config {
		t.Helper()
		fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
		fs.String("config", "", "")
		AddFlags(fs, "store", "menu-root", "console-security", "idle-timeout")
		if err := fs.Parse(append([]string{"--config", file}, args...)); err != nil {
			t.Fatal(err)
		}
		c, err := Resolve(fs, func(k string) string { return env[k] })
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	file := write("store:\n  url: sqlite:/x.db\nmenu:\n  root: Imaging\n")
	// The same values from the file: nothing refused.
	if err := resolve(file, nil, "--idle-timeout", "5m").EnforcePolicy(nil); err != nil {
		t.Errorf("file values and a non-policy flag: %v", err)
	}
	err := resolve(file, map[string]string{"IMAGEINVOKER_STORE": "sqlite:/y.db"}, "--menu-root", "Other").EnforcePolicy([]string{"computer-id"})
	for _, want := range []string{"IMAGEINVOKER_STORE sets store.url", "--menu-root sets menu.root", "--computer-id names the machine"} {
		if !isInvalid(err, want) {
			t.Errorf("err = %v; want it to say %q", err, want)
		}
	}
	allowed := write("store:\n  url: sqlite:/x.db\npolicy:\n  allow_overrides: true\n")
	if err := resolve(allowed, nil, "--menu-root", "Other").EnforcePolicy([]string{"mac"}); err != nil {
		t.Errorf("allow_overrides: %v", err)
	}
	if err := resolve(allowed, nil, "--console-security", "off").EnforcePolicy(nil); err == nil || !strings.Contains(err.Error(), "off is refused") {
		t.Errorf("off with allow_overrides: %v", err)
	}
	if err := resolve(allowed, nil, "--console-security", "on").EnforcePolicy(nil); err != nil {
		t.Errorf("on: %v", err)
	}
}
