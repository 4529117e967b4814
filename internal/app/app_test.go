package app

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/pkg/express"
	"github.com/imageinvoker/imageinvoker/pkg/express/expresstest"
)

// execute runs the real command tree in-process with buffers for streams
// and env for the environment, and returns what a shell would see.
func execute(t *testing.T, env map[string]string, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	f, ts := cmdutil.Test(env)
	ts.In.WriteString(stdin)
	root := NewRootCmd(f)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(context.Background())
	code = exitcode.OK
	if err != nil {
		code = report(f, cmd, err, false)
	}
	return ts.Out.String(), ts.Err.String(), code
}

// labStore is testdata/preview/lab.sql in a fresh SQLite file.
func labStore(t testing.TB) string {
	t.Helper()
	return "sqlite:" + expresstest.LabFile(t)
}

type menuOut struct {
	Computer struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"computer"`
	Jobs []struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
		Path string `json:"path"`
	} `json:"jobs"`
}

func jobList(m menuOut) []string {
	var out []string
	for _, j := range m.Jobs {
		out = append(out, j.Path+"|"+j.Name)
	}
	return out
}

// The expected menus follow from lab.sql's rows by the rules in docs/ds-schema.md;
// the comments there say which row decides which job.
func TestMenuJSON(t *testing.T) {
	store := labStore(t)
	cases := []struct {
		name   string
		args   []string
		want   []string
		wantID []int64
	}{
		{"user entry beats groups, deny beats allow, tag outside root",
			[]string{"--mac", "AA:BB:CC:DD:EE:FF", "--as", `LAB\alice`, "--as-groups", `LAB\Techs,LAB\Imaging`},
			[]string{"Utilities|BIOS update", "Windows/Lab|Win11 Chemistry", "|Inventory"},
			[]int64{2000140, 2000134, 2000150}},
		{"group deny on the nearest folder",
			[]string{"--mac", "aa-bb-cc-dd-ee-ff", "--as", `LAB\bob`, "--as-groups", `LAB\Techs`},
			[]string{"Utilities|BIOS update", "|Inventory"}, []int64{2000140, 2000150}},
		{"administrative right through a group",
			[]string{"--mac", "aabbccddee00", "--as", `LAB\root`, "--as-groups", `LAB\DS Admins`},
			[]string{"Utilities|BIOS update", "Utilities|Disk wipe", "Windows/Lab|Win11 Chemistry", "Windows/Lab|Win11 Physics", "|Inventory"},
			[]int64{2000140, 2000141, 2000134, 2000133, 2000150}},
		{"LAB's Imaging is not OTHER's; by serial",
			[]string{"--serial", "SN-042", "--as", `OTHER\carl`, "--as-groups", `OTHER\Imaging`},
			nil, nil},
		{"OTHER's Techs gets OTHER's entries only",
			[]string{"--serial", "SN-042", "--as", `OTHER\carl`, "--as-groups", `OTHER\Techs`},
			[]string{"Windows/Lab|Win11 Physics"}, []int64{2000133}},
		{"OTHER\\alice's entry is not LAB\\alice's",
			[]string{"--mac", "AABBCCDDEEFF", "--as", `LAB\alice`, "--as-groups", `LAB\Techs`},
			[]string{"Utilities|BIOS update", "Windows/Lab|Win11 Chemistry", "|Inventory"}, []int64{2000140, 2000134, 2000150}},
		{"a DS console account and its DS group",
			[]string{"--mac", "AABBCCDDEEFF", "--as", `.\kiosk`},
			[]string{"Utilities|BIOS update"}, []int64{2000140}},
		{"an AD account named like the DS account is not it",
			[]string{"--mac", "AABBCCDDEEFF", "--as", `LAB\kiosk`, "--as-groups", `LAB\Domain Users`},
			nil, nil},
		{"other domain's Techs is not LAB\\Techs; by computer id",
			[]string{"--computer-id", "5000001", "--as", `EVIL\mallory`, "--as-groups", `EVIL\Techs`},
			nil, nil},
		{"no groups, fail closed",
			[]string{"--computer-id", "5000001", "--as", "nobody"}, nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"menu", "--store", store, "--json"}, tc.args...)
			stdout, stderr, code := execute(t, nil, "", args...)
			if code != 0 {
				t.Fatalf("exit %d, stderr %s", code, stderr)
			}
			var m menuOut
			if err := json.Unmarshal([]byte(stdout), &m); err != nil {
				t.Fatalf("stdout is not the menu JSON: %v\n%s", err, stdout)
			}
			if m.Computer.ID != 5000001 || m.Computer.Name != "PC-042" {
				t.Errorf("computer = %+v", m.Computer)
			}
			if got := jobList(m); strings.Join(got, ";") != strings.Join(tc.want, ";") {
				t.Errorf("jobs\n got %q\nwant %q", got, tc.want)
			}
			for i, j := range m.Jobs {
				if i < len(tc.wantID) && j.ID != tc.wantID[i] {
					t.Errorf("job %d id = %d, want %d", i, j.ID, tc.wantID[i])
				}
			}
			if !strings.Contains(stdout, `"jobs": [`) {
				t.Errorf("jobs must be a JSON array even when empty: %s", stdout)
			}
		})
	}
}

func TestMenuText(t *testing.T) {
	stdout, stderr, code := execute(t, nil, "", "menu", "--store", labStore(t), "--mac", "AABBCCDDEEFF",
		"--as", `LAB\alice`, "--as-groups", `LAB\Techs`)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"PC-042", "Utilities/", "BIOS update  [2000140]", "Inventory  [2000150]"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("text menu lacks %q:\n%s", want, stdout)
		}
	}
}

func TestExplainJSON(t *testing.T) {
	store := labStore(t)
	cases := []struct {
		name    string
		as      []string
		job     string
		allowed bool
		say     []string
	}{
		{"deny beats allow among groups", []string{`LAB\alice`, `LAB\Techs,LAB\Imaging`}, "2000133", false,
			[]string{"Denied", `"LAB\\Techs"`, "Lab"}},
		{"user beats groups", []string{`LAB\alice`, `LAB\Techs`}, "2000134", true,
			[]string{"Allowed", `"LAB\\alice"`}},
		{"missing task permission on the computer", []string{`LAB\alice`, `LAB\Imaging`}, "2000134", false,
			[]string{"Allowed", "Denied", "distribute disk image", "PC-042"}},
		{"scripted install never granted", []string{`LAB\bob`, `LAB\Techs`}, "2000141", false, []string{"Denied"}},
		{"a DS console account through its DS group", []string{`.\kiosk`, ``}, "2000140", true,
			[]string{"Allowed", `console group "Bench"`, "run script"}},
		{"a job outside the menu is explained too", []string{`LAB\bob`, `LAB\Techs`}, "2000151", false,
			[]string{"Not on the boot menu", `"Server inventory"`, "neither under the \"ImageInvoker\" folder", "Denied"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := execute(t, nil, "", "explain", "--store", store, "--mac", "AA-BB-CC-DD-EE-FF",
				"--as", tc.as[0], "--as-groups", tc.as[1], "--job", tc.job, "--json")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var r struct {
				Job struct {
					ID   int64  `json:"id"`
					Name string `json:"name"`
				} `json:"job"`
				Allowed bool     `json:"allowed"`
				Reasons []string `json:"reasons"`
			}
			if err := json.Unmarshal([]byte(stdout), &r); err != nil {
				t.Fatalf("%v: %s", err, stdout)
			}
			if r.Job.ID == 0 || r.Job.Name == "" || len(r.Reasons) == 0 {
				t.Errorf("incomplete explanation: %s", stdout)
			}
			if r.Allowed != tc.allowed {
				t.Errorf("allowed = %v, want %v: %q", r.Allowed, tc.allowed, r.Reasons)
			}
			all := strings.Join(r.Reasons, "\n")
			for _, s := range tc.say {
				if !strings.Contains(all, strings.ReplaceAll(s, `\\`, `\`)) {
					t.Errorf("reasons lack %q:\n%s", s, all)
				}
			}
		})
	}
}

// Bad input gets its documented exit code and a message saying what to do.
func TestPreviewErrors(t *testing.T) {
	store := labStore(t)
	broken := cmdutil.WriteFile(t, t.TempDir(), "broken.yaml", "store:\n  url: sqlite:x\n  qeue: insert\n")
	cases := []struct {
		name string
		args []string
		code int
		say  string
	}{
		{"unknown computer", []string{"menu", "--store", store, "--mac", "02:00:00:00:00:01", "--as", "x"},
			exitcode.UnknownComputer, "MAC 02:00:00:00:00:01) is not known to Deployment Server"},
		{"unknown computer id", []string{"menu", "--store", store, "--computer-id", "5000999", "--as", "x"},
			exitcode.UnknownComputer, "not known"},
		{"unknown job", []string{"explain", "--store", store, "--mac", "AABBCCDDEEFF", "--as", "x", "--job", "2999999"},
			exitcode.UnknownJob, "there is no job 2999999 in Deployment Server"},
		{"bad job id", []string{"explain", "--store", store, "--mac", "AABBCCDDEEFF", "--as", "x", "--job", "abc"},
			exitcode.Usage, "--job needs a DS job id"},
		{"missing --as", []string{"menu", "--store", store, "--mac", "AABBCCDDEEFF"}, exitcode.Usage, "--as is required"},
		{"bad MAC", []string{"menu", "--store", store, "--mac", "AABBCC", "--as", "x"}, exitcode.Usage, "not a MAC address"},
		{"unknown flag", []string{"menu", "--bogus"}, exitcode.Usage, "unknown flag: --bogus"},
		{"no store", []string{"menu", "--mac", "AABBCCDDEEFF", "--as", "x"}, exitcode.Usage, "no eXpress store configured"},
		{"broken config", []string{"menu", "--config", broken, "--as", "x"}, exitcode.Usage, "line 3: unknown key store.qeue"},
		{"missing sqlite file", []string{"menu", "--store", "sqlite:" + filepath.Join(t.TempDir(), "nope", "x.db"), "--mac", "AABBCCDDEEFF", "--as", "x"},
			exitcode.StoreDown, ""},
		{"unreachable SQL Server", []string{"menu", "--store", "sqlserver://sa:S3cretPW@127.0.0.1:1?database=eXpress&dial+timeout=2",
			"--store-timeout", "5s", "--mac", "AABBCCDDEEFF", "--as", "x"}, exitcode.StoreDown, "127.0.0.1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, code := execute(t, nil, "", tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tc.code, stderr)
			}
			if !strings.Contains(stderr, tc.say) {
				t.Errorf("stderr lacks %q:\n%s", tc.say, stderr)
			}
			if strings.Contains(stderr, "S3cretPW") || strings.Contains(stdout, "S3cretPW") {
				t.Errorf("password printed: %s", stderr)
			}
			if tc.code != 0 && stdout != "" {
				t.Errorf("failure printed data on stdout: %s", stdout)
			}
		})
	}
}

// The exit codes are one help topic; each command's help points at it and
// says only where it differs (doctor's 1). Issue 23.
func TestExitCodesInHelp(t *testing.T) {
	stdout, _, code := execute(t, nil, "", "help", "exit-codes")
	if code != 0 || !strings.Contains(stdout, "Exit codes:") || !strings.Contains(stdout, "130") {
		t.Errorf("help exit-codes (exit %d):\n%s", code, stdout)
	}
	for _, cmd := range []string{"menu", "explain", "run", "doctor", "config"} {
		stdout, _, code := execute(t, nil, "", cmd, "--help")
		if code != 0 || !strings.Contains(stdout, "Exit codes: see 'imageinvoker help exit-codes'.") || strings.Contains(stdout, "130") {
			t.Errorf("%s --help does not point at help exit-codes, or repeats the table (exit %d):\n%s", cmd, code, stdout)
		}
	}
	stdout, _, _ = execute(t, nil, "", "doctor", "--help")
	if !strings.Contains(stdout, "1 when any\ncheck failed") {
		t.Errorf("doctor --help does not say its own 1:\n%s", stdout)
	}
	if stdout, _, _ = execute(t, nil, "", "completion", "--help"); strings.Contains(stdout, "Exit codes") {
		t.Errorf("completion --help talks of exit codes:\n%s", stdout)
	}
}

// Unknown commands, subcommands, help topics and arguments are usage
// errors (exit 2); --version works; duration flags are typed. Issue 23.
func TestCLIConventions(t *testing.T) {
	for _, args := range [][]string{{"bogus"}, {"config", "bogus"}, {"config", "chek"}, {"version", "extra"},
		{"completion", "bash", "x"}, {"help", "bogus"}, {"menu", "--nope"}} {
		_, stderr, code := execute(t, nil, "", args...)
		if code != exitcode.Usage {
			t.Errorf("%q: exit %d, want 2; stderr %s", args, code, stderr)
		}
		if !strings.Contains(stderr, "--help' for usage") {
			t.Errorf("%q: stderr does not point at --help: %s", args, stderr)
		}
	}
	if _, stderr, _ := execute(t, nil, "", "config", "chek"); !strings.Contains(stderr, "did you mean check?") {
		t.Errorf("no suggestion: %s", stderr)
	}
	stdout, _, code := execute(t, nil, "", "config")
	if code != 0 || !strings.Contains(stdout, "Available Commands:") {
		t.Errorf("config alone: exit %d\n%s", code, stdout)
	}
	stdout, _, code = execute(t, nil, "", "--version")
	if code != 0 || !strings.HasPrefix(stdout, "imageinvoker version ") {
		t.Errorf("--version: exit %d, %q", code, stdout)
	}
	stdout, _, _ = execute(t, nil, "", "--help")
	for _, want := range []string{"--idle-timeout duration", "--store-timeout duration",
		"come only from the config file", "--store, --site", "--menu-root, --menu-tag"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("root --help lacks %q", want)
		}
	}
}

func TestVersionNeedsNothing(t *testing.T) {
	stdout, _, code := execute(t, map[string]string{"IMAGEINVOKER_CONFIG": "/nonexistent.yaml"}, "", "version", "--json")
	var v map[string]string
	if code != 0 || json.Unmarshal([]byte(stdout), &v) != nil || v["version"] == "" {
		t.Fatalf("version: exit %d, %s", code, stdout)
	}
}

// countSchedules counts event_schedule rows in a sqlite: store.
func countSchedules(t *testing.T, storeURL string) int {
	t.Helper()
	db, err := sql.Open("sqlite", express.SQLiteDSN(strings.TrimPrefix(storeURL, "sqlite:")))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM event_schedule").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestMenuTextFlat(t *testing.T) {
	stdout, stderr, code := execute(t, map[string]string{"IMAGEINVOKER_FLAT": "true"}, "", "menu", "--store", labStore(t),
		"--mac", "AABBCCDDEEFF", "--as", `LAB\alice`, "--as-groups", `LAB\Techs`)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "BIOS update  (Utilities)  [2000140]") || strings.Contains(stdout, "Utilities/") {
		t.Errorf("IMAGEINVOKER_FLAT=true should print a flat list with path hints:\n%s", stdout)
	}
}

// Where the database shows no table of DS-native groups' members, those
// groups match nobody (fail closed) and explain says so.
func TestExplainWithoutMembershipTable(t *testing.T) {
	store := labStore(t)
	db, err := sql.Open("sqlite", express.SQLiteDSN(strings.TrimPrefix(store, "sqlite:")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("DROP TABLE securitygroupmember"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	stdout, stderr, code := execute(t, nil, "", "explain", "--store", store, "--mac", "AABBCCDDEEFF", "--as", `.\kiosk`, "--job", "2000140")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"NOT ALLOWED", "1 DS console group(s) without an AD domain were not matched"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("explain lacks %q:\n%s", want, stdout)
		}
	}
}

// doctor access (and its hidden alias doctor --access) needs DS's own
// procedures: on a SQLite store it says so and exits 2; without a console
// user it exits 1 (checked in internal/doctor).
func TestDoctorAccessNeedsSQLServer(t *testing.T) {
	store := labStore(t)
	for _, who := range [][]string{{"access", "--as", `LAB\alice`}, {"--access", `LAB\alice`}} {
		_, stderr, code := execute(t, nil, "", append([]string{"doctor", "--store", store, "--mac", "AABBCCDDEEFF"}, who...)...)
		if code != exitcode.Usage || !strings.Contains(stderr, "exists only in a SQL Server eXpress database") {
			t.Errorf("doctor %s: exit %d: %s", who[0], code, stderr)
		}
	}
}

// A database in the old layout (user names in securityuser.name, power_type)
// is refused before any menu: exit 8, naming the table and the column.
func TestOldLayoutRefused(t *testing.T) {
	store := labStore(t)
	db, err := sql.Open("sqlite", express.SQLiteDSN(strings.TrimPrefix(store, "sqlite:")))
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{"ALTER TABLE securityuser RENAME COLUMN username TO name", "ALTER TABLE reboot_task RENAME COLUMN reboot_method TO power_type"} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	_, stderr, code := execute(t, nil, "", "menu", "--store", store, "--mac", "AABBCCDDEEFF", "--as", `LAB\alice`)
	if code != exitcode.StoreDown {
		t.Fatalf("exit %d, want %d: %s", code, exitcode.StoreDown, stderr)
	}
	for _, want := range []string{"table reboot_task has no column reboot_method", "table securityuser has no column username", "imageinvoker doctor"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q: %s", want, stderr)
		}
	}
	if n := countSchedules(t, store); n != 0 {
		t.Errorf("%d schedules written", n)
	}
}
