package config

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

// Settings come from flags > IMAGEINVOKER_* environment > config file > defaults.
func TestResolvePrecedence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "imageinvoker.yaml")
	file := "store:\n  url: sqlite:from-file.db\n  timeout: 7s\nmenu:\n  root: FileRoot\n  tag: '[file]'\n"
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"IMAGEINVOKER_CONFIG":    path,
		"IMAGEINVOKER_MENU_ROOT": "EnvRoot",
		"IMAGEINVOKER_MENU_TAG":  "[env]",
		"IMAGEINVOKER_DC":        "ldaps://env1,ldaps://env2",
	}
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	fs.String("config", "", "")
	addFlags(fs, "store", "menu-root", "menu-tag", "dc", "flat")
	if err := fs.Parse([]string{"--menu-tag", "[flag]", "--dc", "ldaps://flag1", "--dc", "ldap://flag2:389"}); err != nil {
		t.Fatal(err)
	}
	c, err := Resolve(fs, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ what, got, want string }{
		{"store.url from the file", c.Store.URL, "sqlite:from-file.db"},
		{"store.timeout from the file", c.Store.Timeout.String(), (7 * time.Second).String()},
		{"menu.root: env beats file", c.Menu.Root, "EnvRoot"},
		{"menu.tag: flag beats env and file", c.Menu.Tag, "[flag]"},
		{"directory.dcs: repeated flag beats env", strings.Join(c.Directory.DCs, " "), "ldaps://flag1 ldap://flag2:389"},
		{"session.idle_timeout: default", c.Session.IdleTimeout.String(), (10 * time.Minute).String()},
		{"source", c.Source, path},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s: got %q, want %q", ch.what, ch.got, ch.want)
		}
	}
}

// Duration flags are typed: pflag refuses a bad one while parsing, naming
// the flag, and --help says "duration"; a given flag still beats the file.
func TestDurationFlagsTyped(t *testing.T) {
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.String("config", "", "")
	addFlags(fs, "store-timeout", "idle-timeout")
	if err := fs.Parse([]string{"--store-timeout", "soon"}); err == nil || !strings.Contains(err.Error(), "--store-timeout") {
		t.Errorf("a bad duration flag parsed: %v", err)
	}
	if typ := fs.Lookup("store-timeout").Value.Type(); typ != "duration" {
		t.Errorf("--store-timeout is a %s flag", typ)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(file, []byte("store:\n  timeout: 40s\nsession:\n  idle_timeout: 3m\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	fs = pflag.NewFlagSet("t", pflag.ContinueOnError)
	fs.String("config", "", "")
	addFlags(fs, "store-timeout", "idle-timeout")
	if err := fs.Parse([]string{"--config", file, "--store-timeout", "1m30s"}); err != nil {
		t.Fatal(err)
	}
	c, err := Resolve(fs, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	// The flag given wins; the one not given leaves the file's value.
	if c.Store.Timeout != 90*time.Second || c.Session.IdleTimeout != 3*time.Minute {
		t.Errorf("store.timeout %v (want 1m30s), session.idle_timeout %v (want the file's 3m)", c.Store.Timeout, c.Session.IdleTimeout)
	}
}

func TestResolveBadInput(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		args []string
		say  string
	}{
		{"bad env value names the variable", map[string]string{"IMAGEINVOKER_FLAT": "sometimes"}, nil, "IMAGEINVOKER_FLAT"},
		{"bad duration in the environment names the variable", map[string]string{"IMAGEINVOKER_STORE_TIMEOUT": "soon"}, nil, "IMAGEINVOKER_STORE_TIMEOUT"},
		{"missing config file", map[string]string{"IMAGEINVOKER_CONFIG": "/nonexistent/imageinvoker.yaml"}, nil, "/nonexistent/imageinvoker.yaml"},
		{"enum checked after all layers", nil, []string{"--queue-method", "fast"}, "store.queue"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
			fs.String("config", "", "")
			addFlags(fs, "store-timeout", "queue-method", "flat")
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			_, err := Resolve(fs, func(k string) string { return tc.env[k] })
			if !isInvalid(err, tc.say) {
				t.Fatalf("err = %v; want ErrInvalid naming %q", err, tc.say)
			}
		})
	}
}

// Flag help names the environment variable and the built-in default.
func TestFlagHelpNamesEnvAndDefault(t *testing.T) {
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	addFlags(fs, "dc-timeout", "match", "menu-tag", "store", "flat")
	want := map[string]string{
		"dc-timeout": "(env IMAGEINVOKER_DC_TIMEOUT) (default 5s)",
		"match":      "(default mac)",
		"menu-tag":   "(default [imageinvoker])",
		"store":      "(env IMAGEINVOKER_STORE)",
		"flat":       "(env IMAGEINVOKER_FLAT)",
	}
	for name, w := range want {
		if u := fs.Lookup(name).Usage; !strings.HasSuffix(u, w) {
			t.Errorf("--%s help %q does not end with %q", name, u, w)
		}
	}
	if u := fs.Lookup("store").Usage; strings.Contains(u, "default") {
		t.Errorf("--store has no default but its help says one: %q", u)
	}
}
