package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/flow"
	"github.com/imageinvoker/imageinvoker/internal/setup"
	"github.com/imageinvoker/imageinvoker/pkg/express/expresstest"
	"github.com/imageinvoker/imageinvoker/pkg/menu"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// The Queued screen over the real flow and the demo's SQLite store asks
// the flow's CheckPickup on its tick: it waits while the row is as queued,
// and moves on to "picked up" when DS moves the status on, or to "gone"
// when DS removes the row, in the flow's words (the ones `run --wait` prints).
func TestQueuedScreenFollowsCheckPickup(t *testing.T) {
	cases := []struct {
		name   string
		ds     string // what DS does to the row; %d is its id
		want   flow.PickupState
		status string
	}{
		{"picked up", "UPDATE event_schedule SET status = 'Running', status_code = 0 WHERE schedule_id = %d", flow.PickupTaken,
			"Status: Running (code 0)"},
		{"gone", "DELETE FROM event_schedule WHERE schedule_id = %d", flow.PickupGone,
			"Status: taken by Deployment Server (no longer scheduled)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := testOptions(ASCII)
			o.AfterQueue = config.AfterStay
			env, cfg := demoEnv(t, nil)
			b := &countedPickup{Backend: NewFlowBackend(env.Flow, setup.DemoOverride(), nil)}
			var waited atomic.Bool // a frame of the Queued screen said it waits
			h := newObservedHarness(t, b, o, 120, 40, func(m *Model) {
				if m.state == stateQueued && strings.Contains(joined(m.View()), flow.PickupPending.Sentence()) {
					waited.Store(true)
				}
			})
			h.queueJob("dave", "dave-demo", "win11")
			var id int64
			h.waitUntil("the queued schedule", func(s snapshot) bool { id = s.schedule; return id != 0 })
			// A look that found it pending, and the next one asked.
			h.waitUntil("two looks", func(snapshot) bool { return b.looks.Load() >= 2 })
			if h.snapNow().pickedUp || !waited.Load() {
				t.Fatalf("picked up before DS did anything, or never said it waits")
			}
			expresstest.Exec(t, strings.TrimPrefix(cfg.Store.URL, "sqlite:"), fmt.Sprintf(tc.ds, id))
			h.waitUntil("picked up", func(s snapshot) bool { return s.pickedUp })
			m := h.finish()
			if m.queued.pickup != tc.want {
				t.Errorf("the screen is %v, want %v", m.queued.pickup, tc.want)
			}
			view := joined(m.queued.view(120, 40))
			for _, w := range []string{tc.want.Sentence(), tc.status, "Press Enter to go back to the menu"} {
				if !strings.Contains(view, w) {
					t.Errorf("the Queued screen does not say %q:\n%s", w, view)
				}
			}
			if strings.Contains(view, flow.PickupPending.Sentence()) {
				t.Errorf("the Queued screen still waits:\n%s", view)
			}
		})
	}
}

// countedPickup is a backend counting the looks at the schedule.
type countedPickup struct {
	Backend
	looks atomic.Int32
}

func (b *countedPickup) CheckPickup(ctx context.Context, queued model.Schedule) (flow.PickupState, *model.Schedule, error) {
	b.looks.Add(1)
	return b.Backend.CheckPickup(ctx, queued)
}

// runCmds runs c and every command it batches, as the program would,
// dropping their messages.
func runCmds(c tea.Cmd) {
	if c == nil {
		return
	}
	if batch, ok := c().(tea.BatchMsg); ok {
		for _, c := range batch {
			runCmds(c)
		}
	}
}

// The hand-over mode skips the watch: opening Queued schedules no
// CheckPickup there, where the console otherwise schedules one.
func TestHandOverSkipsCheckPickup(t *testing.T) {
	for _, handOver := range []bool{false, true} {
		b := &countedPickup{Backend: &fakeBackend{machine: knownMachine()}}
		o := testOptions(ASCII)
		o.HandOver, o.PollEvery = handOver, time.Millisecond
		m := New(b, o, io.Discard)
		runCmds(m.queued.open(Queued{Schedule: model.Schedule{ID: 100000042}}, menu.Entry{Name: "Win11 image"}))
		want := int32(1)
		if handOver {
			want = 0
		}
		if n := b.looks.Load(); n != want {
			t.Errorf("hand-over %v: %d looks at the schedule, want %d", handOver, n, want)
		}
	}
}

// scriptedPickup answers each CheckPickup as the test says, one at a time.
type scriptedPickup struct {
	*gatedQueue
	answers chan pickupAnswer
}

type pickupAnswer struct {
	st  flow.PickupState
	s   *model.Schedule
	err error
}

func (b *scriptedPickup) CheckPickup(ctx context.Context, queued model.Schedule) (flow.PickupState, *model.Schedule, error) {
	select {
	case a := <-b.answers:
		return a.st, a.s, a.err
	case <-ctx.Done():
		return flow.PickupPending, nil, ctx.Err()
	}
}

// A look that fails is shown and tried again at the next tick; a pending
// one shows the status DS wrote and keeps waiting; a pick-up ends the wait.
func TestQueuedScreenRetriesCheckPickup(t *testing.T) {
	release := make(chan struct{})
	close(release)
	b := &scriptedPickup{gatedQueue: &gatedQueue{fakeBackend: &fakeBackend{machine: knownMachine()}, release: release},
		answers: make(chan pickupAnswer)}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel) // ends a look still waiting for its answer
	o := testOptions(ASCII)
	o.AfterQueue, o.Context = config.AfterStay, ctx
	h := newHarness(t, b, o, 120, 40)
	h.signIn("alice", "pw", "Win11 image")
	h.press(tea.KeyEnter)
	h.waitFor("Queue this job?")
	h.runes("y")
	h.waitFor("Queued: schedule 100000042", flow.PickupPending.Sentence())
	answer := func(a pickupAnswer) {
		t.Helper()
		select {
		case b.answers <- a:
		case <-time.After(15 * time.Second):
			t.Fatalf("the console stopped looking at the schedule; %+v not asked for", a)
		}
	}
	answer(pickupAnswer{err: errors.New("the eXpress database did not answer")})
	h.waitFor("Could not read the schedule back (retrying): the eXpress database did not answer")
	answer(pickupAnswer{st: flow.PickupPending, s: &model.Schedule{ID: 100000042, Status: "Scheduled"}})
	h.waitFor("Status: Scheduled")
	code := 0
	answer(pickupAnswer{st: flow.PickupTaken, s: &model.Schedule{ID: 100000042, Status: "Running", StatusCode: &code}})
	h.waitUntil("picked up", func(s snapshot) bool { return s.pickedUp })
	view := joined(h.finish().queued.view(120, 40))
	for _, w := range []string{flow.PickupTaken.Sentence(), "Status: Running (code 0)"} {
		if !strings.Contains(view, w) {
			t.Errorf("the Queued screen does not say %q:\n%s", w, view)
		}
	}
	if strings.Contains(view, "Could not read") {
		t.Errorf("the failed look is still shown:\n%s", view)
	}
}
