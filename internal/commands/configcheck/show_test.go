package configcheck

import (
	"context"
	"encoding/json"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
)

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
	good := cmdutil.WriteFile(t, dir, "good-central.yaml", "menu:\n  flat: true\n")
	goodMedia := cmdutil.WriteFile(t, dir, "good.yaml", "include: good-central.yaml\n")
	f, out, _ := factory(nil)
	if err := runCheck(context.Background(), &CheckOptions{IO: f.IO, File: goodMedia}); err != nil || out.String() != "ok: "+goodMedia+"\nok: "+good+" (central file, 2 lines)\n" {
		t.Errorf("good central file: %v, stdout %q", err, out.String())
	}
	remote := cmdutil.WriteFile(t, dir, "remote.yaml", "include: https://127.0.0.1:1/central.yaml\n")
	f, out, errOut := factory(nil)
	if err := runCheck(context.Background(), &CheckOptions{IO: f.IO, File: remote}); err != nil || !strings.Contains(out.String(), "ok: ") {
		t.Fatalf("https include offline: %v", err)
	}
	if !strings.Contains(errOut.String(), "not fetched: this check works offline") {
		t.Errorf("stderr %q", errOut.String())
	}
}
