package pxeboot

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/demo"
	"github.com/imageinvoker/imageinvoker/internal/directory/adtest"
	"github.com/imageinvoker/imageinvoker/internal/tmuxtest"
	_ "modernc.org/sqlite"
)

func TestMain(m *testing.M) {
	code := m.Run()
	adtest.Stop()
	os.Exit(code)
}

const (
	guestMAC    = "52:54:00:12:34:56"
	guestSerial = "II-PXE-0001"
	guestUUID   = "5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
	// The NIC the second boot adds: an Intel 82574L (e1000e), whose driver
	// the test initrd leaves out.
	missingNIC = "8086:10d3"
	marker     = "ORIGINAL-INIT-MARKER"
)

func inCI() bool { return os.Getenv("CI") != "" }

// need skips without a tool, except in CI, where
// scripts/install-test-deps-bootmedia.sh installs it.
func need(t *testing.T, what, path string) {
	t.Helper()
	if _, err := os.Stat(path); err == nil {
		return
	}
	if _, err := exec.LookPath(path); err == nil {
		return
	}
	if inCI() {
		t.Fatalf("%s (%s) is missing in CI: scripts/install-test-deps-bootmedia.sh installs it", what, path)
	}
	t.Skipf("%s (%s) is not installed: IMAGEINVOKER_TEST_PXE=1 scripts/install-test-deps-bootmedia.sh installs it", what, path)
}

// kernel finds the unpacked Debian kernel: vmlinuz and its modules directory.
func kernel(t *testing.T) (vmlinuz, modules, release string) {
	t.Helper()
	dir := os.Getenv("IMAGEINVOKER_TEST_KERNEL_DIR")
	if dir == "" {
		dir = "/var/cache/imageinvoker-test/linux"
	}
	found, _ := filepath.Glob(filepath.Join(dir, "boot", "vmlinuz-*"))
	if len(found) == 0 {
		if inCI() {
			t.Fatalf("no Debian kernel unpacked in %s: scripts/install-test-deps-bootmedia.sh downloads it", dir)
		}
		t.Skipf("no Debian kernel unpacked in %s (IMAGEINVOKER_TEST_PXE=1 scripts/install-test-deps-bootmedia.sh downloads linux-image-amd64)", dir)
	}
	vmlinuz = found[0]
	release = strings.TrimPrefix(filepath.Base(vmlinuz), "vmlinuz-")
	return vmlinuz, filepath.Join(dir, "lib", "modules", release), release
}

