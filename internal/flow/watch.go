package flow

import (
	"context"
	"errors"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// Schedule reads a schedule back; nil (and no error) once DS removed the row.
func (f *Flow) Schedule(ctx context.Context, s *Session, id int64) (*model.Schedule, error) {
	ctx, cancel := context.WithTimeout(ctx, f.d.Config.Store.Timeout)
	defer cancel()
	cur, err := s.Reader.Schedule(ctx, id)
	if errors.Is(err, model.ErrUnknownSchedule) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &cur, nil
}

// Watch polls the schedule until DS picks it up — its status changes from
// what was queued, or the row leaves the schedule table — or ctx ends.
// onUpdate sees every poll's schedule (nil when the row is gone).
func (f *Flow) Watch(ctx context.Context, s *Session, queued model.Schedule, every time.Duration, onUpdate func(*model.Schedule)) (*model.Schedule, error) {
	ctx, cancel := context.WithTimeout(ctx, f.d.Config.Session.WatchTimeout)
	defer cancel()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return nil, exitcode.New(exitcode.Timeout,
					"Deployment Server has not picked up schedule %d yet after %s. It stays queued; check the DS console.", queued.ID, f.d.Config.Session.WatchTimeout)
			}
			return nil, ctx.Err()
		case <-t.C:
		}
		cur, err := s.Reader.Schedule(ctx, queued.ID)
		if errors.Is(err, model.ErrUnknownSchedule) {
			if onUpdate != nil {
				onUpdate(nil)
			}
			return nil, nil
		}
		if err != nil {
			f.log.Warn("watch poll failed", "error", err.Error())
			continue
		}
		if onUpdate != nil {
			onUpdate(&cur)
		}
		if PickedUp(queued, cur) {
			return &cur, nil
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
