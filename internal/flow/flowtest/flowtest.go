// Package flowtest is the one conformance suite of the flow's seams: every
// Reader, Scheduler and IdentitySource runs it, so a new implementation is
// held to the contract the flow relies on — which sentinel each refusal
// wraps, that a refused queue writes nothing, that a queued schedule reads
// back. The suite only calls the interfaces; a Fixture names what the
// implementation's data holds.
package flowtest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/flow"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// Fixture names what the data behind an implementation holds.
type Fixture struct {
	// Known matches exactly one computer, whose id is KnownID.
	Known   model.ComputerKey
	KnownID int64
	// Unknown matches no computer.
	Unknown model.ComputerKey
	// Ambiguous matches several computers; nil skips the case.
	Ambiguous *model.ComputerKey
	// Identity is who menus are loaded for, with Options.
	Identity model.Identity
	Options  model.SnapshotOptions
	// JobID is on Identity's menu for the Known computer: a menu candidate
	// Identity may queue there.
	JobID int64
	// DeniedJobID is a menu candidate Identity may not queue on the Known
	// computer; 0 skips the case.
	DeniedJobID int64
	// MissingJobID, MissingScheduleID and MissingComputerID exist nowhere.
	MissingJobID, MissingScheduleID, MissingComputerID int64
}

// menu loads the Known computer's snapshot for the fixture's identity.
func menu(t *testing.T, r flow.Reader, fx Fixture) (model.Computer, *model.Snapshot) {
	t.Helper()
	ctx := context.Background()
	c, err := r.FindComputer(ctx, fx.Known)
	if err != nil {
		t.Fatalf("FindComputer(%+v): %v", fx.Known, err)
	}
	snap, err := r.Snapshot(ctx, c, fx.Identity, fx.Options)
	if err != nil {
		t.Fatalf("Snapshot(%s, %s): %v", c.Name, fx.Identity.User, err)
	}
	return c, snap
}