func sh(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	c := exec.Command(name, args...)
	c.Dir = dir
	out, err := c.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

func write(t *testing.T, path, body string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
}

// modulesFor are the kernel modules the test initrd carries: the e1000
// NIC driver (QEMU's default NIC) for ImageInvoker to load, and virtio-9p
// for the pre-init to mount the store.
var modulesFor = []string{
	"kernel/drivers/net/ethernet/intel/e1000/e1000.ko",
	"kernel/drivers/virtio/virtio.ko", "kernel/drivers/virtio/virtio_ring.ko",
	"kernel/drivers/virtio/virtio_pci.ko", "kernel/drivers/virtio/virtio_pci_modern_dev.ko",
	"kernel/drivers/virtio/virtio_pci_legacy_dev.ko",
	"kernel/net/9p/9pnet.ko", "kernel/net/9p/9pnet_virtio.ko", "kernel/fs/9p/9p.ko", "kernel/fs/netfs/netfs.ko",
	"kernel/fs/fscache/fscache.ko",
}

// buildInitrd makes a minimal automation initrd: busybox, the modules and
// modules.alias/modules.dep (depmod), an /init that sets up no network and
// prints the marker, and a pre-init that mounts the store over 9p (standing
// in for the network path to a site's SQL Server) and execs the hook.
func buildInitrd(t *testing.T, dir, modules, release string) string {
	t.Helper()
	root := filepath.Join(dir, "root")
	bb, err := os.ReadFile("/bin/busybox")
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(root, "bin", "busybox"), string(bb), 0o755)
	for _, a := range []string{"sh", "mount", "umount", "mkdir", "cat", "echo", "modprobe", "sleep", "poweroff", "ip", "ls", "sync", "grep", "wc"} {
		if err := os.Symlink("busybox", filepath.Join(root, "bin", a)); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{"proc", "sys", "dev", "store", "etc", "sbin"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	mroot := filepath.Join(root, "lib", "modules", release)
	for _, m := range modulesFor {
		b, err := os.ReadFile(filepath.Join(modules, m))
		if err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(mroot, m), string(b), 0o644)
	}
	for _, f := range []string{"modules.builtin", "modules.order", "modules.builtin.modinfo"} {
		if b, err := os.ReadFile(filepath.Join(modules, f)); err == nil {
			write(t, filepath.Join(mroot, f), string(b), 0o644)
		}
	}
	depmod := "depmod"
	if _, err := exec.LookPath(depmod); err != nil {
		depmod = "/sbin/depmod"
	}
	sh(t, dir, depmod, "-b", root, release)
	// The DC's name, as a site's DNS would give it; QEMU's user network
	// forwards 10.0.2.2 to this machine's loopback, where Samba listens.
	write(t, filepath.Join(root, "etc", "hosts"), "127.0.0.1 localhost\n10.0.2.2 dc1.lab.example\n", 0o644)
	write(t, filepath.Join(root, "init"), `#!/bin/sh
# The image's own init: sets up no network, says it ran, and ends the VM.
echo "`+marker+` args: $*"
echo "addresses at /init: $(ip -4 -o addr show 2>/dev/null | grep -v ' lo ' | wc -l) non-loopback IPv4"
sync
poweroff -f
`, 0o755)
	write(t, filepath.Join(root, "test-preinit"), `#!/bin/sh
# Test only: mount the SQLite store shared over virtio-9p, then boot as the
# media would (rdinit=/imageinvoker/init).
mount -t proc proc /proc
mount -t sysfs sysfs /sys
if modprobe virtio_pci && modprobe 9pnet_virtio && modprobe 9p && mount -t 9p -o trans=virtio,version=9p2000.L,cache=mmap store /store; then
	echo "PREINIT: store mounted: $(ls /store)"
else
	echo "PREINIT: no 9p store"
fi
if [ -n "$ii_test_ip" ]; then
	# The third boot: an image whose own early init configured the network.
	modprobe e1000 && sleep 1 && ip link set eth0 up && ip addr add "$ii_test_ip" dev eth0 && echo "PREINIT: eth0 has $ii_test_ip"
fi
umount /sys
umount /proc
exec /imageinvoker/init "$@"
`, 0o755)
	out := filepath.Join(dir, "initrd.gz")
	sh(t, root, "sh", "-c", "find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -n -1 > "+out)
	return out
}

// release builds the linux/amd64 binary as boot media carry it.
func release(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "imageinvoker")
	c := exec.Command("bash", "-c", `. scripts/release-env.sh && exec go build -trimpath -ldflags="-s -w" -o "$1" ./cmd/imageinvoker`, "build", bin)
	c.Dir = "../../.."
	if out, err := c.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

type boot struct {
	t       *testing.T
	term    *tmuxtest.Term
	session string
	started time.Time
}

// pxeBoot starts QEMU in a tmux session: iPXE from QEMU's e1000 ROM, DHCP
// and TFTP from QEMU's user network.
func pxeBoot(t *testing.T, term *tmuxtest.Term, session, tftp, store, kernelArgs string, extra ...string) *boot {
	t.Helper()
	write(t, filepath.Join(tftp, "boot.ipxe"), "#!ipxe\nkernel vmlinuz console=ttyS0 quiet rdinit=/test-preinit panic=-1 "+kernelArgs+
		"\ninitrd initrd.img\nboot\n", 0o644)
	args := []string{"qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-m", "768", "-nographic", "-no-reboot",
		"-boot", "n",
		"-netdev", "user,id=n0,tftp=" + tftp + ",bootfile=boot.ipxe",
		"-device", "e1000,netdev=n0,mac=" + guestMAC + ",bootindex=1",
		"-smbios", "type=1,serial=" + guestSerial + ",uuid=" + guestUUID,
		"-virtfs", "local,path=" + store + ",mount_tag=store,security_model=none,id=store",
	}
	args = append(args, extra...)
	var quoted []string
	for _, a := range args {
		quoted = append(quoted, "'"+a+"'")
	}
	term.Start(session, 100, 30, "sh", "-c", strings.Join(quoted, " ")+"; echo QEMU-EXIT=$?; sleep 600")
	term.Cmd("set-option", "-t", session, "history-limit", "5000")
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("serial line of %s:\n%s", session, term.Cmd("capture-pane", "-p", "-S", "-", "-t", session))
		}
	})
	return &boot{t: t, term: term, session: session, started: time.Now()}
}

func (b *boot) wait(want string) string {
	b.t.Helper()
	s := b.term.WaitJoined(b.session, want)
	b.t.Logf("%s after %s", want, time.Since(b.started).Round(100*time.Millisecond))
	return s
}

