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
	"fmt"
	"strings"
	"time"
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
