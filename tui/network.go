package tui

import (
	"context"
	"strings"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/imageinvoker/imageinvoker/internal/termsafe"
)

// NetStatus is the network bring-up's progress as the machine screen shows
// it (Linux initrd hook: see internal/netup).
type NetStatus struct {
	Phase string
	// Links are one line per Ethernet link: "eth0 52:54:00:12:34:56 (e1000): asking DHCP".
	Links []string
	// Missing are the network devices without a driver in the image.
	Missing []string
	// Address is the address the machine got or had: "10.0.2.15/24 on eth0".
	Address string
}

// Network brings the network up before the machine is read, calling
// report with its progress; nil: the network is the system's business.
type Network func(ctx context.Context, report func(NetStatus)) (NetStatus, error)

type netProgressMsg struct{ st NetStatus }

type netDoneMsg struct {
	st  NetStatus
	err error
}

// startNetwork runs the bring-up; its reports arrive as messages, then the
// machine is identified (after the drivers are in: the NICs exist only then).
func (s *machineScreen) startNetwork() tea.Cmd {
	s.netBusy, s.netErr = true, ""
	ch := make(chan tea.Msg, 8)
	ctx := s.o.Context
	network := s.o.Network
	go func() {
		send := func(m tea.Msg) {
			select {
			case ch <- m:
			case <-ctx.Done():
			}
		}
		st, err := network(ctx, func(st NetStatus) { send(netProgressMsg{st}) })
		send(netDoneMsg{st, err})
	}()
	s.netCh = ch
	return tea.Batch(s.nav.show(stateMachine), s.nextNet())
}

func (s *machineScreen) nextNet() tea.Cmd {
	ch := s.netCh
	return func() tea.Msg { return <-ch }
}

// onNet handles the bring-up's messages; ok is false for other messages.
func (s *machineScreen) onNet(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case netProgressMsg:
		s.net = safeNet(msg.st)
		return s.nextNet(), true
	case netDoneMsg:
		s.net, s.netBusy = safeNet(msg.st), false
		if msg.err != nil {
			s.netErr = userMessage(msg.err)
			return nil, true
		}
		return s.identify(), true
	}
	return nil, false
}

func safeNet(st NetStatus) NetStatus {
	out := NetStatus{Phase: termsafe.Line(st.Phase), Address: termsafe.Line(st.Address)}
	for _, l := range st.Links {
		out.Links = append(out.Links, termsafe.Line(l))
	}
	for _, m := range st.Missing {
		out.Missing = append(out.Missing, termsafe.Line(m))
	}
	return out
}

// netView is the machine screen while the network comes up, or when it
// did not.
func (s *machineScreen) netView(b *strings.Builder, w int) {
	if s.netErr != "" {
		b.WriteString("  " + s.st.errorText.Render("The network did not come up.") + "\n\n")
		wrapped(b, s.netErr, w, plain)
	} else {
		phase := ""
		if s.net.Phase != "" {
			phase = " (" + s.net.Phase + ")"
		}
		b.WriteString("  " + s.st.label.Render("Waiting for the network") + phase + "...\n")
	}
	if len(s.net.Links) > 0 {
		b.WriteString("\n")
		for _, l := range s.net.Links {
			wrapped(b, l, w, plain)
		}
	} else if s.netErr == "" && s.net.Phase != "loading drivers" && s.net.Phase != "" {
		wrapped(b, "No Ethernet interface yet.", w, plain)
	}
	for _, m := range s.net.Missing {
		b.WriteString("\n")
		wrapped(b, m, w, s.st.warning.Render)
	}
	if s.netErr != "" {
		b.WriteString("\n  Press r to try again, or q to let the boot go on without ImageInvoker.\n")
	}
}
