package tui

import (
	"context"
	"fmt"
	"github.com/imageinvoker/imageinvoker/internal/config"
	"io"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

func TestSignInWarnsAboutLockoutAfterThreeFailures(t *testing.T) {
	h := newDemoHarness(t, testOptions(ASCII), 80, 24, nil)
	h.signIn("alice", "wrong-1")
	for i := 1; i <= 3; i++ {
		h.waitUntil(fmt.Sprintf("failure %d", i), func(s snapshot) bool { return s.failures == i && s.state == stateSignIn })
		if i < 3 {
			h.typ(fmt.Sprintf("wrong-%d", i+1))
			h.press(tea.KeyEnter)
		}
	}
	h.waitFor("3 failed sign-ins in a row")
	m := h.finish()
	if m.signin.failures != 3 {
		t.Errorf("failures = %d, want 3", m.signin.failures)
	}
	if m.signin.pass.Value() != "" {
		t.Error("the password field still holds the last password")
	}
	if v := m.View(); strings.Contains(v, "wrong-3") {
		t.Errorf("the password is on screen:\n%s", v)
	}
}

func TestCtrlCExits130OnEveryScreen(t *testing.T) {
	cases := []struct {
		name  string
		drive func(h *harness)
	}{
		{"machine", func(h *harness) { h.waitFor("Press Enter to sign in") }},
		{"signin", func(h *harness) { h.waitFor("Press Enter to sign in"); h.press(tea.KeyEnter); h.waitFor("Password") }},
		{"menu filter", func(h *harness) {
			h.signIn("dave", "dave-demo", "in all")
			h.runes("/")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newDemoHarness(t, testOptions(ASCII), 80, 24, nil)
			tc.drive(h)
			h.press(tea.KeyCtrlC)
			if code := exitcode.Of(h.result().Err); code != exitcode.Interrupted {
				t.Errorf("exit code %d, want %d", code, exitcode.Interrupted)
			}
		})
	}
}

func TestTypingIsNotStolenByViKeys(t *testing.T) {
	h := newDemoHarness(t, testOptions(ASCII), 80, 24, nil)
	h.waitFor("Press Enter to sign in")
	h.press(tea.KeyEnter)
	h.waitFor("Password")
	h.typ("jkhlgGq?")
	h.waitFor("jkhlgGq?")
	m := h.finish()
	if m.state != stateSignIn || m.signin.user.Value() != "jkhlgGq?" || m.showHelp {
		t.Errorf("state %v, user field %q, help %v: keys were taken as commands", m.state, m.signin.user.Value(), m.showHelp)
	}

	h = onMenu(t)
	h.runes("/")
	h.typ("qjk")
	h.waitFor("/qjk")
	m = h.finish()
	if m.state != stateMenu || m.menu.filter.Value() != "qjk" {
		t.Errorf("state %v, filter %q: filter keys were taken as commands", m.state, m.menu.filter.Value())
	}
}

// A paste or a slow serial console delivers "/" and what follows as one
// message of several runes; the filter must still open and get the text.
func TestSlashWithTextInOneMessageFilters(t *testing.T) {
	h := onMenu(t)
	h.runes("/chem")
	h.waitFor("1 of 25 jobs match")
	m := h.finish()
	if !m.menu.filtering || m.menu.filter.Value() != "chem" || len(m.menu.matches) != 1 {
		t.Errorf("filtering %v, filter %q, %d matches", m.menu.filtering, m.menu.filter.Value(), len(m.menu.matches))
	}
}

// endings are how a session may end and the power action each leaves.
var endings = []struct {
	action    string
	wantPower Power
}{
	{"exit", ""},
	{"reboot", "reboot"},
	{"shutdown", "shutdown"},
}

func TestIdleTimeoutEndsTheSession(t *testing.T) {
	for _, tc := range endings {
		t.Run(tc.action, func(t *testing.T) {
			b := &fakeBackend{machine: knownMachine()}
			o := testOptions(ASCII)
			o.IdleTimeout, o.IdleAction = 1500*time.Millisecond, config.IdleAction(tc.action)
			h := newHarness(t, b, o, 80, 24)
			h.waitFor("Press Enter to sign in")
			h.press(tea.KeyEnter)
			h.waitFor("Idle: " + idleWords(config.IdleAction(tc.action)) + " in")
			res := h.result()
			if code := exitcode.Of(res.Err); code != exitcode.Idle {
				t.Errorf("exit code %d, want %d (err %v)", code, exitcode.Idle, res.Err)
			}
			if res.Power != tc.wantPower {
				t.Errorf("power %q, want %q", res.Power, tc.wantPower)
			}
		})
	}
}

// A warning from sign-in (here: plain LDAP allowed) stays on screen.
func TestSignInWarningsStayOnTheStatusLine(t *testing.T) {
	b := &fakeBackend{machine: knownMachine()}
	b.signIn = func(context.Context) (User, error) {
		return User{Account: `LAB\alice`, Warnings: []string{"plain LDAP is allowed"}}, nil
	}
	h := newHarness(t, b, testOptions(ASCII), 80, 24)
	h.signIn("alice", "pw", "user: LAB\\alice | ! plain LDAP is allowed")
	m := h.finish()
	if m.state != stateMenu {
		t.Errorf("state %v, want the menu", m.state)
	}
}

func TestEscCancelsAHangingStep(t *testing.T) {
	b := &fakeBackend{machine: knownMachine()}
	b.signIn = func(ctx context.Context) (User, error) { return User{}, b.hang(ctx) }
	h := newHarness(t, b, testOptions(ASCII), 80, 24)
	h.signIn("alice", "pw", "Signing in to dc1.lab.example as alice")
	h.press(tea.KeyEsc)
	h.waitFor("Cancelled: Signing in")
	m := h.finish()
	if m.state != stateSignIn {
		t.Errorf("state %v after Esc, want sign-in", m.state)
	}
	deadline := time.Now().Add(5 * time.Second)
	for b.cancelled.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if b.cancelled.Load() != 1 {
		t.Error("the step's context was not cancelled")
	}
}

func TestStepTimeoutShowsAnError(t *testing.T) {
	b := &fakeBackend{machine: knownMachine()}
	b.signIn = func(ctx context.Context) (User, error) { return User{}, b.hang(ctx) }
	o := testOptions(ASCII)
	o.StepTimeout = 300 * time.Millisecond
	h := newHarness(t, b, o, 80, 24)
	h.signIn("alice", "pw", "finish within 300ms")
	h.runes("q")
	if code := exitcode.Of(h.result().Err); code != exitcode.DirectoryDown {
		t.Errorf("exit code %d, want %d", code, exitcode.DirectoryDown)
	}
}

func storeDownBackend() *fakeBackend {
	b := &fakeBackend{machine: knownMachine(), log: []string{
		`time=10:00:01 level=INFO msg="signed in" user=LAB\alice`,
		`time=10:00:02 level=WARN msg="load failed" error="connection refused"`,
	}}
	b.loadMenu = func(context.Context) (Loaded, error) {
		return Loaded{}, exitcode.New(exitcode.StoreDown, "cannot reach the eXpress database at ds1: connection refused. Check the store URL and that SQL Server accepts TCP connections.")
	}
	return b
}

func TestErrorScreen(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		for _, lk := range []struct {
			name string
			look Look
		}{{"styled", Styled}, {"ascii", ASCII}} {
			name := fmt.Sprintf("error_%dx%d_%s", sz[0], sz[1], lk.name)
			t.Run(name, func(t *testing.T) {
				h := newHarness(t, storeDownBackend(), testOptions(lk.look), sz[0], sz[1])
				h.signIn("alice", "pw", "Something went wrong")
				m := h.finish()
				view := m.View()
				checkFits(t, view, sz[0], sz[1])
				golden(t, name, view)
			})
		}
	}
	t.Run("esc goes back to sign-in", func(t *testing.T) {
		b := storeDownBackend()
		h := newHarness(t, b, testOptions(ASCII), 80, 24)
		h.signIn("alice", "pw", "Something went wrong")
		h.press(tea.KeyEsc)
		h.waitFor("Sign in with your LAB account")
		if m := h.finish(); m.state != stateSignIn || b.signedOut.Load() == 0 {
			t.Errorf("state %v, signed out %d: want sign-in and a closed session", m.state, b.signedOut.Load())
		}
	})
	t.Run("q exits with the error's code", func(t *testing.T) {
		h := newHarness(t, storeDownBackend(), testOptions(ASCII), 80, 24)
		h.signIn("alice", "pw", "Something went wrong")
		h.runes("q")
		if code := exitcode.Of(h.result().Err); code != exitcode.StoreDown {
			t.Errorf("exit code %d, want %d", code, exitcode.StoreDown)
		}
	})
}

