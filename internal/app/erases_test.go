package app

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
)

// The demo's two utilities: a wipe that only its `[imageinvoker: erases]`
// marker shows erasing (a script and a shutdown), and one that erases nothing.
const (
	wipeJob      = "Utilities/Disk wipe (DoD 3-pass)"
	wipeJobID    = "2000017"
	harmlessJob  = "Utilities/Inventory only"
	harmlessID   = "2000018"
	imageJobPath = "Windows 11/Student Labs/Win11 Physics Lab"
)

// executeTTY runs argv as if stdin were a terminal, the password coming
// from the environment, so run asks [y/N] and stdin answers it.
func executeTTY(t *testing.T, answer string, args ...string) (stderr string, code int) {
	t.Helper()
	f, ts := cmdutil.Test(map[string]string{"IMAGEINVOKER_PASSWORD": "dave-demo"})
	f.IO.InTTY = true
	ts.In.WriteString(answer)
	root := NewRootCmd(f)
	root.SetArgs(args)
	code = exitcode.OK
	if cmd, err := root.ExecuteContextC(context.Background()); err != nil {
		code = report(f, cmd, err, false)
	}
	return ts.Err.String(), code
}

// run's [y/N] prompt says when the job erases the disk — for an image and
// for a job marked so — and only then.
func TestRunPromptWarnsOfErase(t *testing.T) {
	cases := []struct {
		job, name string
		erases    bool
	}{
		{wipeJob, "Disk wipe (DoD 3-pass)", true},
		{imageJobPath, "Win11 Physics Lab", true},
		{harmlessJob, "Inventory only", false},
	}
	for _, tc := range cases {
		stderr, code := executeTTY(t, "n\n", "run", "--demo", "--user", "dave", "--job", tc.job)
		if code != exitcode.Usage || !strings.Contains(stderr, "nothing was queued") {
			t.Fatalf("%s: exit %d, want %d (not confirmed): %s", tc.job, code, exitcode.Usage, stderr)
		}
		want := `Queue "` + tc.name + `" on PC-042? [y/N] `
		if tc.erases {
			want = `Queue "` + tc.name + `" on PC-042? THIS ERASES THE DISK. [y/N] `
		}
		if !strings.Contains(stderr, want) {
			t.Errorf("%s: the prompt is not %q:\n%s", tc.job, want, stderr)
		}
		// With --yes there is no prompt: stderr still says it, before queueing.
		_, stderr, code = execute(t, nil, "dave-demo\n", "run", "--demo", "--user", "dave", "--password-stdin", "--job", tc.job, "--yes")
		at := strings.Index(stderr, `warning: "`+tc.name+`" erases the disk of PC-042.`)
		warned := at >= 0
		if code != 0 || warned != tc.erases || at > strings.Index(stderr, "Queued") {
			t.Errorf("%s --yes: exit %d, warned %v, want %v (before Queued):\n%s", tc.job, code, warned, tc.erases, stderr)
		}
	}
}

