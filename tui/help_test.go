package tui

import (
	"context"
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/muesli/termenv"
)

// The ? help has no empty "Always" heading: when every key that always
// works is already listed with the screen's, the heading goes too (issue 23).
func TestFullHelpNoEmptyHeading(t *testing.T) {
	st := newStyles(ASCII, nil, termenv.Ascii)
	k := newKeyMap()
	got := st.fullHelp([][]key.Binding{{k.Quit}, {k.Quit}}, 80)
	if strings.Contains(got, "Always") {
		t.Errorf("an empty Always heading:\n%s", got)
	}
	other := key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "other"))
	got = st.fullHelp([][]key.Binding{{other}, {k.Quit}}, 80)
	if !strings.Contains(got, "Always") {
		t.Errorf("the Always heading is gone over a key of its own:\n%s", got)
	}
}

// The label is on the status line and the version in the ? help.
func TestLabelAndVersionShown(t *testing.T) {
	a := &app{o: Options{Label: "Chem lab media v3", Version: "1.2.3 (commit abc)"}, st: newStyles(ASCII, nil, termenv.Ascii)}
	if got := a.statusLine(); !strings.HasPrefix(got, "Chem lab media v3 | ") {
		t.Errorf("status line %q", got)
	}
}

// The ? help names the build, so a site can say which binary is on its
// boot image.
func TestHelpShowsVersion(t *testing.T) {
	o := testOptions(ASCII)
	o.Version = "9.8.7 (commit feedbee)"
	h := newDemoHarness(t, o, 80, 40, nil)
	h.signIn("dave", "dave-demo", "in all")
	h.runes("?")
	h.waitFor("ImageInvoker 9.8.7 (commit feedbee)")
	h.finish()
}

// The Error screen wraps a long log line instead of cutting off its end
// (the error and the address), and keeps to the screen (issue 23).
func TestErrorScreenWrapsLogLines(t *testing.T) {
	b := storeDownBackend()
	long := `time=10:00:03 level=ERROR msg="open store" error="dial tcp 10.20.30.40:1433: connect: connection refused" url=sqlserver://ds1.uni.edu/ALTIRIS END-OF-LINE`
	b.log = append(b.log, long)
	h := newHarness(t, b, testOptions(ASCII), 80, 24)
	h.signIn("alice", "pw", "Something went wrong")
	m := h.finish()
	view := m.View()
	checkFits(t, view, 80, 24)
	if !strings.Contains(view, "END-OF-LINE") || !strings.Contains(view, "10.20.30.40:1433") {
		t.Errorf("the log line's end is cut:\n%s", view)
	}
}

// On the Error screen, d shows doctor's checklist, scrolled with the
// arrows, and d again goes back to the error (issue 23).
func TestErrorScreenDoctorKey(t *testing.T) {
	o := testOptions(ASCII)
	ran := make(chan struct{}, 4)
	o.Doctor = func(context.Context) string {
		ran <- struct{}{}
		return "imageinvoker 1.0\n\n[ ok ] network: eth0 10.1.2.3/16\n[FAIL] store: cannot reach ds1: connection refused\n       fix: Enable TCP/IP\n"
	}
	h := newHarness(t, storeDownBackend(), o, 80, 24)
	h.signIn("alice", "pw", "d doctor")
	h.runes("d")
	h.waitFor("Doctor's checklist", "[FAIL] store: cannot reach ds1", "       fix: Enable TCP/IP")
	h.runes("d")
	h.waitFor("Last lines of the log")
	m := h.finish()
	if len(ran) != 1 {
		t.Errorf("doctor ran %d times", len(ran))
	}
	if m.errScr.doctor.shown {
		t.Error("d did not go back to the error")
	}
}

// The machine screen offers the same d as the Error screen: doctor's
// checklist before anyone signs in (the first place to look when a booted
// machine cannot reach DS), Esc or d back to the machine, shown again
// without running doctor twice, and Enter does not sign in under it
// (issue 23).
func TestMachineScreenDoctorKey(t *testing.T) {
	o := testOptions(ASCII)
	ran := make(chan struct{}, 4)
	o.Doctor = func(context.Context) string {
		ran <- struct{}{}
		return "imageinvoker 1.0\n\n[FAIL] network: no address on eth0\n       fix: check the cable\n"
	}
	h := newHarness(t, &fakeBackend{machine: knownMachine()}, o, 80, 24)
	h.waitFor("Press Enter to sign in", "d doctor")
	h.runes("d")
	h.waitFor("Doctor's checklist", "back to this machine", "[FAIL] network: no address on eth0", "esc back")
	h.press(tea.KeyEnter)
	h.press(tea.KeyEsc)
	h.waitFor("Press Enter to sign in")
	h.runes("d")
	h.waitFor("Doctor's checklist", "       fix: check the cable")
	h.runes("d")
	h.waitFor("Press Enter to sign in")
	m := h.finish()
	if len(ran) != 1 {
		t.Errorf("doctor ran %d times", len(ran))
	}
	if m.machineScr.doctor.shown || m.state != stateMachine {
		t.Errorf("d did not go back to the machine screen (state %v)", m.state)
	}
}

// Without a doctor (Options.Doctor nil) the machine screen offers no d.
func TestMachineScreenNoDoctorKey(t *testing.T) {
	h := newHarness(t, &fakeBackend{machine: knownMachine()}, testOptions(ASCII), 80, 24)
	h.waitFor("Press Enter to sign in")
	h.runes("d")
	m := h.finish()
	if strings.Contains(m.View(), "doctor") || m.machineScr.doctor.shown {
		t.Errorf("d offered or shown without a doctor:\n%s", m.View())
	}
}