// RunReader tests a Reader; open returns a fresh one on the fixture's data
// (the suite closes it).
func RunReader(t *testing.T, open func(t *testing.T) flow.Reader, fx Fixture) {
	ctx := context.Background()
	use := func(t *testing.T) flow.Reader {
		r := open(t)
		t.Cleanup(func() {
			if err := r.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		return r
	}
	t.Run("known computer", func(t *testing.T) {
		c, err := use(t).FindComputer(ctx, fx.Known)
		if err != nil || c.ID != fx.KnownID {
			t.Fatalf("FindComputer(%+v) = %+v, %v; want id %d", fx.Known, c, err, fx.KnownID)
		}
	})
	t.Run("unknown computer", func(t *testing.T) {
		_, err := use(t).FindComputer(ctx, fx.Unknown)
		if !errors.Is(err, model.ErrUnknownComputer) {
			t.Fatalf("FindComputer(%+v): err = %v; want model.ErrUnknownComputer", fx.Unknown, err)
		}
	})
	if fx.Ambiguous != nil {
		t.Run("ambiguous computer", func(t *testing.T) {
			_, err := use(t).FindComputer(ctx, *fx.Ambiguous)
			if !errors.Is(err, model.ErrAmbiguousComputer) || errors.Is(err, model.ErrUnknownComputer) {
				t.Fatalf("FindComputer(%+v): err = %v; want model.ErrAmbiguousComputer only", *fx.Ambiguous, err)
			}
		})
	}
	t.Run("snapshot", func(t *testing.T) {
		c, snap := menu(t, use(t), fx)
		if snap.Computer.ID != c.ID {
			t.Errorf("snapshot is of computer %d; want %d", snap.Computer.ID, c.ID)
		}
		j := snap.Jobs[fx.JobID]
		if j == nil {
			t.Fatalf("snapshot lacks job %d; has %d jobs", fx.JobID, len(snap.Jobs))
		}
		if j.ID != fx.JobID || j.Name == "" {
			t.Errorf("snapshot's job %d = %+v", fx.JobID, j)
		}
	})
	t.Run("job", func(t *testing.T) {
		r := use(t)
		_, snap := menu(t, r, fx)
		j, err := r.Job(ctx, fx.JobID)
		if err != nil {
			t.Fatalf("Job(%d): %v", fx.JobID, err)
		}
		if m := snap.Jobs[fx.JobID]; j.ID != m.ID || j.Name != m.Name || j.FolderID != m.FolderID || len(j.Tasks) != len(m.Tasks) {
			t.Errorf("Job(%d) = %+v; the snapshot has %+v", fx.JobID, j, m)
		}
		if _, err := r.Job(ctx, fx.MissingJobID); !errors.Is(err, model.ErrUnknownJob) {
			t.Errorf("Job(%d): err = %v; want model.ErrUnknownJob", fx.MissingJobID, err)
		}
	})
	t.Run("unknown schedule", func(t *testing.T) {
		if _, err := use(t).Schedule(ctx, fx.MissingScheduleID); !errors.Is(err, model.ErrUnknownSchedule) {
			t.Fatalf("Schedule(%d): err = %v; want model.ErrUnknownSchedule", fx.MissingScheduleID, err)
		}
	})
	t.Run("pending of one computer", func(t *testing.T) {
		r := use(t)
		list, err := r.PendingSchedules(ctx, fx.KnownID)
		if err != nil {
			t.Fatalf("PendingSchedules(%d): %v", fx.KnownID, err)
		}
		for _, s := range list {
			if s.ComputerID != fx.KnownID {
				t.Errorf("pending for %d lists schedule %+v", fx.KnownID, s)
			}
		}
		if list, err := r.PendingSchedules(ctx, fx.MissingComputerID); err != nil || len(list) != 0 {
			t.Errorf("PendingSchedules(%d) = %+v, %v; want none", fx.MissingComputerID, list, err)
		}
	})
}

// RunScheduler tests a Scheduler with the Reader it is opened with; open
// returns both on fresh data each time (the suite closes them), since
// queueing writes.
func RunScheduler(t *testing.T, open func(t *testing.T) (flow.Reader, flow.Scheduler), fx Fixture) {
	ctx := context.Background()
	type env struct {
		r    flow.Reader
		s    flow.Scheduler
		req  model.QueueRequest
		snap *model.Snapshot
	}
	setup := func(t *testing.T) env {
		r, s := open(t)
		t.Cleanup(func() {
			(&flow.Session{Reader: r, Scheduler: s}).Close()
		})
		c, snap := menu(t, r, fx)
		req := model.QueueRequest{Computer: c, Job: snap.Jobs[fx.JobID], UserName: "conformance", UserFullName: "Conformance Suite",
			ConsoleUserID: -1, Menu: snap}
		if req.Job == nil {
			t.Fatalf("job %d is not in the snapshot", fx.JobID)
		}
		return env{r: r, s: s, req: req, snap: snap}
	}
	pending := func(t *testing.T, e env) []model.Schedule {
		t.Helper()
		list, err := e.r.PendingSchedules(ctx, fx.KnownID)
		if err != nil {
			t.Fatalf("PendingSchedules: %v", err)
		}
		return list
	}
	// refused queues e.req changed by change and wants err to wrap want and
	// the pending list to stay as it was.
	refused := func(t *testing.T, want error, change func(*model.QueueRequest)) {
		e := setup(t)
		before := pending(t, e)
		req := e.req
		change(&req)
		res, err := e.s.Queue(ctx, req)
		if !errors.Is(err, want) {
			t.Fatalf("Queue: %+v, err = %v; want %v", res, err, want)
		}
		if after := pending(t, e); len(after) != len(before) {
			t.Errorf("a refused queue changed the pending list: %+v -> %+v", before, after)
		}
	}

	t.Run("queue reads back", func(t *testing.T) {
		e := setup(t)
		before := pending(t, e)
		res, err := e.s.Queue(ctx, e.req)
		if err != nil {
			t.Fatalf("Queue: %v", err)
		}
		got := res.Schedule
		if res.AlreadyQueued || got.ID == 0 || got.ComputerID != fx.KnownID || got.JobID != fx.JobID {
			t.Fatalf("Queue = %+v; want a new schedule of job %d on computer %d", res, fx.JobID, fx.KnownID)
		}
		back, err := e.r.Schedule(ctx, got.ID)
		if err != nil {
			t.Fatalf("Schedule(%d): %v", got.ID, err)
		}
		if back.ID != got.ID || back.JobID != got.JobID || back.ComputerID != got.ComputerID || back.Status != got.Status || back.UserName != e.req.UserName {
			t.Errorf("read back %+v; queued %+v as %q", back, got, e.req.UserName)
		}
		after := pending(t, e)
		if len(after) != len(before)+1 || !slices.ContainsFunc(after, func(s model.Schedule) bool { return s.ID == got.ID }) {
			t.Errorf("pending %+v -> %+v; want schedule %d added", before, after, got.ID)
		}
	})
	t.Run("same job twice", func(t *testing.T) {
		e := setup(t)
		first, err := e.s.Queue(ctx, e.req)
		if err != nil {
			t.Fatalf("first Queue: %v", err)
		}
		n := len(pending(t, e))
		again, err := e.s.Queue(ctx, e.req)
		if err != nil {
			t.Fatalf("second Queue: %v", err)
		}
		if !again.AlreadyQueued || again.Schedule.ID != first.Schedule.ID {
			t.Errorf("second Queue = %+v; want AlreadyQueued with schedule %d", again, first.Schedule.ID)
		}
		if len(pending(t, e)) != n {
			t.Errorf("the second Queue wrote a schedule")
		}
	})
	t.Run("job gone", func(t *testing.T) {
		refused(t, model.ErrUnknownJob, func(r *model.QueueRequest) {
			j := *r.Job
			j.ID = fx.MissingJobID
			r.Job = &j
		})
	})
	t.Run("job renamed since the menu", func(t *testing.T) {
		refused(t, model.ErrJobChanged, func(r *model.QueueRequest) {
			j := *r.Job
			j.Name += " (renamed)"
			r.Job = &j
		})
	})
	t.Run("job's tasks changed since the menu", func(t *testing.T) {
		refused(t, model.ErrJobChanged, func(r *model.QueueRequest) {
			j := *r.Job
			j.Tasks = append(slices.Clone(j.Tasks), model.Task{CondSeq: 1, TaskSeq: len(j.Tasks) + 1, Type: 10})
			r.Job = &j
		})
	})
	t.Run("computer gone", func(t *testing.T) {
		refused(t, model.ErrUnknownComputer, func(r *model.QueueRequest) {
			r.Computer.ID = fx.MissingComputerID
		})
	})
	if fx.DeniedJobID != 0 {
		t.Run("not permitted", func(t *testing.T) {
			refused(t, model.ErrNotPermitted, func(r *model.QueueRequest) {
				r.Job = r.Menu.Jobs[fx.DeniedJobID]
				if r.Job == nil {
					t.Fatalf("job %d is not in the snapshot", fx.DeniedJobID)
				}
			})
		})
	}
}

// Account is one account of an identity source.
type Account struct {
	User, Password string
	// WantUser is the Identity.User a sign-in must report (the stored
	// account, in its canonical form, not the typed string).
	WantUser string
}

// RunIdentitySource tests an IdentitySource with its accounts; unknown is
// a user name it does not know, in a form it serves.
func RunIdentitySource(t *testing.T, src flow.IdentitySource, accounts []Account, unknown string) {
	ctx := context.Background()
	for _, a := range accounts {
		t.Run(a.User+"/right password", func(t *testing.T) {
			s, err := src.SignIn(ctx, a.User, a.Password)
			if err != nil {
				t.Fatalf("SignIn(%q): %v", a.User, err)
			}
			if s == nil || s.Identity.User != a.WantUser || s.Authority == "" {
				t.Fatalf("SignIn(%q) = %+v; want user %q and who checked it", a.User, s, a.WantUser)
			}
		})
		t.Run(a.User+"/wrong password", func(t *testing.T) {
			wrong := a.Password + "-wrong"
			s, err := src.SignIn(ctx, a.User, wrong)
			if !errors.Is(err, model.ErrBadCredentials) || s != nil {
				t.Fatalf("SignIn(%q) with a wrong password = %+v, %v; want model.ErrBadCredentials", a.User, s, err)
			}
			if strings.Contains(err.Error(), wrong) {
				t.Errorf("the refusal shows the password: %v", err)
			}
			// A right password after a wrong one: no lockout counter left behind.
			if _, err := src.SignIn(ctx, a.User, a.Password); err != nil {
				t.Errorf("right password after a wrong one: %v", err)
			}
		})
		t.Run(a.User+"/empty password", func(t *testing.T) {
			if s, err := src.SignIn(ctx, a.User, ""); !errors.Is(err, model.ErrEmptyPassword) || s != nil {
				t.Fatalf("SignIn(%q, \"\") = %+v, %v; want model.ErrEmptyPassword", a.User, s, err)
			}
		})
	}
	t.Run("unknown user", func(t *testing.T) {
		s, err := src.SignIn(ctx, unknown, "Some-Password-1")
		if !errors.Is(err, model.ErrBadCredentials) || s != nil {
			t.Fatalf("SignIn(%q) = %+v, %v; want model.ErrBadCredentials (a guesser cannot tell a missing user from a wrong password)", unknown, s, err)
		}
	})
}
