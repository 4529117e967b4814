package tui

import (
	"context"
	"database/sql"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/imageinvoker/imageinvoker/internal/demo"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/internal/setup"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// Confirm and Error wait for the technician like sign-in and the menu do,
// so an unattended console leaves them at the idle timeout instead of
// keeping a signed-in session open (issue 9, attack 4).
func TestIdleTimeoutOnConfirmAndError(t *testing.T) {
	t.Run("confirm", func(t *testing.T) {
		o := testOptions(ASCII)
		o.IdleTimeout, o.IdleAction = 3*time.Second, "reboot"
		h := newDemoHarness(t, o, 80, 24, nil)
		h.confirmJob("dave", "dave-demo", "physics")
		h.waitFor("Idle: rebooting in")
		res := h.result()
		if exitcode.Of(res.Err) != exitcode.Idle || res.Power != "reboot" {
			t.Errorf("result %+v (code %d); want the idle action", res, exitcode.Of(res.Err))
		}
	})
	t.Run("error", func(t *testing.T) {
		o := testOptions(ASCII)
		o.IdleTimeout = 1500 * time.Millisecond
		b := storeDownBackend()
		h := newHarness(t, b, o, 80, 24)
		h.signIn("alice", "pw", "Something went wrong")
		h.waitFor("Idle: exiting in")
		if code := exitcode.Of(h.result().Err); code != exitcode.Idle || b.signedOut.Load() == 0 {
			t.Errorf("exit code %d, signed out %d; want %d and a closed session", code, b.signedOut.Load(), exitcode.Idle)
		}
	})
}

// countingBackend counts menu loads of the real demo backend.
type countingBackend struct {
	Backend
	loads atomic.Int32
}

func (c *countingBackend) LoadMenu(ctx context.Context) (Loaded, error) {
	c.loads.Add(1)
	return c.Backend.LoadMenu(ctx)
}

// "stay" after a queued job goes back to a menu loaded again, not the one
// from before the job was queued (issue 9, attack 4).
func TestStayReloadsTheMenu(t *testing.T) {
	env, cfg := demoEnv(t, nil)
	b := &countingBackend{Backend: NewFlowBackend(env.Flow, setup.DemoOverride(), nil)}
	o := testOptions(ASCII)
	o.AfterQueue = "stay"
	h := newHarness(t, b, o, 80, 24)
	h.cfg = cfg
	h.queueJob("dave", "dave-demo", "physics")
	h.startAgent(0)
	h.waitUntil("picked up", func(s snapshot) bool { return s.pickedUp })
	h.press(tea.KeyEnter)
	h.waitUntil("back on the menu", func(s snapshot) bool { return s.state == stateMenu })
	if n := b.loads.Load(); n != 2 {
		t.Errorf("the menu was loaded %d times; want 2 (once after sign-in, once after stay)", n)
	}
}

// pendingBackend is the demo backend with another job already pending.
type pendingBackend struct {
	Backend
	list []model.Schedule
}

func (p *pendingBackend) Pending(context.Context) ([]model.Schedule, error) { return p.list, nil }

// Confirm shows the job's description, warns when another job is already
// pending for this machine, and treats `[imageinvoker: erases]` as erasing.
func TestConfirmDescriptionPendingAndErasesMarker(t *testing.T) {
	env, cfg := demoEnv(t, nil)
	db, err := sql.Open("sqlite", strings.TrimPrefix(cfg.Store.URL, "sqlite:"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("UPDATE event SET description = description || ' [imageinvoker: erases]' WHERE event_id = " + itoa(int(demo.JobBIOSUpdateDell))); err != nil {
		t.Fatal(err)
	}
	db.Close()
	b := &pendingBackend{Backend: NewFlowBackend(env.Flow, setup.DemoOverride(), nil),
		list: []model.Schedule{{ID: 100000077, JobID: demo.JobWin11Base, UserName: `LAB\bob`}}}
	h := newHarness(t, b, testOptions(ASCII), 80, 24)
	h.filterMenu("dave", "dave-demo", "bios update (dell)")
	h.press(tea.KeyEnter)
	h.waitFor("Queue this job?", "Another job (id "+itoa(int(demo.JobWin11Base)))
	view := h.finish().View()
	for _, want := range []string{"About:   Flashes the latest BIOS", `by LAB\bob; DS runs both`,
		"destroy data on this machine", "THIS ERASES THE DISK OF PC-042"} {
		if !strings.Contains(view, want) {
			t.Errorf("confirm lacks %q:\n%s", want, view)
		}
	}
	if strings.Contains(view, "[imageinvoker") {
		t.Errorf("the marker is shown:\n%s", view)
	}
}
