package app

import (
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/directory/adtest"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/pkg/dscipher"
	"github.com/imageinvoker/imageinvoker/pkg/express"
)

func TestMain(m *testing.M) { os.Exit(adtest.Main(m)) }

// TestRunAgainstSamba takes `imageinvoker run` from credentials to a queued
// schedule against a real Samba AD DC and a real SQLite eXpress store, and
// checks that each failure writes nothing.
func TestRunAgainstSamba(t *testing.T) {
	dc := adtest.Start(t)
	alice := dc.Users["alice"]
	store := labStore(t)
	// The store and directory come from the config file, as on boot media;
	// the file lets the test name the machine (policy.allow_overrides).
	cfgFile := writeConfig(t, labConfig(store, dc)+"policy:\n  allow_overrides: true\n")
	args := func(mac, job string, extra ...string) []string {
		return append([]string{"run", "--config", cfgFile, "--mac", mac, "--job", job}, extra...)
	}
	base := func(job string, extra ...string) []string {
		return args("AA:BB:CC:DD:EE:FF", job, append([]string{"--password-stdin"}, extra...)...)
	}

	// Samba's alice is in LAB\Imaging Techs, nested in LAB\Techs: lab.sql lets LAB\Techs run the BIOS update.
	stdout, stderr, code := execute(t, nil, alice.Password+"\n", base("Utilities/BIOS update", "--user", `LAB\alice`, "--yes", "--json")...)
	if code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	var res struct {
		ScheduleID    int64 `json:"schedule_id"`
		AlreadyQueued bool  `json:"already_queued"`
		Job           struct {
			ID int64 `json:"id"`
		} `json:"job"`
		Computer struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"computer"`
		User string `json:"user"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	if res.ScheduleID < 100000001 || res.AlreadyQueued || res.Job.ID != 2000140 || res.Computer.Name != "PC-042" || res.User != `LAB\alice` {
		t.Errorf("unexpected result %+v", res)
	}
	if n := countSchedules(t, store); n != 1 {
		t.Fatalf("%d schedules after one run, want 1", n)
	}
	if strings.Contains(stdout+stderr, alice.Password) {
		t.Error("the password was printed")
	}

	// The same job again, by id and with a UPN: the pending schedule is returned, nothing added.
	stdout, stderr, code = execute(t, nil, alice.Password+"\n", base("2000140", "--user", "alice@"+dc.DNSDomain, "--yes", "--json")...)
	if code != 0 || !strings.Contains(stdout, `"already_queued":true`) || !strings.Contains(stdout, `"schedule_id":`+itoa(res.ScheduleID)) {
		t.Fatalf("second run: exit %d, %s %s", code, stdout, stderr)
	}
	// ... and says who queued the pending row.
	if !strings.Contains(stdout, `"queued_by":"LAB\\alice"`) {
		t.Errorf("already queued without who queued it: %s", stdout)
	}
	// A technician signed in as someone else learns who queued it, in text too.
	bob := dc.Users["bob"]
	_, stderr, code = execute(t, nil, bob.Password+"\n", base("2000140", "--user", "bob", "--yes")...)
	if code == 0 && !strings.Contains(stderr, `already queued by LAB\alice`) {
		t.Errorf("bob's run: %s", stderr)
	}

	failures := []struct {
		name  string
		stdin string
		args  []string
		env   map[string]string
		code  int
		say   string
	}{
		{"not permitted", alice.Password + "\n", base("2000133", "--user", "alice", "--yes"), nil,
			exitcode.NotPermitted, "not on your menu"},
		{"not on the menu at all", alice.Password + "\n", base("Other/Server inventory", "--user", "alice", "--yes"), nil,
			exitcode.NotPermitted, "no job"},
		{"wrong password", "not-her-password\n", base("2000140", "--user", "alice", "--yes"), nil,
			exitcode.BadCredentials, "wrong user name or password"},
		{"empty password", "\n", base("2000140", "--user", "alice", "--yes"), nil,
			exitcode.Usage, "empty"},
		{"unknown machine", alice.Password + "\n", args("02:00:00:00:00:09", "2000140", "--password-stdin", "--user", "alice", "--yes"), nil,
			exitcode.UnknownComputer, "not known to Deployment Server"},
		{"DC down", alice.Password + "\n", []string{"run", "--config", writeConfig(t, strings.Replace(labConfig(store, dc), dc.URL, dc.DeadURL, 1)+
			"policy:\n  allow_overrides: true\n"), "--dc-timeout", "2s", "--mac", "AABBCCDDEEFF",
			"--password-stdin", "--job", "2000140", "--user", "alice", "--yes"}, nil, exitcode.DirectoryDown, ""},
		{"no --yes without a terminal", alice.Password + "\n", base("2000140", "--user", "alice"), nil,
			exitcode.Usage, "--yes is required"},
		{"password from the environment, wrong", "", args("AABBCCDDEEFF", "2000140", "--user", "alice", "--yes"),
			map[string]string{"IMAGEINVOKER_PASSWORD": "wrong-again"}, exitcode.BadCredentials, "wrong user name or password"},
	}
	for _, tc := range failures {
		t.Run(tc.name, func(t *testing.T) {
			before := countSchedules(t, store)
			stdout, stderr, code := execute(t, tc.env, tc.stdin, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d: %s", code, tc.code, stderr)
			}
			if !strings.Contains(stderr, tc.say) {
				t.Errorf("stderr lacks %q: %s", tc.say, stderr)
			}
			if after := countSchedules(t, store); after != before {
				t.Errorf("a failed run wrote %d schedule(s)", after-before)
			}
			if strings.Contains(stdout+stderr, alice.Password) || strings.Contains(stdout+stderr, "not-her-password") {
				t.Error("a password was printed")
			}
		})
	}
}

// labConfig is the config file of a boot medium for the lab store and the Samba DC.
func labConfig(store string, dc *adtest.DC) string {
	return "store:\n  url: '" + store + "'\ndirectory:\n  dcs: ['" + dc.URL + "']\n  ca_file: '" + dc.CAFile +
		"'\n  domain: " + dc.Domain + "\n  dns_domain: " + dc.DNSDomain + "\n"
}

// writeConfig writes body as the config file of a fresh directory.
func writeConfig(t *testing.T, body string) string {
	t.Helper()
	return cmdutil.WriteFile(t, t.TempDir(), "imageinvoker.yaml", body)
}

// On the console and in run, what widens what may be scheduled or whom the
// client trusts comes only from the config file (issue 9, attack 1): flags
// and IMAGEINVOKER_* variables for those settings, and the machine flags,
// are refused naming the setting, and console security off is refused
// wherever it comes from. Nothing is read from the network first.
func TestRunBootMediaPolicy(t *testing.T) {
	store := labStore(t)
	plain := writeConfig(t, "store:\n  url: '"+store+"'\ndirectory:\n  dcs: [ldaps://127.0.0.1:1]\n  dns_domain: lab.example\n")
	off := writeConfig(t, "store:\n  url: '"+store+"'\n  console_security: 'off'\ndirectory:\n  dcs: [ldaps://127.0.0.1:1]\n  dns_domain: lab.example\npolicy:\n  allow_overrides: true\n")
	run := []string{"run", "--user", "alice", "--password-stdin", "--job", "2000140", "--yes"}
	cases := []struct {
		name string
		env  map[string]string
		args []string
		say  []string
	}{
		{"console security off by flag", nil, []string{"--config", plain, "--console-security", "off"},
			[]string{"--console-security sets store.console_security", "off is refused"}},
		{"console security off from the environment (kernel command line)", map[string]string{"IMAGEINVOKER_CONSOLE_SECURITY": "off"},
			[]string{"--config", plain}, []string{"IMAGEINVOKER_CONSOLE_SECURITY sets store.console_security", "off is refused"}},
		{"console security off in the config file, overrides allowed", nil, []string{"--config", off}, []string{"off is refused"}},
		{"menu root by flag", nil, []string{"--config", plain, "--menu-root", "Other"}, []string{"--menu-root sets menu.root", "allow_overrides"}},
		{"menu tag from the environment", map[string]string{"IMAGEINVOKER_MENU_TAG": "[x]"}, []string{"--config", plain},
			[]string{"IMAGEINVOKER_MENU_TAG sets menu.tag"}},
		{"computer id", nil, []string{"--config", plain, "--computer-id", "5000001"}, []string{"--computer-id names the machine"}},
		{"MAC", nil, []string{"--config", plain, "--mac", "AABBCCDDEEFF"}, []string{"--mac names the machine"}},
		{"store by flag", nil, []string{"--config", plain, "--store", store}, []string{"--store sets store.url"}},
		{"DC from the environment", map[string]string{"IMAGEINVOKER_DC": "ldaps://evil.example"}, []string{"--config", plain},
			[]string{"IMAGEINVOKER_DC sets directory.dcs"}},
		{"CA file by flag", nil, []string{"--config", plain, "--ca-file", "/tmp/evil.pem"}, []string{"--ca-file sets directory.ca_file"}},
		{"plain LDAP by flag", nil, []string{"--config", plain, "--allow-plain-ldap"}, []string{"--allow-plain-ldap sets directory.allow_plain"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantRefused(t, tc.env, append(append([]string{}, run...), tc.args...), exitcode.Usage, tc.say...)
		})
	}
	if n := countSchedules(t, store); n != 0 {
		t.Errorf("%d schedules written", n)
	}
}

// Previews keep console security off, labelled as a what-if.
func TestPreviewConsoleSecurityOffIsAWhatIf(t *testing.T) {
	stdout, stderr, code := execute(t, nil, "", "menu", "--store", labStore(t), "--mac", "AABBCCDDEEFF",
		"--as", "nobody", "--console-security", "off")
	if code != 0 || !strings.Contains(stderr, "WHAT-IF: console security is off") || !strings.Contains(stdout, "BIOS update") {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestRunDemo goes through the real LDAP client against the in-process demo directory.
func TestRunDemo(t *testing.T) {
	logFile := t.TempDir() + "/run.log"
	stdout, stderr, code := execute(t, nil, "alice-demo\n", "run", "--demo", "--user", "alice", "--password-stdin",
		"--job", "Windows 11/Student Labs/Win11 Physics Lab", "--yes", "--json", "--log-file", logFile, "--debug")
	if code != 0 || !strings.Contains(stdout, `"user":"LAB\\alice"`) || !strings.Contains(stdout, `"name":"PC-042"`) {
		t.Fatalf("exit %d: %s %s", code, stdout, stderr)
	}
	log, err := os.ReadFile(logFile)
	if err != nil || !strings.Contains(string(log), "queued schedule=") || !strings.Contains(string(log), `signed in" user=LAB\alice`) {
		t.Fatalf("the log lacks the steps (%v):\n%s", err, log)
	}
	if strings.Contains(string(log)+stdout+stderr, "alice-demo") {
		t.Error("the password reached the log or the output")
	}
	_, stderr, code = execute(t, nil, "carol-demo\n", "run", "--demo", "--user", `LAB\carol`, "--password-stdin",
		"--job", "Windows 11/Student Labs/Win11 Physics Lab", "--yes")
	if code != exitcode.NotPermitted {
		t.Fatalf("carol: exit %d, want %d: %s", code, exitcode.NotPermitted, stderr)
	}
}

// TestRunDSAccount signs in with a DS console account (`.\name`) and queues
// with no domain controller configured; each refusal writes nothing and
// reads like the AD refusal of the same mistake.
func TestRunDSAccount(t *testing.T) {
	store := labStore(t)
	dir := t.TempDir()
	on, off := dir+"/on.yaml", dir+"/off.yaml"
	for path, body := range map[string]string{
		// allow_overrides: the machine is named by --mac, as in a lab.
		on: "store:\n  url: " + store + "\ndirectory:\n  ds_accounts: true\npolicy:\n  allow_overrides: true\n",
		// A directory is configured (never reached): the refusal is about DS accounts.
		off: "store:\n  url: " + store + "\ndirectory:\n  dns_domain: lab.example\n  dcs: [ldaps://127.0.0.1:1]\npolicy:\n  allow_overrides: true\n",
	} {
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	run := func(config, user, job string, extra ...string) []string {
		return append([]string{"run", "--config", config, "--mac", "AABBCCDDEEFF", "--user", user, "--job", job, "--password-stdin", "--yes"}, extra...)
	}
	stdout, stderr, code := execute(t, nil, "kiosk-demo\n", run(on, `.\kiosk`, "Utilities/BIOS update", "--json")...)
	if code != 0 {
		t.Fatalf("run as .\\kiosk: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, `"user":".\\kiosk"`) || countSchedules(t, store) != 1 {
		t.Fatalf("unexpected result: %s", stdout)
	}
	var recorded string
	db := openSQLite(t, store)
	if err := db.QueryRow("SELECT user_name FROM event_schedule").Scan(&recorded); err != nil || recorded != "kiosk" {
		t.Errorf("schedule records user %q (%v), want kiosk", recorded, err)
	}
	// A second DS account whose name differs only by a trailing space holds
	// the Administrative right: signing in as .\kiosk must not borrow it.
	for _, q := range []string{
		"INSERT INTO securityuser(user_id, username, password) VALUES (14000099, '" + dscipher.Encrypt("kiosk ") + "', '" + dscipher.Encrypt("other-pw") + "')",
		"INSERT INTO securityprivilegelink VALUES (14000099, 1)",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	// What AD says to the same mistake (the Samba test checks that text).
	const wrong = "sign-in refused: wrong user name or password"
	for _, tc := range []struct {
		name, config, user, stdin string
		code                      int
		say                       string
	}{
		{"wrong password", on, `.\kiosk`, "kiosk-wrong\n", exitcode.BadCredentials, wrong},
		{"unknown account", on, `.\nobody`, "kiosk-demo\n", exitcode.BadCredentials, wrong},
		{"an AD account's name is not a DS account", on, `.\alice`, "kiosk-demo\n", exitcode.BadCredentials, wrong},
		{"empty password", on, `.\kiosk`, "\n", exitcode.Usage, "empty"},
		{"DS accounts turned off", off, `.\kiosk`, "kiosk-demo\n", exitcode.BadCredentials, "directory.ds_accounts: true"},
		{"an AD user where only DS accounts are set up", on, `LAB\alice`, "kiosk-demo\n", exitcode.Usage, "no Active Directory is configured"},
		{"not permitted for the DS account", on, `.\kiosk`, "kiosk-demo\n", exitcode.NotPermitted, "not on your menu"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			job := "Utilities/BIOS update"
			if tc.code == exitcode.NotPermitted {
				job = "2000141"
			}
			before := countSchedules(t, store)
			stdout, stderr, code := execute(t, nil, tc.stdin, run(tc.config, tc.user, job)...)
			if code != tc.code || !strings.Contains(stderr, tc.say) {
				t.Fatalf("exit %d (want %d), stderr %q lacks %q", code, tc.code, stderr, tc.say)
			}
			if after := countSchedules(t, store); after != before {
				t.Errorf("a refused run wrote %d schedule(s)", after-before)
			}
			if strings.Contains(stdout+stderr, "kiosk-demo") || strings.Contains(stdout+stderr, "kiosk-wrong") {
				t.Error("a password was printed")
			}
		})
	}
}

func openSQLite(t *testing.T, storeURL string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", express.SQLiteDSN(strings.TrimPrefix(storeURL, "sqlite:")))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Text output of the preview commands draws DS names without escape
// sequences; JSON keeps the exact value (issue 9, attack 5).
func TestHostileJobNameInTextAndJSON(t *testing.T) {
	const hostile = "\x1b[2J\x1b]0;pwned\x07\x1b[?1049l\u009b2J\u0085\rSAFE"
	store := labStore(t)
	db, err := sql.Open("sqlite", express.SQLiteDSN(strings.TrimPrefix(store, "sqlite:")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("UPDATE event SET name = name || ? WHERE event_id = 2000140", hostile); err != nil {
		t.Fatal(err)
	}
	db.Close()
	base := []string{"--store", store, "--mac", "AABBCCDDEEFF", "--as", `LAB\alice`, "--as-groups", `LAB\Techs`}
	for _, args := range [][]string{
		append([]string{"menu"}, base...),
		append([]string{"menu", "--flat"}, base...),
		append([]string{"explain", "--job", "2000140"}, base...),
	} {
		stdout, stderr, code := execute(t, nil, "", args...)
		if code != 0 || !strings.Contains(stdout, "SAFE") {
			t.Fatalf("%v: exit %d\n%s\n%s", args, code, stdout, stderr)
		}
		for _, seq := range []string{"\x1b", "\u009b", "\u0085", "\r", "pwned"} {
			if strings.Contains(stdout+stderr, seq) {
				t.Errorf("%v: output holds %q:\n%q", args[0], seq, stdout)
			}
		}
	}
	stdout, _, _ := execute(t, nil, "", append([]string{"menu", "--json"}, base...)...)
	var m menuOut
	if err := json.Unmarshal([]byte(stdout), &m); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, j := range m.Jobs {
		found = found || strings.HasSuffix(j.Name, hostile)
	}
	if !found || strings.Contains(stdout, "\x1b") {
		t.Errorf("JSON must keep the exact name, escaped: %s", stdout)
	}
}

// What was typed in the user field reaches the log only when the sign-in
// succeeded or under --debug: a password typed there by mistake must not
// (issue 9, attack 7). A password file others may read is refused.
func TestTypedUserNotLoggedAndPrivatePasswordFile(t *testing.T) {
	logFile := filepath.Join(t.TempDir(), "run.log")
	_, stderr, code := execute(t, nil, "alice-demo\n", "run", "--demo", "--user", "Hunter2-Typed-As-User", "--password-stdin",
		"--job", "2000001", "--yes", "--log-file", logFile)
	if code != exitcode.BadCredentials {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	log, err := os.ReadFile(logFile)
	if err != nil || !strings.Contains(string(log), "sign-in failed") || strings.Contains(string(log)+stderr, "Hunter2") {
		t.Errorf("log (%v):\n%s", err, log)
	}

	pw := cmdutil.WriteFile(t, t.TempDir(), "pw", "alice-demo\n")
	if err := os.Chmod(pw, 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code = execute(t, nil, "", "run", "--demo", "--user", "alice", "--password-file", pw, "--job", "2000001", "--yes")
	if code != exitcode.Usage || !strings.Contains(stderr, "chmod 600") {
		t.Errorf("world-readable password file: exit %d: %s", code, stderr)
	}
}

// whoami and doctor take --debug like every other command.
func TestWhoamiAndDoctorAcceptDebug(t *testing.T) {
	if _, stderr, code := execute(t, nil, "alice-demo\n", "whoami", "--demo", "--debug", "--user", "alice", "--password-stdin"); code != 0 {
		t.Errorf("whoami --debug: exit %d: %s", code, stderr)
	}
	if _, stderr, code := execute(t, nil, "", "doctor", "--demo", "--debug", "--json"); code == exitcode.Usage || strings.Contains(stderr, "unknown flag") {
		t.Errorf("doctor --debug: exit %d: %s", code, stderr)
	}
}

// wantRefused runs args and expects exit code and every text of say on
// stderr: a refusal the user can act on.
func wantRefused(t *testing.T, env map[string]string, args []string, code int, say ...string) {
	t.Helper()
	_, stderr, got := execute(t, env, "pw\n", args...)
	if got != code {
		t.Fatalf("exit %d, want %d: %s", got, code, stderr)
	}
	for _, want := range say {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q: %s", want, stderr)
		}
	}
}
