package tui

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
)

// TestNetworkBeforeMachine: with a network bring-up (the Linux hook), the
// machine screen shows "Waiting for the network" with the links and the
// NICs without a driver, then the address, and only then reads the machine.
// A failed bring-up says why, and r tries again.
func TestNetworkBeforeMachine(t *testing.T) {
	var calls atomic.Int32
	release := make(chan struct{})
	o := testOptions(ASCII)
	o.Network = func(ctx context.Context, report func(NetStatus)) (NetStatus, error) {
		n := calls.Add(1)
		st := NetStatus{Phase: "asking DHCP", Links: []string{"eth0 52:54:00:12:34:56 (e1000): asking DHCP"},
			Missing: []string{"PCI 8086:10d3 has no driver in this image: the image needs that NIC's driver module"}}
		report(st)
		<-release
		if n == 1 {
			st.Links[0] = "eth0 52:54:00:12:34:56 (e1000): no DHCP answer"
			return st, errors.New("no network address: eth0: no DHCP answer")
		}
		st.Phase, st.Address = "up", "10.0.2.15/24 on eth0"
		return st, nil
	}
	b := &fakeBackend{machine: knownMachine()}
	h := newHarness(t, b, o, 100, 30)
	h.waitFor("Waiting for the network", "eth0 52:54:00:12:34:56 (e1000): asking DHCP", "PCI 8086:10d3 has no driver")
	release <- struct{}{}
	h.waitFor("The network did not come up", "no DHCP answer", "Press r to try again")
	h.runes("r")
	release <- struct{}{}
	h.waitFor("Press Enter to sign in")
	m := h.finish()
	view := joined(m.machineScr.view(100, 30))
	if !strings.Contains(view, "Network: 10.0.2.15/24 on eth0") || !strings.Contains(view, "This machine is PC-042") {
		t.Errorf("machine screen after the network came up:\n%s", view)
	}
	if calls.Load() != 2 {
		t.Errorf("network brought up %d times, want 2 (once, then r)", calls.Load())
	}
}
