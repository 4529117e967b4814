package express_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/pkg/access"
	"github.com/imageinvoker/imageinvoker/pkg/express"
	"github.com/imageinvoker/imageinvoker/pkg/express/expresstest"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

var alice = model.Identity{User: `LAB\alice`, Groups: []string{`LAB\Techs`}, Domains: []model.Domain{{NetBIOS: "LAB", DNS: "lab.example"}}}

const (
	jobBIOS       = 2000140 // allowed to LAB\Techs
	jobDiskWipe   = 2000141 // refused on its own; starts Server inventory (lab.sql)
	jobServerInv  = 2000151 // outside the menu root, allowed to nobody
	computerPC042 = 5000001
)

func labComputer(t *testing.T, s *express.Store) model.Computer {
	t.Helper()
	c, err := s.FindComputer(context.Background(), model.ComputerKey{By: model.MatchComputerID, ID: computerPC042})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The snapshot carries every candidate's return handlers, transitively and
// through a cycle, with the handler jobs outside the menu root loaded to be
// checked (never shown); a handler to a forbidden job refuses its job, and
// explain names it.
func TestSnapshotReturnHandlers(t *testing.T) {
	ctx := context.Background()
	path := expresstest.LabFile(t, "INSERT INTO task_return_handlers VALUES (2000140, 1, 1, 3, 2000151)")
	s := expresstest.Open(t, path, express.OpenOptions{})
	snap, err := s.Snapshot(ctx, labComputer(t, s), alice, express.SnapshotOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := snap.Jobs[jobDiskWipe].Handlers; !slices.Equal(got, []int64{jobServerInv}) {
		t.Errorf("Disk wipe handlers = %v", got)
	}
	inv := snap.HandlerJobs[jobServerInv]
	if inv == nil || !slices.Equal(inv.Handlers, []int64{jobDiskWipe}) || len(inv.Tasks) != 1 {
		t.Fatalf("Server inventory as a handler job = %+v (the cycle back to Disk wipe)", inv)
	}
	if _, shown := snap.Jobs[jobServerInv]; shown {
		t.Error("a handler job outside the root became a candidate")
	}
	ev := access.New(snap)
	if ev.Allowed(jobBIOS) {
		t.Error("BIOS update is offered though it starts Server inventory, which LAB\\alice may not schedule")
	}
	d := ev.Decide(jobBIOS)
	r, _ := d.Denial()
	if r.Rule != "return-handler" || !strings.Contains(r.String(), `job "Server inventory" (id 2000151)`) {
		t.Errorf("explain: %s", r.String())
	}
	if ev.Allowed(jobDiskWipe) {
		t.Error("Disk wipe offered")
	}
}

// The queue transaction decides again with the handlers as they are then:
// a handler to a forbidden job added after the menu refuses the queue, and
// nothing is written.
func TestQueueDecidesAgainWithHandlers(t *testing.T) {
	ctx := context.Background()
	path := expresstest.LabFile(t)
	s := expresstest.Open(t, path, express.OpenOptions{})
	c := labComputer(t, s)
	snap, err := s.Snapshot(ctx, c, alice, express.SnapshotOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !access.New(snap).Allowed(jobBIOS) {
		t.Fatal("BIOS update not on LAB\\alice's menu")
	}
	expresstest.Exec(t, path, "INSERT INTO task_return_handlers VALUES (2000140, 1, 1, 3, 2000151)")
	before := expresstest.Scalar[int64](t, s.DB(), "SELECT COUNT(*) FROM event_schedule")
	_, err = s.Queue(ctx, express.QueueRequest{Computer: c, Job: snap.Jobs[jobBIOS], UserName: `LAB\alice`, Menu: snap})
	if !errors.Is(err, model.ErrNotPermitted) || !strings.Contains(err.Error(), "Server inventory") {
		t.Fatalf("queue = %v, want ErrNotPermitted naming the handler job", err)
	}
	if after := expresstest.Scalar[int64](t, s.DB(), "SELECT COUNT(*) FROM event_schedule"); after != before {
		t.Errorf("%d schedule rows written on a refusal", after-before)
	}
}
