package machine

import (
	"encoding/json"
	"errors"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// fakeSysfs builds a sysfs tree under a temp dir: every name in physical gets
// /sys/class/net/<name>/device, every name in virtual only the interface dir.
func fakeSysfs(t *testing.T, physical, virtual []string) string {
	t.Helper()
	root := t.TempDir()
	for _, n := range physical {
		mkdir(t, filepath.Join(root, sysClassNet, n, "device"))
	}
	for _, n := range virtual {
		mkdir(t, filepath.Join(root, sysClassNet, n))
	}
	return root
}

func mkdir(t *testing.T, p string) {
	t.Helper()
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, p string, b []byte) {
	t.Helper()
	mkdir(t, filepath.Dir(p))
	if err := os.WriteFile(p, b, 0o400); err != nil {
		t.Fatal(err)
	}
}

func mustMAC(t *testing.T, s string) net.HardwareAddr {
	t.Helper()
	hw, err := net.ParseMAC(s)
	if err != nil {
		t.Fatal(err)
	}
	return hw
}

func fakeInterfaces(t *testing.T) []net.Interface {
	return []net.Interface{
		{Name: "lo", Flags: net.FlagLoopback | net.FlagUp, HardwareAddr: nil},
		{Name: "eth0", Flags: net.FlagUp, HardwareAddr: mustMAC(t, "00:1a:a0:12:34:56")},
		{Name: "enp3s0", HardwareAddr: mustMAC(t, "d4:be:d9:ab:cd:ef")},                         // down, still the machine's NIC
		{Name: "ens18", Flags: net.FlagUp, HardwareAddr: mustMAC(t, "52:54:00:6b:3c:01")},       // QEMU: locally administered, kept
		{Name: "wlan0", Flags: net.FlagUp, HardwareAddr: mustMAC(t, "00:1a:a0:12:34:56")},       // same MAC as eth0: deduplicated
		{Name: "docker0", Flags: net.FlagUp, HardwareAddr: mustMAC(t, "02:42:ac:11:00:01")},     // bridge
		{Name: "veth9f3a2b1", Flags: net.FlagUp, HardwareAddr: mustMAC(t, "6e:1d:3a:55:21:0c")}, // container side
		{Name: "br0", Flags: net.FlagUp, HardwareAddr: mustMAC(t, "00:1a:a0:00:00:99")},         // bridge copying a NIC's OUI
		{Name: "tun0", Flags: net.FlagUp | net.FlagPointToPoint},                                // no MAC
		{Name: "ib0", Flags: net.FlagUp, HardwareAddr: make(net.HardwareAddr, 20)},              // InfiniBand, 20 bytes
		{Name: "eth1", Flags: net.FlagUp, HardwareAddr: mustMAC(t, "00:00:00:00:00:00")},        // unset
		{Name: "eth2", Flags: net.FlagUp, HardwareAddr: mustMAC(t, "ff:ff:ff:ff:ff:ff")},        // broadcast
		{Name: "eth3", Flags: net.FlagUp, HardwareAddr: mustMAC(t, "01:00:5e:00:00:fb")},        // multicast
		{Name: "lo1", Flags: net.FlagLoopback, HardwareAddr: mustMAC(t, "00:11:22:33:44:55")},   // loopback with a MAC
		{Name: "usb0", Flags: net.FlagUp, HardwareAddr: mustMAC(t, "a0:ce:c8:01:02:03")},        // no sysfs entry: kept
	}
}

// physicalMACs is the MACs classifyNICs keeps, as Read reports them.
func physicalMACs(ifaces []net.Interface, virtual func(string) string) []string {
	return usedMACs(classifyNICs(ifaces, virtual))
}

func TestPhysicalMACsFakeSysfs(t *testing.T) {
	root := fakeSysfs(t,
		[]string{"eth0", "enp3s0", "ens18", "wlan0", "ib0", "eth1", "eth2", "eth3"},
		[]string{"lo", "lo1", "docker0", "veth9f3a2b1", "br0", "tun0"},
	)
	got := physicalMACs(fakeInterfaces(t), sysfsVirtual(root))
	want := []string{"001AA0123456", "5254006B3C01", "A0CEC8010203", "D4BED9ABCDEF"}
	if !slices.Equal(got, want) {
		t.Errorf("physicalMACs =\n %q\nwant\n %q", got, want)
	}
}

func TestPhysicalMACsWithoutVirtualTest(t *testing.T) {
	// Where the OS cannot tell (virtual == nil) only the address rules apply.
	got := physicalMACs(fakeInterfaces(t), nil)
	want := []string{"001AA0000099", "001AA0123456", "0242AC110001", "5254006B3C01", "6E1D3A55210C", "A0CEC8010203", "D4BED9ABCDEF"}
	if !slices.Equal(got, want) {
		t.Errorf("physicalMACs =\n %q\nwant\n %q", got, want)
	}
}

func TestSysfsVirtualRefusesPathTricks(t *testing.T) {
	root := fakeSysfs(t, []string{"eth0"}, nil)
	virtual := sysfsVirtual(root)
	for _, name := range []string{"", ".", "..", "../eth0", "eth0/../eth0"} {
		if virtual(name) == "" {
			t.Errorf("virtual(%q) gives no reason, want one", name)
		}
	}
	if why := virtual("eth0"); why != "" {
		t.Errorf(`virtual("eth0") = %q for an interface with a device`, why)
	}
}

// sysfsWithDump lays a real machine's table out the way the kernel exports it.
func sysfsWithDump(t *testing.T, name string) string {
	t.Helper()
	d := loadDump(t, name)
	root := fakeSysfs(t, []string{"eth0"}, []string{"docker0"})
	writeFile(t, filepath.Join(root, sysDMITable), d.table)
	writeFile(t, filepath.Join(root, sysDMIEntry), d.entry)
	return root
}

func fakeSource(t *testing.T, root string) source {
	src := linuxSource(root)
	src.interfaces = func() ([]net.Interface, error) {
		return []net.Interface{
			{Name: "lo", Flags: net.FlagLoopback},
			{Name: "eth0", HardwareAddr: mustMAC(t, "3c:d9:2b:0a:1b:2c")},
			{Name: "docker0", HardwareAddr: mustMAC(t, "02:42:ac:11:00:01")},
		}, nil
	}
	return src
}

// read is Read over a substitute source.
func read(src source) (Identity, error) {
	r, err := inspect(src)
	return r.Identity, err
}

// isPartial reports whether err is (or wraps) a *PartialError, the one
// error Read may return.
func isPartial(err error) bool {
	var pe *PartialError
	return errors.As(err, &pe)
}

func TestReadFromFakeSysfs(t *testing.T) {
	for _, tc := range []struct {
		dump string
		want Identity
	}{
		{"hp-z600", Identity{
			MACs: []string{"3CD92B0A1B2C"}, UUID: "30D3F174-7F5D-11E1-BBDA-5F0D3DBC082E", Serial: "CZC214446Z",
			AssetTag: "CZC214446Z", Manufacturer: "Hewlett-Packard", Model: "HP Z600 Workstation",
		}},
		{"lenovo-thinkpad-x280", Identity{
			MACs: []string{"3CD92B0A1B2C"}, UUID: "F734AE4C-334C-11B2-A85C-A48EDEB400CA", Serial: "PC16ANHL",
			Manufacturer: "LENOVO", Model: "20KFCTO1WW",
		}},
	} {
		t.Run(tc.dump, func(t *testing.T) {
			got, err := read(fakeSource(t, sysfsWithDump(t, tc.dump)))
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if !identityEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func identityEqual(a, b Identity) bool {
	return slices.Equal(a.MACs, b.MACs) && a.UUID == b.UUID && a.Serial == b.Serial &&
		a.AssetTag == b.AssetTag && a.Manufacturer == b.Manufacturer && a.Model == b.Model
}

func TestReadPartial(t *testing.T) {
	macOnly := Identity{MACs: []string{"3CD92B0A1B2C"}}
	for _, tc := range []struct {
		name     string
		setup    func(t *testing.T, root string)
		want     Identity
		wantIs   error
		wantText string
	}{
		{
			name:     "no DMI table (container)",
			setup:    func(t *testing.T, root string) {},
			want:     macOnly,
			wantIs:   ErrSMBIOSUnavailable,
			wantText: "sys/firmware/dmi/tables/DMI does not exist (container, or a kernel without DMI support)",
		},
		{
			name: "entry point missing: decoded as 3.0",
			setup: func(t *testing.T, root string) {
				writeFile(t, filepath.Join(root, sysDMITable), loadDump(t, "hp-z600").table)
			},
			want: Identity{MACs: macOnly.MACs, UUID: "30D3F174-7F5D-11E1-BBDA-5F0D3DBC082E", Serial: "CZC214446Z",
				AssetTag: "CZC214446Z", Manufacturer: "Hewlett-Packard", Model: "HP Z600 Workstation"},
			wantText: "SMBIOS version unknown, UUID decoded as SMBIOS 3.0",
		},
		{
			name: "entry point garbage",
			setup: func(t *testing.T, root string) {
				writeFile(t, filepath.Join(root, sysDMITable), loadDump(t, "hp-z600").table)
				writeFile(t, filepath.Join(root, sysDMIEntry), []byte("nonsense"))
			},
			want: Identity{MACs: macOnly.MACs, UUID: "30D3F174-7F5D-11E1-BBDA-5F0D3DBC082E", Serial: "CZC214446Z",
				AssetTag: "CZC214446Z", Manufacturer: "Hewlett-Packard", Model: "HP Z600 Workstation"},
			wantText: "not an SMBIOS entry point",
		},
		{
			name: "table cut short after type 1",
			setup: func(t *testing.T, root string) {
				d := loadDump(t, "lenovo-thinkcentre-m720s")
				writeFile(t, filepath.Join(root, sysDMITable), d.table[:1200])
				writeFile(t, filepath.Join(root, sysDMIEntry), d.entry)
			},
			want: Identity{MACs: macOnly.MACs, UUID: "50F6E780-FFFC-11E8-9FD5-8180663E1200", Serial: "S4JA0501",
				Manufacturer: "LENOVO", Model: "10STS04K00"},
			wantIs:   ErrMalformedSMBIOS,
			wantText: "read SMBIOS table: malformed SMBIOS table",
		},
		{
			name: "table without type 1",
			setup: func(t *testing.T, root string) {
				writeFile(t, filepath.Join(root, sysDMITable), cat(type3(1, "AT-7781"), endOfTable))
				writeFile(t, filepath.Join(root, sysDMIEntry), loadDump(t, "lenovo-thinkpad-x280").entry)
			},
			want:     Identity{MACs: macOnly.MACs, AssetTag: "AT-7781"},
			wantText: "no System Information (type 1) structure",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := fakeSysfs(t, []string{"eth0"}, []string{"docker0"})
			tc.setup(t, root)
			got, err := read(fakeSource(t, root))
			if !isPartial(err) {
				t.Fatalf("err = %v, want a *PartialError", err)
			}
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Errorf("err %v does not wrap %v", err, tc.wantIs)
			}
			if !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("err %q does not contain %q", err, tc.wantText)
			}
			var pe *PartialError
			errors.As(err, &pe)
			if len(pe.Warnings()) != len(pe.Problems) || len(pe.Problems) == 0 {
				t.Errorf("Warnings() = %q for %d problems", pe.Warnings(), len(pe.Problems))
			}
			if !identityEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestReadUnreadableTable(t *testing.T) {
	if os.Geteuid() == 0 {
		// File permissions do not stop root (CI runs as root): the child runs as nobody.
		asNobody(t, "TestReadUnreadableTable")
		return
	}
	root := sysfsWithDump(t, "hp-z600")
	if err := os.Chmod(filepath.Join(root, sysDMITable), 0); err != nil {
		t.Fatal(err)
	}
	got, err := read(fakeSource(t, root))
	if !errors.Is(err, ErrSMBIOSUnavailable) || !strings.Contains(err.Error(), "run as root") {
		t.Fatalf("err = %v, want a permission problem telling to run as root", err)
	}
	if got.UUID != "" || len(got.MACs) != 1 {
		t.Errorf("got %+v", got)
	}
}

func TestReadNoInterfaces(t *testing.T) {
	src := fakeSource(t, sysfsWithDump(t, "hp-z600"))
	src.interfaces = func() ([]net.Interface, error) { return nil, errors.New("netlink: operation not permitted") }
	got, err := read(src)
	if !isPartial(err) || !strings.Contains(err.Error(), "list network interfaces: netlink: operation not permitted") {
		t.Fatalf("err = %v", err)
	}
	if got.Serial != "CZC214446Z" || len(got.MACs) != 0 || got.Empty() {
		t.Errorf("got %+v", got)
	}

	src.interfaces = func() ([]net.Interface, error) { return []net.Interface{{Name: "lo", Flags: net.FlagLoopback}}, nil }
	if _, err := read(src); !isPartial(err) || !strings.Contains(err.Error(), "no physical network interface") {
		t.Fatalf("err = %v", err)
	}
}

func TestIdentityEmpty(t *testing.T) {
	for _, tc := range []struct {
		name string
		id   Identity
		want bool
	}{
		{"zero", Identity{}, true},
		{"model only", Identity{Manufacturer: "LENOVO", Model: "10STS04K00"}, true},
		{"mac", Identity{MACs: []string{"001AA0123456"}}, false},
		{"uuid", Identity{UUID: "30D3F174-7F5D-11E1-BBDA-5F0D3DBC082E"}, false},
		{"serial", Identity{Serial: "CZC214446Z"}, false},
		{"asset tag", Identity{AssetTag: "AT-7781"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.id.Empty(); got != tc.want {
				t.Errorf("Empty() = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestIdentityJSON(t *testing.T) {
	b, err := json.Marshal(Identity{MACs: []string{"001AA0123456"}, UUID: "U", Serial: "S", AssetTag: "A", Manufacturer: "M", Model: "P"})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"macs":["001AA0123456"],"uuid":"U","serial":"S","asset_tag":"A","manufacturer":"M","model":"P"}`
	if string(b) != want {
		t.Errorf("JSON = %s\nwant   %s", b, want)
	}
}

var dsMAC = regexp.MustCompile(`^[0-9A-F]{12}$`)

// TestReadThisMachine runs the real reader. Only invariants are asserted:
// what this host's NICs and firmware are is not known in advance.
func TestReadThisMachine(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the sysfs checks below are Linux-only")
	}
	id, err := Read()
	if err != nil && !isPartial(err) {
		t.Fatalf("Read returned a non-partial error: %v", err)
	}
	if err != nil {
		t.Logf("partial: %v", err)
	}
	t.Logf("identity: %+v", id)

	ifaces, ierr := net.Interfaces()
	if ierr != nil {
		t.Fatal(ierr)
	}
	byMAC := map[string]net.Interface{}
	for _, ifc := range ifaces {
		byMAC[strings.ToUpper(strings.ReplaceAll(ifc.HardwareAddr.String(), ":", ""))] = ifc
	}
	for i, m := range id.MACs {
		if !dsMAC.MatchString(m) {
			t.Errorf("MAC %q is not 12 upper-case hex digits", m)
		}
		if i > 0 && id.MACs[i-1] >= m {
			t.Errorf("MACs not sorted and unique: %q before %q", id.MACs[i-1], m)
		}
		ifc, ok := byMAC[m]
		if !ok {
			t.Errorf("MAC %s belongs to no interface", m)
			continue
		}
		if ifc.Flags&net.FlagLoopback != 0 {
			t.Errorf("MAC %s is the loopback interface %s", m, ifc.Name)
		}
		if _, serr := os.Stat(filepath.Join("/sys/class/net", ifc.Name)); serr == nil {
			if _, derr := os.Stat(filepath.Join("/sys/class/net", ifc.Name, "device")); derr != nil {
				t.Errorf("MAC %s is from %s, which has no device behind it (virtual)", m, ifc.Name)
			}
		}
	}
	if _, serr := os.Stat("/sys/firmware/dmi/tables/DMI"); errors.Is(serr, os.ErrNotExist) {
		if !errors.Is(err, ErrSMBIOSUnavailable) {
			t.Errorf("no DMI table on this host, but Read did not report ErrSMBIOSUnavailable (err = %v)", err)
		}
		if id.UUID != "" || id.Serial != "" {
			t.Errorf("no DMI table, yet UUID %q serial %q", id.UUID, id.Serial)
		}
	}
	if id.UUID != "" {
		if _, uerr := NormalizeUUID(id.UUID); uerr != nil || strings.ToUpper(id.UUID) != id.UUID {
			t.Errorf("UUID %q not canonical", id.UUID)
		}
	}
}

// TestClassifyNICsReasons checks that every interface is listed, in the OS's
// order, and that each one left out says why: the `machine` command shows
// these reasons to image builders whose machine DS does not know.
func TestClassifyNICsReasons(t *testing.T) {
	root := fakeSysfs(t,
		[]string{"eth0", "enp3s0", "ens18", "wlan0", "ib0", "eth1", "eth2", "eth3"},
		[]string{"lo", "lo1", "docker0", "veth9f3a2b1", "br0", "tun0"},
	)
	want := map[string]struct {
		mac    string
		reason string // substring; "" means used
	}{
		"lo":          {"", "loopback"},
		"eth0":        {"001AA0123456", ""},
		"enp3s0":      {"D4BED9ABCDEF", ""},
		"ens18":       {"5254006B3C01", ""},
		"wlan0":       {"001AA0123456", ""},
		"docker0":     {"0242AC110001", "no bus device in /sys/class/net/docker0/device"},
		"veth9f3a2b1": {"6E1D3A55210C", "software interface"},
		"br0":         {"001AA0000099", "software interface"},
		"tun0":        {"", "no hardware address"},
		"ib0":         {"", "20-byte hardware address"},
		"eth1":        {"000000000000", "all-zero"},
		"eth2":        {"FFFFFFFFFFFF", "multicast or broadcast"},
		"eth3":        {"01005E0000FB", "multicast or broadcast"},
		"lo1":         {"001122334455", "loopback"},
		"usb0":        {"A0CEC8010203", ""},
	}
	ifaces := fakeInterfaces(t)
	nics := classifyNICs(ifaces, sysfsVirtual(root))
	if len(nics) != len(ifaces) {
		t.Fatalf("%d NICs for %d interfaces: every interface must be listed", len(nics), len(ifaces))
	}
	for i, n := range nics {
		if n.Name != ifaces[i].Name {
			t.Errorf("NIC %d is %q, want %q (the OS's order)", i, n.Name, ifaces[i].Name)
		}
		w := want[n.Name]
		if n.MAC != w.mac {
			t.Errorf("%s: MAC %q, want %q", n.Name, n.MAC, w.mac)
		}
		if n.Used != (w.reason == "") || (w.reason == "") != (n.Reason == "") || !strings.Contains(n.Reason, w.reason) {
			t.Errorf("%s: used=%v reason %q, want reason containing %q", n.Name, n.Used, n.Reason, w.reason)
		}
	}
}

// TestInspectReport checks the report against itself the way the machine
// command shows it: the identity's MACs are exactly the used NICs' (once
// each: a bond shows one MAC on two interfaces), a used NIC has a MAC and
// no reason, and every NIC left out says why.
func TestInspectReport(t *testing.T) {
	root := sysfsWithDump(t, "hp-z600")
	if err := os.MkdirAll(filepath.Join(root, sysClassNet, "eth1", "device"), 0o755); err != nil {
		t.Fatal(err)
	}
	src := linuxSource(root)
	src.interfaces = func() ([]net.Interface, error) {
		return []net.Interface{
			{Name: "lo", Flags: net.FlagLoopback},
			{Name: "eth0", HardwareAddr: mustMAC(t, "3c:d9:2b:0a:1b:2c")},
			{Name: "eth1", HardwareAddr: mustMAC(t, "3c:d9:2b:0a:1b:2c")}, // bonded with eth0
			{Name: "docker0", HardwareAddr: mustMAC(t, "02:42:ac:11:00:01")},
			{Name: "tun0"},
		}, nil
	}
	r, err := inspect(src)
	if err != nil {
		t.Fatalf("inspect: %v", err)
	}
	want := map[string]bool{"lo": false, "eth0": true, "eth1": true, "docker0": false, "tun0": false}
	if len(r.NICs) != len(want) {
		t.Fatalf("NICs = %+v, want one per interface", r.NICs)
	}
	seen := map[string]bool{}
	var used []string
	for _, n := range r.NICs {
		if n.Used != want[n.Name] {
			t.Errorf("%s: used = %v, want %v (%s)", n.Name, n.Used, want[n.Name], n.Reason)
		}
		switch {
		case n.Used && (n.MAC == "" || n.Reason != ""):
			t.Errorf("%s is used with MAC %q and reason %q", n.Name, n.MAC, n.Reason)
		case !n.Used && n.Reason == "":
			t.Errorf("%s is not used and does not say why", n.Name)
		}
		if n.Used && !seen[n.MAC] {
			seen[n.MAC] = true
			used = append(used, n.MAC)
		}
	}
	slices.Sort(used)
	if !slices.Equal(r.MACs, used) || !slices.Equal(r.MACs, []string{"3CD92B0A1B2C"}) {
		t.Errorf("MACs = %v, want the used NICs' %v once each", r.MACs, used)
	}
	if r.Serial != "CZC214446Z" || r.UUID == "" {
		t.Errorf("SMBIOS not in the report: %+v", r.Identity)
	}
	b, err := json.Marshal(NIC{Name: "eth0", MAC: "001AA0123456", Used: true})
	if err != nil || string(b) != `{"name":"eth0","mac":"001AA0123456","used":true}` {
		t.Errorf("NIC JSON = %s, %v", b, err)
	}
}
