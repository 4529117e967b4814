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
