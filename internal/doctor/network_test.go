package doctor_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/doctor"
)

// The network check comes first, and says what is missing: a usable
// address, a gateway, a DNS server (issue 23).
func TestNetworkCheck(t *testing.T) {
	ifc := func(addrs ...string) []doctor.NetInterface {
		return []doctor.NetInterface{{Name: "Ethernet", Addrs: addrs}}
	}
	cases := []struct {
		name   string
		info   doctor.NetInfo
		err    error
		status doctor.Status
		say    []string
	}{
		{"all there", doctor.NetInfo{Interfaces: ifc("10.1.2.3/16", "fe80::1/64"), Gateways: []string{"10.1.0.1"}, DNS: []string{"10.1.0.10"}, Known: true},
			nil, doctor.OK, []string{"Ethernet 10.1.2.3/16", "gateway 10.1.0.1", "DNS 10.1.0.10"}},
		{"no interface", doctor.NetInfo{Known: true}, nil, doctor.Fail, []string{"no network interface has a usable address", "driver"}},
		{"DHCP never answered", doctor.NetInfo{Interfaces: ifc("169.254.7.9/16"), Known: true}, nil, doctor.Fail,
			[]string{"only link-local: Ethernet 169.254.7.9/16", "169.254.x.x"}},
		{"no gateway", doctor.NetInfo{Interfaces: ifc("10.1.2.3/16"), DNS: []string{"10.1.0.10"}, Known: true}, nil, doctor.Warn,
			[]string{"gateway none", "No default gateway"}},
		{"no DNS", doctor.NetInfo{Interfaces: ifc("10.1.2.3/16"), Gateways: []string{"10.1.0.1"}, Known: true}, nil, doctor.Warn,
			[]string{"DNS none", "No DNS server"}},
		{"gateway unknown on this system", doctor.NetInfo{Interfaces: ifc("10.1.2.3/16")}, nil, doctor.OK, []string{"not known on this system"}},
		{"interfaces unreadable", doctor.NetInfo{}, errors.New("boom"), doctor.Warn, []string{"cannot list", "boom"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := doctor.Run(t.Context(), doctor.Deps{Source: doctor.ConfigSource{Err: errors.New("not under test")},
				Network: func() (doctor.NetInfo, error) { return tc.info, tc.err }})
			c := r.Checks[0]
			if c.Name != "network" || c.Status != tc.status {
				t.Fatalf("first check %+v, want network %s", c, tc.status)
			}
			for _, s := range tc.say {
				if !strings.Contains(c.Detail+" "+c.Fix, s) {
					t.Errorf("lacks %q: %+v", s, c)
				}
			}
		})
	}
}
