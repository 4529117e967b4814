package flow

import (
	"context"
	"fmt"
	"strings"

	"github.com/imageinvoker/imageinvoker/pkg/menu"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// Queue queues the chosen job for this machine, as this user.
func (f *Flow) Queue(ctx context.Context, s *Session, mm *Menu, e menu.Entry) (model.QueueResult, error) {
	if s.Scheduler == nil {
		return model.QueueResult{}, f.storeError(fmt.Errorf("%w: no scheduler is set up here", model.ErrQueueUnsupported), nil)
	}
	ctx, cancel := context.WithTimeout(ctx, f.d.Config.Store.Timeout)
	defer cancel()
	res, err := s.Scheduler.Queue(ctx, model.QueueRequest{
		Computer: mm.Computer, Job: e.Job, UserName: recordedUser(s.Identity), UserFullName: s.Identity.FullName,
		ConsoleUserID: consoleUserID(mm.Snapshot), Menu: mm.Snapshot, Identity: &s.Identity,
	})
	if err != nil {
		f.log.Warn("queue failed", "job", e.ID, "error", err.Error())
		return res, f.storeError(err, nil)
	}
	f.log.Info("queued", "schedule", res.Schedule.ID, "job", e.ID, "computer", mm.Computer.ID, "already", res.AlreadyQueued)
	return res, nil
}

// recordedUser is who the schedule says queued it: DOMAIN\user for AD, the
// bare name for a DS console account (DS's own console records it so).
func recordedUser(id model.Identity) string {
	if id.DSAccount {
		return strings.TrimPrefix(id.User, model.DSAccountPrefix)
	}
	return id.User
}

// consoleUserID is the console user DS knows the technician as (the lowest
// id when several rows match), or -1: what DS passes to wc_ins_schedule.
func consoleUserID(snap *model.Snapshot) int64 {
	id := int64(-1)
	if snap == nil {
		return id
	}
	for _, p := range snap.Principals {
		if p.Kind == model.ConsoleUser && (id < 0 || p.ID < id) {
			id = p.ID
		}
	}
	return id
}

// Pending lists the schedules pending for the menu's computer, so Confirm
// can warn that another job is already queued.
func (f *Flow) Pending(ctx context.Context, s *Session, mm *Menu) ([]model.Schedule, error) {
	ctx, cancel := context.WithTimeout(ctx, f.d.Config.Store.Timeout)
	defer cancel()
	out, err := s.Reader.PendingSchedules(ctx, mm.Computer.ID)
	if err != nil {
		return nil, f.storeError(err, nil)
	}
	return out, nil
}
