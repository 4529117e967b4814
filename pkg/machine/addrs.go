package machine

import (
	"net"
	"net/netip"
)

// Addrs lists this machine's IP addresses that can say which site it is at
// (config.ChooseSite): those of interfaces that are up, without loopback and
// link-local ones, which every machine has and which say nothing about where
// it is (169.254/16 is also what Windows gives a NIC whose DHCP failed).
func Addrs() ([]netip.Addr, error) {
	ifaces, err := net.Interfaces()
	if err != nil {
		return nil, err
	}
	var all []net.Addr
	for _, ifc := range ifaces {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, err := ifc.Addrs()
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
