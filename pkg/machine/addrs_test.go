package machine

import (
	"net"
	"reflect"
	"testing"
)

func TestUsableAddrs(t *testing.T) {
	ipnet := func(s string) net.Addr {
		ip, n, err := net.ParseCIDR(s)
		if err != nil {
			t.Fatal(err)
		}
		n.IP = ip
		return n
	}
	in := []net.Addr{
		ipnet("127.0.0.1/8"), ipnet("::1/128"), ipnet("169.254.10.1/16"), ipnet("fe80::1/64"),
		ipnet("10.1.2.3/16"), &net.IPAddr{IP: net.ParseIP("2001:db8:1::5")}, ipnet("0.0.0.0/0"),
	}
	var got []string
	for _, a := range usableAddrs(in) {
		got = append(got, a.String())
	}
	if want := []string{"10.1.2.3", "2001:db8:1::5"}; !reflect.DeepEqual(got, want) {
		t.Errorf("usableAddrs = %v, want %v", got, want)
	}
}

// On the test machine itself: no loopback or link-local address comes back.
func TestAddrsOfThisMachine(t *testing.T) {
	addrs, err := Addrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if a.IsLoopback() || a.IsLinkLocalUnicast() {
			t.Errorf("Addrs returned %s", a)
		}
	}
	t.Logf("this machine: %v", addrs)
}

// Only the physical NICs' addresses count, by the rule that picks the MACs:
// a tunnel, a bridge or any interface the OS calls software does not choose
// the site.
func TestAddrsOnlyPhysicalNICs(t *testing.T) {
	up := net.FlagUp | net.FlagBroadcast
	ifaces := []net.Interface{
		{Index: 1, Name: "lo", Flags: net.FlagUp | net.FlagLoopback},
		{Index: 2, Name: "eth0", Flags: up, HardwareAddr: net.HardwareAddr{0x00, 0x15, 0x5d, 0x2a, 0x00, 0x42}},
		{Index: 3, Name: "tun0", Flags: up | net.FlagPointToPoint},
		{Index: 4, Name: "br0", Flags: up, HardwareAddr: net.HardwareAddr{0x02, 0x42, 0xac, 0x11, 0x00, 0x01}},
		{Index: 5, Name: "eth1", HardwareAddr: net.HardwareAddr{0x00, 0x15, 0x5d, 0x2a, 0x00, 0x43}}, // down
	}
	addrs := map[string][]net.Addr{
		"lo":   {&net.IPNet{IP: net.ParseIP("127.0.0.1"), Mask: net.CIDRMask(8, 32)}},
		"eth0": {&net.IPNet{IP: net.ParseIP("10.2.0.7"), Mask: net.CIDRMask(16, 32)}},
		"tun0": {&net.IPNet{IP: net.ParseIP("2001:db8:1::9"), Mask: net.CIDRMask(64, 128)}},
		"br0":  {&net.IPNet{IP: net.ParseIP("10.1.0.9"), Mask: net.CIDRMask(16, 32)}},
		"eth1": {&net.IPNet{IP: net.ParseIP("10.3.0.9"), Mask: net.CIDRMask(16, 32)}},
	}
	src := source{
		interfaces: func() ([]net.Interface, error) { return ifaces, nil },
		virtual: func(name string) string {
			if name == "br0" {
				return "software interface"
			}
			return ""
		},
	}
	got, err := addrsFrom(src, func(ifc net.Interface) ([]net.Addr, error) { return addrs[ifc.Name], nil })
	if err != nil {
		t.Fatal(err)
	}
	var s []string
	for _, a := range got {
		s = append(s, a.String())
	}
	if want := []string{"10.2.0.7"}; !reflect.DeepEqual(s, want) {
		t.Errorf("addrs = %v, want %v (the physical NIC that is up only)", s, want)
	}
}
