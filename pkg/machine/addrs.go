package machine

import (
	"net"
	"net/netip"
)

// Addrs lists this machine's IP addresses that can say which site it is at
// (config.ChooseSite): those of its physical NICs (the same rule as the MACs
// that find it in DS: no bridge, veth, tun/tap, VPN or other software
// interface, whose address a rogue DHCP, a VPN or a boot-line ip= could
// choose) that are up, without loopback and link-local ones, which every
// machine has and which say nothing about where it is (169.254/16 is also
// what Windows gives a NIC whose DHCP failed).
func Addrs() ([]netip.Addr, error) {
	return addrsFrom(newSource(), func(ifc net.Interface) ([]net.Addr, error) { return ifc.Addrs() })
}

func addrsFrom(src source, addrsOf func(net.Interface) ([]net.Addr, error)) ([]netip.Addr, error) {
	ifaces, err := src.interfaces()
	if err != nil {
		return nil, err
	}
	nics := classifyNICs(ifaces, src.virtual)
	var all []net.Addr
	for i, ifc := range ifaces {
		if !nics[i].Used || ifc.Flags&net.FlagUp == 0 {
			continue
		}
		addrs, err := addrsOf(ifc)
		if err != nil {
			continue // one unreadable interface must not hide the others
		}
		all = append(all, addrs...)
	}
	return usableAddrs(all), nil
}

func usableAddrs(addrs []net.Addr) []netip.Addr {
	var out []netip.Addr
	for _, a := range addrs {
		var ip net.IP
		switch v := a.(type) {
		case *net.IPNet:
			ip = v.IP
		case *net.IPAddr:
			ip = v.IP
		}
		addr, ok := netip.AddrFromSlice(ip)
		if !ok {
			continue
		}
		addr = addr.Unmap()
		if addr.IsLoopback() || addr.IsLinkLocalUnicast() || addr.IsLinkLocalMulticast() || addr.IsUnspecified() || addr.IsMulticast() {
			continue
		}
		out = append(out, addr.WithZone(""))
	}
	return out
}
