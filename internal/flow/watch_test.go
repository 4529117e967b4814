package flow

import (
	"context"
	"testing"
	"time"

	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// TestCheckPickup looks once at a schedule queued in the lab store, after
// DS did nothing, moved its status on, or removed its row; and Watch, which
// loops over CheckPickup, ends with the same schedule at its first look
// once DS took the job.
func TestCheckPickup(t *testing.T) {
	cases := []struct {
		name   string
		ds     string // what DS does to the schedule row (? is its id); "" nothing
		want   PickupState
		status string // the status read back; "-" no schedule
	}{
		{"pending", "", PickupPending, ""},
		{"status moved on", `UPDATE event_schedule SET status = 'Running', status_code = 0 WHERE schedule_id = ?`, PickupTaken, "Running"},
		{"status code alone", `UPDATE event_schedule SET status_code = 3 WHERE schedule_id = ?`, PickupTaken, ""},
		{"row deleted", `DELETE FROM event_schedule WHERE schedule_id = ?`, PickupGone, "-"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, _, path := labFlow(t)
			ctx := context.Background()
			sess, res := bobQueuesBIOS(t, ctx, f)
			if tc.ds != "" {
				execLab(t, path, tc.ds, res.Schedule.ID)
			}
			st, cur, err := f.CheckPickup(ctx, sess, res.Schedule)
			if err != nil || st != tc.want {
				t.Fatalf("CheckPickup = %v, %+v, %v; want %v", st, cur, err, tc.want)
			}
			switch {
			case tc.status == "-" && cur != nil:
				t.Errorf("gone, yet a schedule: %+v", cur)
			case tc.status != "-" && (cur == nil || cur.ID != res.Schedule.ID || cur.Status != tc.status):
				t.Errorf("schedule read back %+v, want id %d status %q", cur, res.Schedule.ID, tc.status)
			}
			if st == PickupPending {
				return
			}
			var seen []*model.Schedule
			got, err := f.Watch(ctx, sess, res.Schedule, time.Millisecond, func(s *model.Schedule) { seen = append(seen, s) })
			if err != nil || (got == nil) != (cur == nil) || len(seen) != 1 {
				t.Errorf("Watch = %+v, %v after %d looks; want %+v at the first", got, err, len(seen), cur)
			}
		})
	}
}

// A look that fails leaves the schedule pending, with the store's error.
func TestCheckPickupStoreFails(t *testing.T) {
	f, _, _ := labFlow(t)
	ctx := context.Background()
	sess, res := bobQueuesBIOS(t, ctx, f)
	_ = sess.Close()
	if st, cur, err := f.CheckPickup(ctx, sess, res.Schedule); err == nil || st != PickupPending || cur != nil {
		t.Errorf("CheckPickup on a closed store = %v, %+v, %v; want pending and an error", st, cur, err)
	}
}

// Both front ends say each state in the same words, and no two alike.
func TestPickupSentences(t *testing.T) {
	seen := map[string]PickupState{}
	for _, p := range []PickupState{PickupPending, PickupTaken, PickupGone} {
		s := p.Sentence()
		if prev, dup := seen[s]; dup || s == "" {
			t.Errorf("%v says %q, as %v does", p, s, prev)
		}
		seen[s] = p
	}
}

// bobQueuesBIOS signs bob in and queues the lab's BIOS update, which every
// pick-up test starts from.
func bobQueuesBIOS(t *testing.T, ctx context.Context, f *Flow) (*Session, model.QueueResult) {
	t.Helper()
	sess, mm := bobsMenu(t, ctx, f)
	e, err := f.Choose(mm, "utilities/bios update")
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.Queue(ctx, sess, mm, e)
	if err != nil {
		t.Fatal(err)
	}
	return sess, res
}
