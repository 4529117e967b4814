package tui

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/imageinvoker/imageinvoker/pkg/exitcode"
	"github.com/imageinvoker/imageinvoker/pkg/setup"
)

// Confirm and Error wait for the technician like sign-in and the menu do,
// so an unattended console leaves them at the idle timeout instead of
// keeping a signed-in session open (issue 9, attack 4).
func TestIdleTimeoutOnConfirmAndError(t *testing.T) {
	t.Run("confirm", func(t *testing.T) {
		o := testOptions(ASCII)
		o.IdleTimeout, o.IdleAction = 3*time.Second, "reboot"
		h := newDemoHarness(t, o, 80, 24, nil)
		h.filterMenu("dave", "dave-demo", "physics")
		h.press(tea.KeyEnter)
		h.waitFor("Queue this job?")
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
		h.signIn("alice", "pw")
		h.waitFor("Something went wrong")
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
	h.filterMenu("dave", "dave-demo", "physics")
	h.press(tea.KeyEnter)
	h.waitFor("Queue this job?")
	h.runes("y")
	h.waitFor("Queued: schedule")
	h.startAgent(0)
	h.waitUntil("picked up", func(s snapshot) bool { return s.pickedUp })
	h.press(tea.KeyEnter)
	h.waitUntil("back on the menu", func(s snapshot) bool { return s.state == stateMenu })
	if n := b.loads.Load(); n != 2 {
		t.Errorf("the menu was loaded %d times; want 2 (once after sign-in, once after stay)", n)
	}
}
