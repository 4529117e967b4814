package app

import (
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/exitcode"
)

// sitedConfig puts the lab store on a site only: the top-level store does
// not exist, so a menu proves which site was used. The subnets are
// TEST-NET-2, which no test machine has.
func sitedConfig(t *testing.T, store, extra string) string {
	return writeConfig(t, "store:\n  url: 'sqlite:/nonexistent/imageinvoker-no-such.db'\ndirectory:\n  dcs: [ldaps://127.0.0.1:1]\n  dns_domain: lab.example\n"+
		"sites:\n  - name: lab\n    subnets: [198.51.100.0/24]\n    store:\n      url: '"+store+"'\n  - name: other\n    subnets: [198.51.101.0/24]\n"+extra)
}

// Previews take --site freely: an administrator checks another site's menu.
func TestPreviewSite(t *testing.T) {
	store := labStore(t)
	cfg := sitedConfig(t, store, "")
	preview := []string{"menu", "--config", cfg, "--mac", "AABBCCDDEEFF", "--as", `LAB\alice`, "--as-groups", `LAB\Techs`}
	stdout, stderr, code := execute(t, nil, "", append(preview, "--site", "lab")...)
	if code != 0 || !strings.Contains(stdout, "PC-042") || !strings.Contains(stdout, "BIOS update  [2000140]") {
		t.Fatalf("menu --site lab: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	stdout, stderr, code = execute(t, map[string]string{"IMAGEINVOKER_SITE": "lab"}, "", append([]string{"explain"}, append(preview[1:], "--job", "2000140", "--json")...)...)
	if code != 0 || !strings.Contains(stdout, "PC-042") {
		t.Fatalf("explain with IMAGEINVOKER_SITE: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	_, stderr, code = execute(t, nil, "", append(preview, "--site", "nowhere")...)
	if code != exitcode.Usage || !strings.Contains(stderr, `site "nowhere": no such site; the sites are lab, other`) || !strings.Contains(stderr, "--site") {
		t.Fatalf("unknown site: exit %d: %s", code, stderr)
	}
	// The other site keeps the top-level store, which does not exist.
	_, _, code = execute(t, nil, "", append(preview, "--site", "other")...)
	if code == 0 {
		t.Fatal("--site other used the lab store")
	}
}

// On the console and in run a site is a Deployment Server: --site and
// IMAGEINVOKER_SITE are refused unless the media file allows overrides, and
// run never guesses when sites_prompt would ask.
func TestRunSitePolicy(t *testing.T) {
	store := labStore(t)
	run := []string{"run", "--user", "alice", "--password-stdin", "--job", "2000140", "--yes"}
	cases := []struct {
		name string
		env  map[string]string
		cfg  string
		args []string
		say  []string
	}{
		{"site by flag", nil, sitedConfig(t, store, ""), []string{"--site", "lab"}, []string{"--site sets site", "allow_overrides"}},
		{"site from the environment", map[string]string{"IMAGEINVOKER_SITE": "lab"}, sitedConfig(t, store, ""), nil,
			[]string{"IMAGEINVOKER_SITE sets site"}},
		{"sites_prompt with no match", nil, sitedConfig(t, store, "sites_prompt: true\n"), nil,
			[]string{"no site's subnets hold this machine's addresses", "`run` never asks", "--site NAME"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantRefused(t, tc.env, append(append(append([]string{}, run...), "--config", tc.cfg), tc.args...), exitcode.Usage, tc.say...)
		})
	}
	if n := countSchedules(t, store); n != 0 {
		t.Errorf("%d schedules written", n)
	}
}

// config show is wired into the real command tree.
func TestConfigShowCommand(t *testing.T) {
	cfg := sitedConfig(t, "sqlite:/x.db", "")
	stdout, stderr, code := execute(t, nil, "", "config", "show", "--config", cfg, "--ip", "198.51.101.7")
	if code != 0 || !strings.Contains(stdout, "other: 198.51.101.7 is in 198.51.101.0/24") ||
		!strings.Contains(stdout, "sqlite:/nonexistent/imageinvoker-no-such.db") {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
}
