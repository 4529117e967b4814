package app

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/directory/adtest"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
)

// dbChecksum is the sha256 of every row of every table of a sqlite: store,
// in a fixed order: a write anywhere changes it.
func dbChecksum(t *testing.T, storeURL string) string {
	t.Helper()
	db := openSQLite(t, storeURL)
	defer db.Close()
	rows, err := db.Query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	h := sha256.New()
	for _, tbl := range tables {
		r, err := db.Query(`SELECT * FROM "` + tbl + `" ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := r.Columns()
		for r.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := r.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(h, "%s%v\n", tbl, vals)
		}
		r.Close()
	}
	return hex.EncodeToString(h.Sum(nil))
}

// fileChecksum is the sha256 of the store's file.
func fileChecksum(t *testing.T, storeURL string) string {
	t.Helper()
	data, err := os.ReadFile(strings.TrimPrefix(storeURL, "sqlite:"))
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// `imageinvoker rehearse` signs in for real (Samba AD DC), builds the real
// menu for a machine named by --mac on a config WITHOUT allow_overrides,
// shows Confirm, and writes nothing: the schedule count, every row of the
// store and the store's file are unchanged (issue 23).
func TestRehearseWritesNothing(t *testing.T) {
	dc := adtest.Start(t)
	alice := dc.Users["alice"]
	store := labStore(t)
	cfgFile := writeConfig(t, labConfig(store, dc))
	rows, file := dbChecksum(t, store), fileChecksum(t, store)

	stdout, stderr, code := execute(t, nil, alice.Password+"\n", "rehearse", "--config", cfgFile, "--mac", "AA:BB:CC:DD:EE:FF",
		"--user", `LAB\alice`, "--password-stdin")
	if code != 0 {
		t.Fatalf("rehearse: exit %d: %s", code, stderr)
	}
	for _, want := range []string{`Signed in as LAB\alice.`, "Machine: PC-042 (computer 5000001)", "Utilities/BIOS update  [2000140]"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("the menu lacks %q:\n%s", want, stdout)
		}
	}
	stdout, stderr, code = execute(t, nil, alice.Password+"\n", "rehearse", "--config", cfgFile, "--computer-id", "5000001",
		"--user", `LAB\alice`, "--password-stdin", "--job", "Utilities/BIOS update")
	if code != 0 || !strings.Contains(stdout, "Confirm:\n  Job:     Utilities/BIOS update  [2000140]") ||
		!strings.Contains(stderr, "stopped at Confirm; nothing was queued") {
		t.Fatalf("rehearse --job: exit %d:\n%s\n%s", code, stdout, stderr)
	}
	// Refusals are the run's: a job not on the menu, a wrong password.
	if _, stderr, code = execute(t, nil, alice.Password+"\n", "rehearse", "--config", cfgFile, "--computer-id", "5000001",
		"--user", `LAB\alice`, "--password-stdin", "--job", "2000133"); code != exitcode.NotPermitted {
		t.Errorf("a job not on the menu: exit %d: %s", code, stderr)
	}
	if _, _, code = execute(t, nil, "wrong\n", "rehearse", "--config", cfgFile, "--computer-id", "5000001",
		"--user", `LAB\alice`, "--password-stdin"); code != exitcode.BadCredentials {
		t.Errorf("a wrong password: exit %d", code)
	}
	// The console's policy still holds for the settings: a rehearsal tests
	// the media's own config.
	if _, stderr, code = execute(t, nil, alice.Password+"\n", "rehearse", "--config", cfgFile, "--computer-id", "5000001",
		"--user", `LAB\alice`, "--password-stdin", "--menu-root", "Other"); code != exitcode.Usage || !strings.Contains(stderr, "--menu-root sets menu.root") {
		t.Errorf("--menu-root on a rehearsal: exit %d: %s", code, stderr)
	}
	if n := countSchedules(t, store); n != 0 {
		t.Errorf("%d schedules written by rehearsals", n)
	}
	if got := dbChecksum(t, store); got != rows {
		t.Errorf("the store's rows changed: %s, was %s", got, rows)
	}
	if got := fileChecksum(t, store); got != file {
		t.Errorf("the store's file changed: %s, was %s", got, file)
	}
	// The check can fail: the same store after a real run is not the same.
	if _, stderr, code := execute(t, nil, alice.Password+"\n", "run", "--config", writeConfig(t, labConfig(store, dc)+"policy:\n  allow_overrides: true\n"),
		"--computer-id", "5000001", "--user", `LAB\alice`, "--password-stdin", "--job", "2000140", "--yes"); code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	if dbChecksum(t, store) == rows {
		t.Error("the checksum did not see a real run's schedule")
	}
}

// Each run logs a start line (version, config and its sha256, site) and an
// end line with the exit code and the error that ended it; log.copy_to
// keeps a copy in a folder (issue 23).
func TestRunLogsStartEndAndCopies(t *testing.T) {
	dir := t.TempDir()
	logFile, copies := dir+"/run.log", t.TempDir()
	cfgFile := writeConfig(t, "label: Lab media\nlog:\n  file: "+logFile+"\n  copy_to: "+copies+"\n")
	_, stderr, code := execute(t, nil, "carol-demo\n", "run", "--config", cfgFile, "--demo", "--user", `LAB\carol`, "--password-stdin",
		"--job", "Windows 11/Student Labs/Win11 Physics Lab", "--yes")
	if code != exitcode.NotPermitted {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	data, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	log := string(data)
	for _, want := range []string{"msg=start command=run version=", "config=" + cfgFile, "config_sha256=" + fileSum(t, cfgFile),
		`label="Lab media"`, "level=ERROR msg=end exit=5 error="} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %q:\n%s", want, log)
		}
	}
	entries, err := os.ReadDir(copies)
	if err != nil || len(entries) != 1 || !strings.HasPrefix(entries[0].Name(), "imageinvoker-") {
		t.Fatalf("copies: %v %v", entries, err)
	}
	if copied, _ := os.ReadFile(copies + "/" + entries[0].Name()); string(copied) != log {
		t.Errorf("the copy is not the log:\n%s", copied)
	}
}

func fileSum(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// With no folder named as menu.root, menu and explain say so instead of
// blaming the user's groups (issue 23).
func TestNoRootFolderSaid(t *testing.T) {
	store := labStore(t)
	stdout, stderr, code := execute(t, nil, "", "menu", "--store", store, "--mac", "AABBCCDDEEFF", "--as", `LAB\alice`,
		"--as-groups", `LAB\Techs`, "--menu-root", "Nope")
	if code != 0 || !strings.Contains(stdout, `DS has no job folder named "Nope" (menu.root)`) || strings.Contains(stdout, "these groups may schedule nothing") {
		t.Errorf("menu: exit %d\n%s%s", code, stdout, stderr)
	}
	stdout, stderr, code = execute(t, nil, "", "explain", "--store", store, "--mac", "AABBCCDDEEFF", "--as", `LAB\alice`,
		"--as-groups", `LAB\Techs`, "--menu-root", "Nope", "--job", "2000134")
	if code != 0 || !strings.Contains(stdout, `DS has no job folder named "Nope" (menu.root)`) {
		t.Errorf("explain: exit %d\n%s%s", code, stdout, stderr)
	}
}
