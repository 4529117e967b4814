package flow

import (
	"context"
	"errors"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// PickupState is what one look at a queued schedule found.
type PickupState int

const (
	// PickupPending: the row is as it was queued; DS has not taken it yet.
	PickupPending PickupState = iota
	// PickupTaken: its status moved on (PickedUp): DS runs the job.
	PickupTaken
	// PickupGone: DS removed the row: it took the job and finished or
	// dropped it.
	PickupGone
)

func (p PickupState) String() string {
	switch p {
	case PickupTaken:
		return "picked up"
	case PickupGone:
		return "gone"
	}
	return "pending"
}

// Sentence says the state to a person: the one wording `run --wait` and the
// console both show.
func (p PickupState) Sentence() string {
	switch p {
	case PickupTaken:
		return "Deployment Server picked it up."
	case PickupGone:
		return "Deployment Server picked it up and has already removed it from its schedule."
	}
	return "Waiting for Deployment Server to pick it up."
}

// NotPickedUp is the error of a watch that ran out of time: the job stays
// queued. `run --wait` and the console both end with it.
func NotPickedUp(scheduleID int64, after time.Duration) error {
	return exitcode.New(exitcode.Timeout,
		"Deployment Server has not picked up schedule %d yet after %s. It stays queued; check the DS console.", scheduleID, after)
}

// CheckPickup looks once at a queued schedule, without waiting: still
// pending (with the row as read now), picked up (its status moved on, see
// PickedUp) or gone (DS removed the row; no schedule). An error leaves it
// pending: the caller looks again. Watch loops over it for `run --wait`; the
// console schedules it on a tick.
func (f *Flow) CheckPickup(ctx context.Context, s *Session, queued model.Schedule) (PickupState, *model.Schedule, error) {
	ctx, cancel := context.WithTimeout(ctx, f.d.Config.Store.Timeout)
	defer cancel()
	cur, err := s.Reader.Schedule(ctx, queued.ID)
	switch {
	case errors.Is(err, model.ErrUnknownSchedule):
		return PickupGone, nil, nil
	case err != nil:
		return PickupPending, nil, err
	case PickedUp(queued, cur):
		return PickupTaken, &cur, nil
	}
	return PickupPending, &cur, nil
}

// Watch calls CheckPickup every interval until DS picks the schedule up —
// its status changes from what was queued, or the row leaves the schedule
// table — or session.watch_timeout or ctx ends. onUpdate sees every poll's
// schedule (nil when the row is gone). A failed poll is logged and tried
// again at the next tick.
func (f *Flow) Watch(ctx context.Context, s *Session, queued model.Schedule, every time.Duration, onUpdate func(*model.Schedule)) (*model.Schedule, error) {
	timeout := f.d.Config.Session.WatchTimeout
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return nil, NotPickedUp(queued.ID, timeout)
			}
			return nil, ctx.Err()
		case <-t.C:
		}
		st, cur, err := f.CheckPickup(ctx, s, queued)
		if err != nil {
			f.log.Warn("watch poll failed", "error", err.Error())
			continue
		}
		if onUpdate != nil {
			onUpdate(cur)
		}
		if st != PickupPending {
			return cur, nil
		}
	}
}

// PickedUp says whether DS has taken the schedule: its status moved on.
func PickedUp(queued, cur model.Schedule) bool {
	if cur.Status != queued.Status {
		return true
	}
	return (cur.StatusCode == nil) != (queued.StatusCode == nil) ||
		(cur.StatusCode != nil && queued.StatusCode != nil && *cur.StatusCode != *queued.StatusCode)
}
