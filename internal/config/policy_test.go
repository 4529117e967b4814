package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// Every setting, whether flags and the environment reach it (Settings) or
// only the config file does, is classified here: trusted settings widen
// what may be scheduled or whom the client trusts, and come only from the
// config file on the console and in `run`; open ones may come from
// anywhere. The keys must be exactly every setting: a new one, in Settings
// or only in the file (directory.ds_accounts), fails this until classified,
// and a trusted one reachable from a flag must be marked Policy.
func TestPolicySettings(t *testing.T) {
	const (
		open = iota + 1
		trusted
	)
	class := map[string]int{
		"store.url": trusted, "store.auth": trusted, "store.queue": trusted, "store.console_security": trusted, "store.timeout": open,
		"store.ca_file": trusted, "store.tls_fingerprint": trusted,
		"directory.dcs": trusted, "directory.domain": trusted, "directory.dns_domain": trusted, "directory.base_dn": trusted,
		"directory.ca_file": trusted, "directory.allow_plain": trusted, "directory.timeout": open, "directory.total_timeout": open,
		"directory.ds_accounts": trusted, "directory.domains": trusted,
		"machine.match": trusted, "machine.wait_registration": open,
		"menu.root": trusted, "menu.tag": trusted, "menu.flat": open, "menu.folder_names": open, "menu.type_to_confirm": open,
		"session.idle_timeout": open, "session.idle_action": open, "session.after_queue": trusted, "session.watch_timeout": open,
		"session.step_timeout": open, "look.style": open, "log.file": trusted, "log.debug": trusted, "log.copy_to": trusted, "label": trusted,
		"policy.allow_overrides": trusted, "include": trusted, "include_ca_file": trusted, "include_fallback": trusted,
		"sites": trusted, "sites_prompt": trusted, "site": trusted,
	}
	all := map[string]bool{}
	v := reflect.ValueOf(Default()).Elem()
	for _, key := range fileKeys(reflect.TypeOf(Config{}), "") {
		if f, ok := field(v, key); !ok || f.Kind() != reflect.Struct { // a section is not a setting
			all[key] = true
		}
	}
	inSettings := map[string]Setting{}
	for _, s := range Settings {
		all[s.Key] = true
		inSettings[s.Key] = s
	}
	for key := range all {
		if class[key] == 0 {
			t.Errorf("%s is not classified: add it to this test as trusted (config file only on the console) or open", key)
		}
	}
	for key, c := range class {
		if !all[key] {
			t.Errorf("%s is classified but is no setting (renamed?)", key)
			continue
		}
		s, reachable := inSettings[key]
		switch {
		case reachable && s.Policy != (c == trusted):
			t.Errorf("%s: Policy = %v, but it is classified %s", key, s.Policy, map[int]string{open: "open", trusted: "trusted"}[c])
		case !reachable && c == trusted:
			// Only the config file sets it: no variable can.
			env := "IMAGEINVOKER_" + strings.ToUpper(strings.NewReplacer(".", "_").Replace(key))
			cfg, err := Resolve(pflag.NewFlagSet("x", pflag.ContinueOnError), func(k string) string {
				return map[string]string{env: "true", strings.Replace(env, "DIRECTORY_", "", 1): "true"}[k]
			})
			if err != nil {
				t.Errorf("%s: %v", key, err)
			} else if o := cfg.Origin(key); o.Kind != FromDefault {
				t.Errorf("%s is set from the environment (%s): %v", key, env, o)
			}
		}
	}
	if c, err := Resolve(pflag.NewFlagSet("x", pflag.ContinueOnError), func(k string) string {
		return map[string]string{"IMAGEINVOKER_DS_ACCOUNTS": "true", "IMAGEINVOKER_DIRECTORY_DS_ACCOUNTS": "true"}[k]
	}); err != nil || c.Directory.DSAccounts {
		t.Errorf("directory.ds_accounts came from the environment: %v, %v", c != nil && c.Directory.DSAccounts, err)
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
		addFlags(fs, "store", "menu-root", "console-security", "idle-timeout")
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
