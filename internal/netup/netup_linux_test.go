package netup

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"golang.org/x/sys/unix"
)

// TestMissingDriverNamed: a NIC the kernel lists on the PCI bus with no
// driver bound and none in the image is named by vendor:device. The tree
// is a copy of what sysfs shows for QEMU's e1000e (8086:10d3) in an initrd
// without e1000e.ko; the real boot is in internal/bootmedia's PXE test.
func TestMissingDriverNamed(t *testing.T) {
	root := t.TempDir()
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		t.Fatal(err)
	}
	mods := filepath.Join(root, "lib/modules", unix.ByteSliceToString(u.Release[:]))
	dev := filepath.Join(root, "sys/bus/pci/devices/0000:00:03.0")
	other := filepath.Join(root, "sys/bus/pci/devices/0000:00:01.0")
	for _, d := range []string{mods, dev, other} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(p, s string) {
		if err := os.WriteFile(p, []byte(s+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(mods, "modules.alias"), "alias pci:v00008086d0000100Esv*sd*bc*sc*i* e1000")
	write(filepath.Join(mods, "modules.dep"), "kernel/drivers/net/ethernet/intel/e1000/e1000.ko:")
	write(filepath.Join(dev, "class"), "0x020000")
	write(filepath.Join(dev, "vendor"), "0x8086")
	write(filepath.Join(dev, "device"), "0x10d3")
	write(filepath.Join(dev, "modalias"), "pci:v00008086d000010D3sv00001AF4sd00001100bc02sc00i00")
	// A bridge without a driver is not a NIC and is not reported.
	write(filepath.Join(other, "class"), "0x060100")
	write(filepath.Join(other, "vendor"), "0x8086")
	write(filepath.Join(other, "device"), "0x7000")
	write(filepath.Join(other, "modalias"), "pci:v00008086d00007000sv00001AF4sd00001100bc06sc01i00")

	loaded, missing, err := New(Options{Root: root}).LoadDrivers()
	if err != nil {
		t.Fatal(err)
	}
	if len(loaded) != 0 {
		t.Errorf("loaded %q, want nothing", loaded)
	}
	want := []Missing{{Bus: "pci", Vendor: "8086", Device: "10d3"}}
	if !slices.Equal(missing, want) {
		t.Fatalf("missing %v, want %v", missing, want)
	}
	if got := missing[0].String(); got != "PCI 8086:10d3 has no driver in this image: the image needs that NIC's driver module" {
		t.Errorf("message %q", got)
	}
}
