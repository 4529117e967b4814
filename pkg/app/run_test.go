package app

import (
	"database/sql"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/pkg/directory/adtest"
	"github.com/imageinvoker/imageinvoker/pkg/exitcode"
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
	args := func(mac, job string, extra ...string) []string {
		return append([]string{"run", "--store", store, "--dc", dc.URL, "--ca-file", dc.CAFile,
			"--domain", dc.Domain, "--dns-domain", dc.DNSDomain, "--mac", mac, "--job", job}, extra...)
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
		{"DC down", alice.Password + "\n", []string{"run", "--store", store, "--dc", dc.DeadURL, "--ca-file", dc.CAFile,
			"--domain", dc.Domain, "--dns-domain", dc.DNSDomain, "--dc-timeout", "2s", "--mac", "AABBCCDDEEFF",
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
		on: "store:\n  url: " + store + "\ndirectory:\n  ds_accounts: true\n",
		// A directory is configured (never reached): the refusal is about DS accounts.
		off: "store:\n  url: " + store + "\ndirectory:\n  dns_domain: lab.example\n  dcs: [ldaps://127.0.0.1:1]\n",
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