// TestPXEBootQueuesAndHandsOver is issue 17's end-to-end boot: a machine
// with no network set up by its initrd, PXE-booted, signs in against
// Samba on its serial console, queues a job into the store on this machine
// and hands over to the image's /init.
func TestPXEBootQueuesAndHandsOver(t *testing.T) {
	if testing.Short() {
		t.Skip("boots QEMU under TCG (minutes); run without -short")
	}
	began := time.Now()
	need(t, "QEMU", "qemu-system-x86_64")
	need(t, "iPXE's e1000 ROM for QEMU", "/usr/lib/ipxe/qemu/pxe-e1000.rom")
	need(t, "busybox", "/bin/busybox")
	need(t, "cpio", "cpio")
	vmlinuz, modules, rel := kernel(t)
	if _, err := exec.LookPath("depmod"); err != nil {
		need(t, "depmod (kmod)", "/sbin/depmod")
	}
	term := tmuxtest.New(t)
	term.Timeout = 3 * time.Minute
	dc := adtest.Start(t)
	dave := dc.Users["dave"]

	dir := t.TempDir()
	if keep := os.Getenv("IMAGEINVOKER_PXE_KEEP"); keep != "" {
		dir = keep // debugging: the files stay for a QEMU started by hand
	}
	storeDir := filepath.Join(dir, "store")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	url, err := demo.NewStore(ctx, storeDir)
	if err != nil {
		t.Fatal(err)
	}
	dbPath := strings.TrimPrefix(url, "sqlite:")
	db, err := sql.Open("sqlite", dbPath+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Register QEMU's MAC for the demo computer, as DS would have it.
	if _, err := db.ExecContext(ctx, `UPDATE nics SET mac_addr = ? WHERE computer_id = ?`, strings.ReplaceAll(strings.ToUpper(guestMAC), ":", ""), demo.ComputerID); err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	if err := os.Chmod(storeDir, 0o777); err != nil {
		t.Fatal(err)
	}

	initrd := buildInitrd(t, dir, modules, rel)
	bin := os.Getenv("IMAGEINVOKER_PXE_BIN") // another build to boot (checking an older one fails here)
	if bin == "" {
		bin = release(t, dir)
	}
	cfg := filepath.Join(dir, "imageinvoker.yaml")
	write(t, cfg, "store:\n  url: 'sqlite:/store/"+filepath.Base(dbPath)+"'\ndirectory:\n  dcs: ['ldaps://dc1.lab.example']\n"+
		"  ca_file: /imageinvoker/lab-ca.pem\n  domain: "+dc.Domain+"\n  dns_domain: "+dc.DNSDomain+"\nlook:\n  style: ascii\n"+
		// QEMU's user network: the site is chosen by the DHCP lease, which
		// exists only once the hook brought the network up, before the
		// configuration is read.
		"sites:\n  - name: qemu-lan\n    subnets: [10.0.2.0/24]\n", 0o644)
	ca := filepath.Join(dir, "lab-ca.pem")
	write(t, ca, string(dc.CAPEM), 0o644)
	tftp := filepath.Join(dir, "tftp")
	out := filepath.Join(tftp, "initrd.img")
	if err := os.MkdirAll(tftp, 0o755); err != nil {
		t.Fatal(err)
	}
	sh(t, "../../..", "bash", "scripts/inject-initrd.sh", "--initrd", initrd, "--binary", bin, "--config", cfg, "--ca-file", ca, "--output", out, "--no-check")
	k, err := os.ReadFile(vmlinuz)
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(tftp, "vmlinuz"), string(k), 0o644)
	t.Logf("prepared in %s", time.Since(began).Round(100*time.Millisecond))

	b := pxeBoot(t, term, "pxe", tftp, storeDir, "")
	b.wait("iPXE")
	net := b.wait("Waiting for the network")
	t.Logf("network screen:\n%s", net)
	machine := b.wait("Press Enter to sign in")
	shown := time.Since(b.started)
	t.Logf("console's machine screen %s after QEMU started:\n%s", shown.Round(100*time.Millisecond), term.Screen("pxe"))
	for _, want := range []string{"This machine is " + demo.ComputerName + " in Deployment Server", "Network: 10.0.2.15/24 on ", "site: qemu-lan"} {
		if !strings.Contains(machine, want) {
			t.Errorf("machine screen lacks %q:\n%s", want, term.Screen("pxe"))
		}
	}
	// ttyS0 reports 0x0; the console asked the terminal (tmux, 100x30).
	if !strings.Contains(term.Screen("pxe"), strings.Repeat("-", 100)) {
		t.Errorf("the console did not lay itself out to the serial terminal's 100 columns:\n%s", term.Screen("pxe"))
	}
	term.Keys("pxe", "Enter")
	b.wait("Password")
	term.Keys("pxe", "-l", dave.Sam)
	term.Keys("pxe", "Enter")
	term.Keys("pxe", "-l", dave.Password)
	term.Keys("pxe", "Enter")
	b.wait("in all")
	term.Keys("pxe", "/")
	term.Keys("pxe", "-l", "win11 physics")
	b.wait("1 of ")
	term.Keys("pxe", "Enter")
	b.wait("Queue this job?")
	term.Keys("pxe", "y")
	queued := b.wait("Handing over to DS's agent in")
	t.Logf("queued:\n%s", term.Screen("pxe"))
	m := regexp.MustCompile(`Queued: schedule (\d+)`).FindStringSubmatch(queued)
	if m == nil {
		t.Fatalf("no schedule id on screen:\n%s", term.Screen("pxe"))
	}
	handover := time.Now()
	term.Keys("pxe", "Enter")
	b.wait(marker)
	t.Logf("the image's /init ran %s after the hand-over key", time.Since(handover).Round(100*time.Millisecond))
	after := b.wait("addresses at /init:")
	if !strings.Contains(after, "addresses at /init: 0 non-loopback IPv4") {
		t.Errorf("the network ImageInvoker configured was not taken back before /init:\n%s", after)
	}

	// The schedule, read back from the store on this machine.
	db, err = sql.Open("sqlite", dbPath+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var computer int64
	var user string
	if err := db.QueryRowContext(ctx, `SELECT computer_id, COALESCE(user_name, '') FROM event_schedule WHERE schedule_id = ?`, m[1]).Scan(&computer, &user); err != nil {
		t.Fatalf("schedule %s is not in the store on this machine: %v", m[1], err)
	}
	if computer != demo.ComputerID || !strings.EqualFold(user, dc.Domain+`\`+dave.Sam) {
		t.Errorf("schedule %s: computer %d user %q; want %d, %s\\%s", m[1], computer, user, demo.ComputerID, dc.Domain, dave.Sam)
	}
	b.wait("QEMU-EXIT=")
	t.Logf("first boot: %s from QEMU's start to its end", time.Since(b.started).Round(100*time.Millisecond))

	// Second boot: a NIC without a driver in the image, and `machine --json`.
	b2 := pxeBoot(t, term, "pxe2", tftp, storeDir, `IMAGEINVOKER_ARGS="machine --json"`,
		"-netdev", "user,id=n1", "-device", "e1000e,netdev=n1,romfile=")
	b2.wait(marker)
	full := term.Cmd("capture-pane", "-p", "-J", "-S", "-", "-t", "pxe2")
	if !strings.Contains(full, "PCI "+missingNIC+" has no driver in this image: the image needs that NIC's driver module") {
		t.Errorf("no clear message about the NIC without a driver (%s)", missingNIC)
	}
	js := full[strings.Index(full, "{"):]
	js = js[:strings.Index(js, "\n}")+2]
	var got struct {
		MACs         []string
		Serial, UUID string
	}
	if err := json.Unmarshal([]byte(js), &got); err != nil {
		t.Fatalf("machine --json on the serial line is not JSON: %v\n%s", err, js)
	}
	if !containsFold(got.MACs, guestMAC) || got.Serial != guestSerial || !strings.EqualFold(got.UUID, guestUUID) {
		t.Errorf("machine --json: MACs %q serial %q UUID %q; want %s used, %s, %s", got.MACs, got.Serial, got.UUID, guestMAC, guestSerial, guestUUID)
	}

	// Third boot: the network is already configured when the hook runs
	// (here by the pre-init): it is left alone, and left in place for /init.
	b3 := pxeBoot(t, term, "pxe3", tftp, storeDir, "ii_test_ip=10.0.2.15/24")
	b3.wait("Press Enter to sign in")
	if screen := term.Screen("pxe3"); !strings.Contains(screen, "Network: 10.0.2.15/24 on eth0") || !strings.Contains(screen, "This machine is "+demo.ComputerName) {
		t.Errorf("machine screen with the network already configured:\n%s", screen)
	}
	term.Keys("pxe3", "q")
	if after := b3.wait("addresses at /init:"); !strings.Contains(after, "addresses at /init: 1 non-loopback IPv4") {
		t.Errorf("the address the image configured itself was not left in place for /init:\n%s", after)
	}
	t.Logf("whole test: %s", time.Since(began).Round(100*time.Millisecond))
}

func containsFold(list []string, s string) bool {
	norm := func(x string) string { return strings.ToUpper(strings.NewReplacer(":", "", "-", "").Replace(x)) }
	for _, v := range list {
		if norm(v) == norm(s) {
			return true
		}
	}
	return false
}
