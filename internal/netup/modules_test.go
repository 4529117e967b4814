package netup

import (
	"slices"
	"strings"
	"testing"
)

// Lines as depmod writes them for Debian 12's kernel (6.1).
const aliasFile = `# Aliases extracted from modules themselves.
alias pci:v00008086d0000100Esv*sd*bc*sc*i* e1000
alias pci:v00008086d000010D3sv*sd*bc*sc*i* e1000e
alias pci:v00001AF4d*sv*sd*bc*sc*i* virtio_pci
alias virtio:d00000001v* virtio_net
alias virtio:d00000009v* 9pnet_virtio
`

const depFile = `kernel/drivers/net/ethernet/intel/e1000/e1000.ko:
kernel/drivers/net/virtio_net.ko: kernel/drivers/net/net_failover.ko kernel/net/core/failover.ko
kernel/drivers/net/net_failover.ko: kernel/net/core/failover.ko
kernel/net/core/failover.ko:
kernel/drivers/virtio/virtio_pci.ko: kernel/drivers/virtio/virtio_pci_modern_dev.ko
`

func TestModalias(t *testing.T) {
	al, err := parseAliases(strings.NewReader(aliasFile))
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string][]string{
		// QEMU's e1000 and virtio-net, as /sys/bus/*/devices/*/modalias reads.
		"pci:v00008086d0000100Esv00001AF4sd00001100bc02sc00i00": {"e1000"},
		"pci:v00001AF4d00001000sv00001AF4sd00000001bc02sc00i00": {"virtio_pci"},
		"virtio:d00000001v00001AF4":                             {"virtio_net"},
		"pci:v00008086d000010F5sv00008086sd00000000bc02sc00i00": nil, // no driver in this image
	}
	for in, want := range cases {
		if got := al.match(in); !slices.Equal(got, want) {
			t.Errorf("match(%s) = %q, want %q", in, got, want)
		}
	}
	dp, err := parseDeps(strings.NewReader(depFile))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"kernel/net/core/failover.ko", "kernel/drivers/net/net_failover.ko", "kernel/drivers/net/virtio_net.ko"}
	if got := dp.loadOrder("virtio_net"); !slices.Equal(got, want) {
		t.Errorf("loadOrder(virtio_net) = %q, want dependencies first %q", got, want)
	}
	if got := dp.loadOrder("virtio-pci"); len(got) != 2 || got[1] != "kernel/drivers/virtio/virtio_pci.ko" {
		t.Errorf("loadOrder(virtio-pci) = %q", got)
	}
	if got := dp.loadOrder("nope"); got != nil {
		t.Errorf("loadOrder of an unknown module = %q", got)
	}
}

// A DHCP server's domain name is written into resolv.conf: one with a
// newline or a space would add lines or words of the server's choosing.
func TestDNSNamesKeepsOnlyNames(t *testing.T) {
	got := dnsNames([]string{"lab.example", "evil.example\nnameserver 6.6.6.6", "a b", "uni.example.", "", "x_y-1.example"})
	want := []string{"lab.example", "uni.example", "x_y-1.example"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("dnsNames = %q; want %q", got, want)
	}
}
