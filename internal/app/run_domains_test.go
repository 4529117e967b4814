package app

import (
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/directory/adtest"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
)

// domainsConfig is a boot medium's config for the lab store and both Samba
// domains; each has its reader account for the other's users (no trust).
func domainsConfig(t *testing.T, store string, lab, other *adtest.DC, otherDC string) string {
	t.Helper()
	dir := t.TempDir()
	cmdutil.WriteFile(t, dir, "reader.txt", adtest.ReaderPassword+"\n")
	entry := func(dc *adtest.DC, url string) string {
		return "    - netbios: " + dc.Domain + "\n      dns: " + dc.DNSDomain + "\n      dcs: ['" + url + "']\n      ca_file: '" + dc.CAFile +
			"'\n      bind_user: '" + dc.Domain + `\` + adtest.UserReader + "'\n      bind_password_file: reader.txt\n"
	}
	body := "store:\n  url: '" + store + "'\ndirectory:\n  domains:\n" + entry(lab, lab.URL) + entry(other, otherDC) +
		"policy:\n  allow_overrides: true\n"
	return cmdutil.WriteFile(t, dir, "imageinvoker.yaml", body)
}

// A console group linked to OTHER's group that holds LAB\bob as a foreign
// member denies him the BIOS update his LAB\Techs may otherwise run; when
// OTHER cannot be asked, he is not signed in at all (fail closed), since
// signing in with LAB's groups only would lose that deny.
func TestRunDomainsAgainstSamba(t *testing.T) {
	lab, other := adtest.StartPair(t)
	store := labStore(t)
	db := openSQLite(t, store)
	for _, q := range []string{
		`INSERT INTO securitygroup(group_id, name, ad_group_domain) VALUES (15000020, 'Res Deny', 'other.example')`,
		`INSERT INTO securitypermissionlink VALUES (66, 15000020, 2000140, 0)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	run := func(cfg, user, password string) (string, string, int) {
		return execute(t, nil, password+"\n", "run", "--config", cfg, "--mac", "AA:BB:CC:DD:EE:FF", "--job", "2000140",
			"--password-stdin", "--user", user, "--yes", "--json")
	}
	cfg := domainsConfig(t, store, lab, other, other.URL)

	// With LAB alone bob may run it (lab.sql: LAB\Techs on Utilities).
	if _, stderr, code := run(writeConfig(t, labConfig(store, lab)+"policy:\n  allow_overrides: true\n"), "bob", lab.Users["bob"].Password); code != 0 {
		t.Fatalf("bob with LAB only: exit %d: %s", code, stderr)
	}
	db.Exec(`DELETE FROM event_schedule`)

	_, stderr, code := run(cfg, "bob", lab.Users["bob"].Password)
	if code != exitcode.NotPermitted {
		t.Fatalf("bob with both domains: exit %d, want %d (OTHER\\Res Deny): %s", code, exitcode.NotPermitted, stderr)
	}
	stdout, stderr, code := run(cfg, `lab.example\alice`, lab.Users["alice"].Password)
	if code != 0 || !strings.Contains(stdout, `"user":"LAB\\alice"`) {
		t.Fatalf("alice with both domains: exit %d: %s %s", code, stdout, stderr)
	}
	db.Exec(`DELETE FROM event_schedule`)

	down := domainsConfig(t, store, lab, other, other.DeadURL)
	_, stderr, code = run(down, "bob", lab.Users["bob"].Password)
	if code != exitcode.DirectoryDown || !strings.Contains(stderr, "OTHER") || !strings.Contains(stderr, "sign-in is refused") {
		t.Fatalf("bob with OTHER down: exit %d, want %d naming OTHER: %s", code, exitcode.DirectoryDown, stderr)
	}
	if n := countSchedules(t, store); n != 0 {
		t.Errorf("%d schedules written by refused runs", n)
	}
	// A user of a domain not configured is refused before anything is sent.
	_, stderr, code = run(cfg, `THIRD\bob`, "whatever-1")
	if code != exitcode.BadCredentials || !strings.Contains(stderr, "LAB, OTHER only") {
		t.Fatalf(`THIRD\bob: exit %d: %s`, code, stderr)
	}
}
