// Package netup brings a Linux automation initrd's network up before the
// console needs it: at the initrd hook (scripts/inject-initrd.sh) no NIC
// driver is loaded, no link is up, and there is no address and no DNS. It
// loads the drivers of the NICs present from the initrd's own
// /lib/modules/$(uname -r) (PCI and virtio modaliases through
// modules.alias), brings the Ethernet links up, runs DHCPv4 on each link with
// carrier (the first lease wins), writes the lease's DNS servers to
// /etc/resolv.conf, and on Restore takes back what it configured, so the
// image's own init finds the machine as it was. A machine that already has a
// usable address (the image's init configured it, or the kernel's ip=) is
// left alone. Only the Linux build does anything; WinPE's wpeinit starts the
// network there.
package netup

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/termsafe"
)

// Link is one Ethernet interface as the console shows it.
type Link struct {
	Name, MAC, Driver string
	// Up: the link is administratively up; Carrier: a cable (or the
	// virtual switch) is there.
	Up, Carrier bool
	// State is what is happening on it: "no carrier", "asking DHCP",
	// "10.0.2.15/24", "no lease".
	State string
}

// Missing is a network device the kernel sees but no driver in the image
// claims.
type Missing struct {
	Bus, Vendor, Device string
}

func (m Missing) String() string {
	return fmt.Sprintf("%s %s:%s has no driver in this image: the image needs that NIC's driver module", strings.ToUpper(m.Bus), m.Vendor, m.Device)
}

// Status is where the bring-up is.
type Status struct {
	Phase   string // "loading drivers", "waiting for carrier", "asking DHCP", "up", "already configured"
	Links   []Link
	Missing []Missing
	// Address is the address the machine got (or had), "10.0.2.15/24 on eth0".
	Address string
	// Loaded lists the modules loaded.
	Loaded []string
}

// Options tune Up.
type Options struct {
	// Root is prepended to every path (tests); "" on a machine.
	Root string
	// Timeout bounds the whole bring-up (default 60 s).
	Timeout time.Duration
	// Log receives one line per event (may be nil).
	Log func(format string, args ...any)
}

func (o *Options) defaults() {
	if o.Timeout <= 0 {
		o.Timeout = 60 * time.Second
	}
	if o.Log == nil {
		o.Log = func(string, ...any) {}
	}
}

// AtHook is what the Linux initrd hook needs before any command runs. The
// NICs' drivers are loaded first, since every command reads the machine by
// its MACs. Then the network comes up, because the configuration is
// resolved before the console is drawn: a central include is fetched, and
// a site is chosen by this machine's addresses (DHCP's, not only a kernel
// ip=). Progress goes to w in plain lines. A failure is reported and left to
// the console's network screen, which waits and retries. The returned
// restore takes back what this bring-up configured.
func AtHook(ctx context.Context, w io.Writer, o Options) (restore func() error) {
	s := New(o)
	_, missing, _ := s.LoadDrivers()
	for _, m := range missing {
		fmt.Fprintln(w, "imageinvoker: "+m.String())
	}
	fmt.Fprintln(w, "imageinvoker: Waiting for the network...")
	last := ""
	st, err := s.Up(ctx, func(st Status) {
		if st.Phase != last {
			last = st.Phase
			fmt.Fprintln(w, "imageinvoker: network: "+st.Phase)
		}
	})
	if err != nil {
		fmt.Fprintln(w, "imageinvoker: no network yet: "+termsafe.Line(err.Error()))
	} else {
		fmt.Fprintln(w, "imageinvoker: network: "+termsafe.Line(st.Address))
	}
	return s.Restore
}

// dnsNames keeps the names that are DNS names (letters, digits, '-', '_'
// and dots): a DHCP server's domain name goes into resolv.conf, where a
// space or a newline would add words or lines of its own choosing.
func dnsNames(names []string) []string {
	var out []string
	for _, n := range names {
		n = strings.TrimSuffix(n, ".")
		if n == "" || len(n) > 253 || strings.IndexFunc(n, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.')
		}) >= 0 {
			continue
		}
		out = append(out, n)
	}
	return out
}
