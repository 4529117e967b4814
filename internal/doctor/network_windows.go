package doctor

import (
	"unsafe"

	"golang.org/x/sys/windows"
)

// routeAndDNS reads each adapter's gateways and DNS servers with
// GetAdaptersAddresses (what ipconfig /all shows).
func routeAndDNS() (gateways, dns []string, known bool) {
	size := uint32(15000)
	for i := 0; i < 3; i++ {
		buf := make([]byte, size)
		aa := (*windows.IpAdapterAddresses)(unsafe.Pointer(&buf[0]))
		err := windows.GetAdaptersAddresses(windows.AF_UNSPEC, windows.GAA_FLAG_INCLUDE_GATEWAYS, 0, aa, &size)
		if err == windows.ERROR_BUFFER_OVERFLOW {
			continue
		}
		if err != nil {
			return nil, nil, false
		}
		for a := aa; a != nil; a = a.Next {
			if a.OperStatus != windows.IfOperStatusUp {
				continue
			}
			for g := a.FirstGatewayAddress; g != nil; g = g.Next {
				gateways = append(gateways, sockaddr(g.Address))
			}
			for d := a.FirstDnsServerAddress; d != nil; d = d.Next {
				dns = append(dns, sockaddr(d.Address))
			}
		}
		return gateways, dns, true
	}
	return nil, nil, false
}

func sockaddr(s windows.SocketAddress) string {
	if ip := s.IP(); ip != nil {
		return ip.String()
	}
	return "?"
}
