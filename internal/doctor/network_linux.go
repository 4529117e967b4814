package doctor

import (
	"encoding/binary"
	"encoding/hex"
	"net"
	"os"
	"strings"
)

// routeAndDNS reads the default gateways from /proc/net/route and the DNS
// servers from /etc/resolv.conf.
func routeAndDNS() (gateways, dns []string, known bool) {
	if data, err := os.ReadFile("/proc/net/route"); err == nil {
		for _, line := range strings.Split(string(data), "\n")[1:] {
			f := strings.Fields(line)
			if len(f) < 3 || f[1] != "00000000" {
				continue
			}
			b, err := hex.DecodeString(f[2])
			if err != nil || len(b) != 4 {
				continue
			}
			ip := make(net.IP, 4)
			binary.BigEndian.PutUint32(ip, binary.LittleEndian.Uint32(b))
			gateways = append(gateways, ip.String()+" ("+f[0]+")")
		}
	}
	dns = resolvConf("/etc/resolv.conf")
	return gateways, dns, true
}

func resolvConf(path string) []string {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "nameserver" {
			out = append(out, f[1])
		}
	}
	return out
}
