package doctor_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/doctor"
	"github.com/imageinvoker/imageinvoker/pkg/access"
	"github.com/imageinvoker/imageinvoker/pkg/express"
	"github.com/imageinvoker/imageinvoker/pkg/express/expresstest"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// scriptedDS answers like DS from our own engine's decisions, except where
// flip names a question to answer the other way and silent one to leave
// unanswered: a DS whose disagreements we know in advance.
type scriptedDS struct {
	ev     *access.Evaluator
	flip   express.Question
	silent express.Question
	asked  []express.Question
	user   int64
}

func (d *scriptedDS) AskDS(_ context.Context, user int64, qs []express.Question, progress func(int, int)) ([]*bool, int, error) {
	d.user, d.asked = user, qs
	out := make([]*bool, len(qs))
	for i, q := range qs {
		if q == d.silent {
			continue
		}
		v := d.ev.Permission(q.Permission, q.ObjectID).Allow
		if q == d.flip {
			v = !v
		}
		out[i] = &v
	}
	if progress != nil {
		progress(len(qs), len(qs))
	}
	return out, 1, nil
}

func labSnapshot(t *testing.T, id model.Identity) *model.Snapshot {
	t.Helper()
	s := expresstest.New(t, expresstest.Fixture(t, "basic.sql"))
	ctx := context.Background()
	c, err := s.FindComputer(ctx, model.ComputerKey{By: model.MatchComputerID, ID: 5000001})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := s.Snapshot(ctx, c, id, express.SnapshotOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

var tech1 = model.Identity{User: `LAB\tech1`, Groups: []string{`LAB\Imaging Techs`}, Domains: []model.Domain{{NetBIOS: "LAB", DNS: "lab.example"}}}

func TestCheckAccessAgreement(t *testing.T) {
	snap := labSnapshot(t, tech1)
	ds := &scriptedDS{ev: access.New(snap),
		flip:   express.Question{Permission: model.PermScheduleJob, ObjectID: 2000002},
		silent: express.Question{Permission: model.PermReboot, ObjectID: 5000001}}
	var progress bytes.Buffer
	r, err := doctor.CheckAccess(context.Background(), ds, snap, tech1.User, doctor.AccessOptions{Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	if ds.user != 14000001 || r.ConsoleUserID != 14000001 {
		t.Errorf("asked for console user %d, want LAB\\tech1's 14000001", ds.user)
	}
	// 6 candidate jobs: one 66 question each, plus each task permission on
	// the computer once: 39, 40, the four power permissions, 48 and 64.
	if r.CheckedJobs != 6 || r.Questions != len(ds.asked) || r.Questions != 6+8 {
		t.Errorf("checked %d jobs, %d questions (%v)", r.CheckedJobs, r.Questions, ds.asked)
	}
	if r.OK() || len(r.Disagreements) != 1 || r.Unanswered != 1 || r.Agree != r.Questions-2 {
		t.Fatalf("report = %+v", r)
	}
	d := r.Disagreements[0]
	if d.JobID != 2000002 || d.Permission != 66 || d.DS == d.Ours || !strings.Contains(d.Explanation, "Denied") {
		t.Errorf("disagreement = %+v", d)
	}
	var text bytes.Buffer
	if err := doctor.WriteAccessText(&text, r); err != nil {
		t.Fatal(err)
	}
	flat := strings.Join(strings.Fields(text.String()), " ")
	for _, want := range []string{"disagree: 1", "DS gave no answer: 1", `job "Deploy Win11" (2000002)`, "DS says allowed, ImageInvoker says denied"} {
		if !strings.Contains(flat, want) {
			t.Errorf("report lacks %q:\n%s", want, text.String())
		}
	}
	if !strings.Contains(progress.String(), "DS answered 14 of 14") {
		t.Errorf("progress = %q", progress.String())
	}

	// A sample spreads over the candidates; full agreement is OK.
	ds.flip, ds.silent = express.Question{}, express.Question{}
	r, err = doctor.CheckAccess(context.Background(), ds, snap, tech1.User, doctor.AccessOptions{Sample: 2})
	if err != nil || !r.OK() || r.CheckedJobs != 2 || r.Agree != r.Questions {
		t.Errorf("sample: %+v, %v", r, err)
	}
}

// Someone known to DS only through console groups cannot be checked: DS's
// procedure answers for one console user.
func TestCheckAccessNeedsConsoleUser(t *testing.T) {
	id := model.Identity{User: `LAB\stranger`, Groups: []string{`LAB\Imaging Techs`}}
	snap := labSnapshot(t, id)
	_, err := doctor.CheckAccess(context.Background(), &scriptedDS{ev: access.New(snap)}, snap, id.User, doctor.AccessOptions{})
	var none *doctor.ErrNoConsoleUser
	if !errors.As(err, &none) || !strings.Contains(err.Error(), `LAB\stranger has no console user in DS`) {
		t.Errorf("err = %v", err)
	}
}