func TestWorkingScreenGolden(t *testing.T) {
	for _, lk := range []struct {
		name string
		look Look
	}{{"styled", Styled}, {"ascii", ASCII}} {
		t.Run(lk.name, func(t *testing.T) {
			b := &fakeBackend{machine: knownMachine()}
			m := New(b, testOptions(lk.look), io.Discard)
			m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
			_ = m.Init() // enters the working screen; the step itself is not run
			view := m.View()
			checkFits(t, view, 80, 24)
			golden(t, "working_80x24_"+lk.name, view)
		})
	}
}

func TestAfterQueueAction(t *testing.T) {
	for _, tc := range endings[:2] { // after a job: exit or reboot
		t.Run(tc.action, func(t *testing.T) {
			o := testOptions(ASCII)
			o.AfterQueue, o.AfterQueueDelay = config.AfterQueue(tc.action), 300*time.Millisecond
			h := newDemoHarness(t, o, 80, 24, nil)
			h.queueJob("bob", "bob-demo", "win11")
			h.startAgent(0)
			res := h.result()
			if res.Err != nil || res.Power != tc.wantPower {
				t.Errorf("result %+v, want no error and power %q", res, tc.wantPower)
			}
		})
	}
}

func TestResizeKeepsEveryFrameInside(t *testing.T) {
	h := newDemoHarness(t, testOptions(Styled), 120, 40, nil)
	h.signIn("dave", "dave-demo", "in all")
	sizes := [][2]int{{80, 24}, {100, 30}, {200, 60}, {60, 15}}
	for _, sz := range sizes {
		h.send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
	}
	m := h.finish()
	if m.width != 60 || m.height != 15 {
		t.Fatalf("size %dx%d after resizing, want 60x15", m.width, m.height)
	}
	checkFits(t, m.View(), 60, 15)
}

func TestScheduleStatusWords(t *testing.T) {
	code := 3
	cases := []struct {
		name string
		s    model.Schedule
		want string
	}{
		{"empty status", model.Schedule{}, "queued"},
		{"status only", model.Schedule{Status: "Running"}, "Running"},
		{"status and code", model.Schedule{Status: "Failed", StatusCode: &code}, "Failed (code 3)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := scheduleStatus(tc.s); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// A DS console account signs in at the console like an AD one and gets its
// own menu: the demo's .\kiosk, through its DS group.
func TestDSConsoleAccountSignsIn(t *testing.T) {
	h := newDemoHarness(t, testOptions(ASCII), 80, 24, nil)
	h.signIn(`.\kiosk`, "kiosk-demo")
	h.waitFor(`user: .\kiosk`, "Firmware audit", "2 jobs in all")
	m := h.finish()
	if m.state != stateMenu {
		t.Errorf("state = %v, want the menu", m.state)
	}
	if v := m.View(); strings.Contains(v, "kiosk-demo") {
		t.Errorf("the password is on screen:\n%s", v)
	}
}
