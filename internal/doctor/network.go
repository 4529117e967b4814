package doctor

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// NetInfo is this machine's network as doctor shows it first: on a booted
// machine that fails, a NIC without a driver or an address, no gateway or
// no DNS server explains every later failure.
type NetInfo struct {
	// Interfaces are the up, non-loopback interfaces with their addresses.
	Interfaces []NetInterface
	// Gateways and DNS are the default gateways and DNS servers; nil when
	// this system cannot say (Known false).
	Gateways, DNS []string
	Known         bool
}

// NetInterface is one up interface.
type NetInterface struct {
	Name  string
	MAC   string
	Addrs []string // CIDR
}

// readNetwork reads the interfaces (every system) and the gateways and DNS
// servers (routeAndDNS, per system).
func readNetwork() (NetInfo, error) {
	var info NetInfo
	ifs, err := net.Interfaces()
	if err != nil {
		return info, err
	}
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 {
			continue
		}
		ni := NetInterface{Name: ifc.Name, MAC: ifc.HardwareAddr.String()}
		addrs, _ := ifc.Addrs()
		for _, a := range addrs {
			ni.Addrs = append(ni.Addrs, a.String())
		}
		info.Interfaces = append(info.Interfaces, ni)
	}
	info.Gateways, info.DNS, info.Known = routeAndDNS()
	return info, nil
}

// usable says whether an address can reach a DC: not loopback, not
// link-local (169.254/16 is what Windows gives a NIC DHCP never answered).
func usable(cidr string) bool {
	p, err := netip.ParsePrefix(cidr)
	if err != nil {
		return false
	}
	a := p.Addr()
	return !a.IsLoopback() && !a.IsLinkLocalUnicast() && !a.IsUnspecified()
}

// networkCheck is the first line of the checklist.
func networkCheck(d Deps) Check {
	c := Check{Name: "network"}
	read := d.Network
	if read == nil {
		read = readNetwork
	}
	info, err := read()
	if err != nil {
		c.Status, c.Detail = Warn, "cannot list this machine's network interfaces: "+err.Error()
		return c
	}
	var parts, linkLocalOnly []string
	good := 0
	for _, ni := range info.Interfaces {
		var ok []string
		for _, a := range ni.Addrs {
			if usable(a) {
				ok = append(ok, a)
			}
		}
		switch {
		case len(ok) > 0:
			good++
			parts = append(parts, ni.Name+" "+strings.Join(ok, ", "))
		case len(ni.Addrs) > 0:
			linkLocalOnly = append(linkLocalOnly, ni.Name+" "+strings.Join(ni.Addrs, ", "))
		}
	}
	if good == 0 {
		c.Status = Fail
		c.Detail = "no network interface has a usable address"
		if len(linkLocalOnly) > 0 {
			c.Detail += " (only link-local: " + strings.Join(linkLocalOnly, "; ") + ")"
		}
		c.Fix = "Check the cable and that the boot image has a driver for this NIC; a 169.254.x.x address means no DHCP server answered (on WinPE, wpeinit brings the network up)"
		return c
	}
	c.Status, c.Detail = OK, strings.Join(parts, "; ")
	if !info.Known {
		c.Detail += "; gateway and DNS servers not known on this system"
		return c
	}
	gw, dns := "none", "none"
	if len(info.Gateways) > 0 {
		gw = strings.Join(info.Gateways, ", ")
	}
	if len(info.DNS) > 0 {
		dns = strings.Join(info.DNS, ", ")
	}
	c.Detail += fmt.Sprintf("; gateway %s; DNS %s", gw, dns)
	switch {
	case len(info.Gateways) == 0:
		c.Status = Warn
		c.Fix = "No default gateway: DCs and the DS database on other subnets cannot be reached; check DHCP's router option"
	case len(info.DNS) == 0:
		c.Status = Warn
		c.Fix = "No DNS server: DC discovery and DC names fail; check DHCP's DNS option, or name DCs by address in directory.dcs"
	}
	return c
}