// run --json, menu --json and explain --json each say "erases_disk" for
// the job, from the same decision.
func TestJSONCarriesErasesDisk(t *testing.T) {
	type job struct {
		ID         int64 `json:"id"`
		ErasesDisk *bool `json:"erases_disk"`
	}
	want := map[int64]bool{2000017: true, 2000018: false}

	for _, j := range []string{wipeJob, harmlessJob} {
		stdout, stderr, code := execute(t, nil, "dave-demo\n", "run", "--demo", "--user", "dave", "--password-stdin", "--job", j, "--yes", "--json")
		var out struct{ Job job }
		if err := json.Unmarshal([]byte(stdout), &out); code != 0 || err != nil {
			t.Fatalf("run %s: exit %d, %v: %s %s", j, code, err, stdout, stderr)
		}
		if out.Job.ErasesDisk == nil || *out.Job.ErasesDisk != want[out.Job.ID] {
			t.Errorf("run --json %s: erases_disk %v, want %v: %s", j, out.Job.ErasesDisk, want[out.Job.ID], stdout)
		}
	}

	stdout, stderr, code := execute(t, nil, "", "menu", "--demo", "--as", `LAB\dave`, "--as-groups", `LAB\DS Admins`, "--json")
	var m struct{ Jobs []job }
	if err := json.Unmarshal([]byte(stdout), &m); code != 0 || err != nil || len(m.Jobs) == 0 {
		t.Fatalf("menu: exit %d, %v: %s %s", code, err, stdout, stderr)
	}
	seen := 0
	for _, j := range m.Jobs {
		if j.ErasesDisk == nil {
			t.Errorf("menu --json: job %d has no erases_disk", j.ID)
			continue
		}
		if w, ok := want[j.ID]; ok {
			seen++
			if *j.ErasesDisk != w {
				t.Errorf("menu --json: job %d erases_disk %v, want %v", j.ID, *j.ErasesDisk, w)
			}
		}
	}
	if seen != len(want) {
		t.Errorf("menu --json shows %d of the %d jobs checked: %s", seen, len(want), stdout)
	}

	for _, id := range []string{wipeJobID, harmlessID} {
		stdout, stderr, code := execute(t, nil, "", "explain", "--demo", "--as", `LAB\dave`, "--as-groups", `LAB\DS Admins`, "--job", id, "--json")
		var out struct{ Job job }
		if err := json.Unmarshal([]byte(stdout), &out); code != 0 || err != nil {
			t.Fatalf("explain %s: exit %d, %v: %s %s", id, code, err, stdout, stderr)
		}
		if out.Job.ErasesDisk == nil || *out.Job.ErasesDisk != want[out.Job.ID] {
			t.Errorf("explain --json %s: erases_disk %v, want %v: %s", id, out.Job.ErasesDisk, want[out.Job.ID], stdout)
		}
	}
	// explain's text says it too, with why.
	stdout, _, _ = execute(t, nil, "", "explain", "--demo", "--as", `LAB\dave`, "--as-groups", `LAB\DS Admins`, "--job", wipeJobID)
	if !strings.Contains(stdout, "This job ERASES THE DISK: your DS administrator marked it as erasing") {
		t.Errorf("explain's text does not say the wipe erases the disk:\n%s", stdout)
	}
}

// run, menu and explain name a job, and run and menu the computer, with
// the same keys (cmdutil.JobJSON, cmdutil.ComputerJSON).
func TestJSONOneVocabulary(t *testing.T) {
	keys := func(t *testing.T, raw json.RawMessage) string {
		t.Helper()
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%v: %s", err, raw)
		}
		return strings.Join(slices.Sorted(maps.Keys(m)), ",")
	}
	var runOut, explainOut struct{ Job, Computer json.RawMessage }
	var menuOut struct {
		Computer json.RawMessage
		Jobs     []json.RawMessage
	}
	stdout, stderr, code := execute(t, nil, "dave-demo\n", "run", "--demo", "--user", "dave", "--password-stdin", "--job", harmlessJob, "--yes", "--json")
	if err := json.Unmarshal([]byte(stdout), &runOut); code != 0 || err != nil {
		t.Fatalf("run: exit %d, %v: %s %s", code, err, stdout, stderr)
	}
	stdout, stderr, code = execute(t, nil, "", "menu", "--demo", "--as", `LAB\dave`, "--as-groups", `LAB\DS Admins`, "--json")
	if err := json.Unmarshal([]byte(stdout), &menuOut); code != 0 || err != nil || len(menuOut.Jobs) == 0 {
		t.Fatalf("menu: exit %d, %v: %s %s", code, err, stdout, stderr)
	}
	stdout, stderr, code = execute(t, nil, "", "explain", "--demo", "--as", `LAB\dave`, "--as-groups", `LAB\DS Admins`, "--job", harmlessID, "--json")
	if err := json.Unmarshal([]byte(stdout), &explainOut); code != 0 || err != nil {
		t.Fatalf("explain: exit %d, %v: %s %s", code, err, stdout, stderr)
	}
	job := "erases_disk,id,name,path"
	for name, raw := range map[string]json.RawMessage{"run": runOut.Job, "menu": menuOut.Jobs[0], "explain": explainOut.Job} {
		if got := keys(t, raw); got != job {
			t.Errorf("%s --json: job keys %s, want %s", name, got, job)
		}
	}
	for name, raw := range map[string]json.RawMessage{"run": runOut.Computer, "menu": menuOut.Computer} {
		if got := keys(t, raw); got != "id,name" {
			t.Errorf("%s --json: computer keys %s, want id,name", name, got)
		}
	}
}
