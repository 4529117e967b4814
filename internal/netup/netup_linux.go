//go:build linux

package netup

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/insomniacslk/dhcp/dhcpv4"
	"github.com/insomniacslk/dhcp/dhcpv4/nclient4"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// Supported says this build can bring the network up.
const Supported = true

// Session brings the network up and remembers what it configured, for
// Restore.
type Session struct {
	o Options

	mu      sync.Mutex
	brought []string // links this session set up
	addrs   []configured
	resolv  *savedFile
	loaded  []string
}

type configured struct {
	link  string
	addr  netlink.Addr
	route *netlink.Route
}

type savedFile struct {
	path    string
	old     []byte
	existed bool
}

// New returns a session; nothing happens until Up.
func New(o Options) *Session {
	o.defaults()
	return &Session{o: o}
}

func (s *Session) path(p string) string { return filepath.Join(s.o.Root, p) }

// Up brings the network up, calling report on every change. It returns the
// final status; the error says why there is no address (with the status
// still filled in: the links and the devices without a driver).
func (s *Session) Up(ctx context.Context, report func(Status)) (Status, error) {
	if report == nil {
		report = func(Status) {}
	}
	ctx, cancel := context.WithTimeout(ctx, s.o.Timeout)
	defer cancel()
	var st Status
	if addr := usableAddress(); addr != "" {
		st.Phase, st.Address = "already configured", addr
		s.o.Log("network already configured: %s; left alone", addr)
		report(st)
		return st, nil
	}
	st.Phase = "loading drivers"
	report(st)
	loaded, missing, err := s.LoadDrivers()
	if err != nil {
		s.o.Log("loading NIC drivers: %v", err)
	}
	st.Loaded, st.Missing = loaded, missing
	st.Phase = "bringing links up"
	st.Links = s.links(ctx)
	report(st)
	for _, l := range st.Links {
		if l.Up {
			continue
		}
		if err := s.setUp(l.Name); err != nil {
			s.o.Log("%s: link up: %v", l.Name, err)
		}
	}
	// Carrier takes a moment after a link comes up (e1000: about 2 s).
	st.Phase = "waiting for carrier"
	carrierBy := time.Now().Add(min(10*time.Second, s.o.Timeout/2))
	for {
		st.Links = s.links(ctx)
		report(st)
		if slices.ContainsFunc(st.Links, func(l Link) bool { return l.Carrier }) || time.Now().After(carrierBy) {
			break
		}
		select {
		case <-ctx.Done():
			return st, s.noAddress(st, ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
	var withCarrier []string
	for i, l := range st.Links {
		if l.Carrier {
			withCarrier = append(withCarrier, l.Name)
			st.Links[i].State = "asking DHCP"
		} else {
			st.Links[i].State = "no carrier"
		}
	}
	if len(withCarrier) == 0 {
		return st, s.noAddress(st, nil)
	}
	st.Phase = "asking DHCP"
	report(st)
	name, lease, err := firstLease(ctx, withCarrier, s.o.Log)
	if err != nil {
		for i := range st.Links {
			if st.Links[i].State == "asking DHCP" {
				st.Links[i].State = "no DHCP answer"
			}
		}
		report(st)
		return st, s.noAddress(st, err)
	}
	addr, err := s.apply(name, lease)
	if err != nil {
		return st, fmt.Errorf("configuring %s: %w", name, err)
	}
	for i := range st.Links {
		if st.Links[i].Name == name {
			st.Links[i].State = addr
		}
	}
	st.Phase, st.Address = "up", addr+" on "+name
	s.o.Log("network up: %s", st.Address)
	report(st)
	return st, nil
}

func (s *Session) noAddress(st Status, cause error) error {
	var why []string
	if len(st.Links) == 0 {
		why = append(why, "no Ethernet interface")
	}
	for _, l := range st.Links {
		why = append(why, l.Name+": "+l.State)
	}
	for _, m := range st.Missing {
		why = append(why, m.String())
	}
	msg := "no network address: " + strings.Join(why, "; ")
	if cause != nil && !errors.Is(cause, context.DeadlineExceeded) {
		msg += " (" + cause.Error() + ")"
	}
	return errors.New(msg)
}

// usableAddress is an address some interface already has: a global IPv4
// or IPv6 address on an up, non-loopback interface.
func usableAddress() string {
	ifs, err := net.Interfaces()
	if err != nil {
		return ""
	}
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagLoopback != 0 || ifc.Flags&net.FlagUp == 0 {
			continue
		}
		addrs, _ := ifc.Addrs()
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && n.IP.IsGlobalUnicast() {
				return n.String() + " on " + ifc.Name
			}
		}
	}
	return ""
}

// LoadDrivers loads the modules that claim the network devices without a
// driver, from /lib/modules/$(uname -r) through modules.alias and
// modules.dep, and lists the network devices still without one. Virtio
// NICs take two rounds: virtio_pci, then virtio_net on the virtio bus.
func (s *Session) LoadDrivers() (loaded []string, missing []Missing, err error) {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return nil, nil, err
	}
	dir := s.path("/lib/modules/" + unix.ByteSliceToString(u.Release[:]))
	var al aliases
	var dp deps
	if f, err := os.Open(filepath.Join(dir, "modules.alias")); err == nil {
		al, err = parseAliases(f)
		_ = f.Close()
		if err != nil {
			return nil, nil, err
		}
	} else {
		s.o.Log("no modules.alias in %s: no driver can be loaded (%v)", dir, err)
	}
	if f, err := os.Open(filepath.Join(dir, "modules.dep")); err == nil {
		dp, err = parseDeps(f)
		_ = f.Close()
		if err != nil {
			return nil, nil, err
		}
	}
	tried := map[string]bool{}
	for round := 0; round < 3; round++ {
		progress := false
		for _, d := range s.netDevices() {
			if d.bound {
				continue
			}
			for _, mod := range al.match(d.modalias) {
				if tried[mod] {
					continue
				}
				tried[mod] = true
				progress = true
				for _, file := range dp.loadOrder(mod) {
					if err := loadModule(filepath.Join(dir, file)); err != nil {
						s.o.Log("load %s: %v", file, err)
						continue
					}
					if name := moduleName(file); !slices.Contains(loaded, name) {
						loaded = append(loaded, name)
						s.o.Log("loaded %s for %s", name, d.modalias)
					}
				}
			}
		}
		if !progress {
			break
		}
		time.Sleep(200 * time.Millisecond) // probing makes the virtio devices and the interfaces
	}
	for _, d := range s.netDevices() {
		if !d.bound && d.bus == "pci" {
			missing = append(missing, Missing{Bus: d.bus, Vendor: d.vendor, Device: d.device})
		}
	}
	s.mu.Lock()
	s.loaded = append(s.loaded, loaded...)
	s.mu.Unlock()
	return loaded, missing, nil
}

type device struct {
	bus, modalias, vendor, device string
	bound                         bool
}

// netDevices lists the PCI network controllers (class 0x02) and the
// virtio network devices (device id 1).
func (s *Session) netDevices() []device {
	var out []device
	for _, bus := range []string{"pci", "virtio"} {
		base := s.path("/sys/bus/" + bus + "/devices")
		ents, _ := os.ReadDir(base)
		for _, e := range ents {
			p := filepath.Join(base, e.Name())
			read := func(name string) string {
				b, _ := os.ReadFile(filepath.Join(p, name))
				return strings.TrimSpace(string(b))
			}
			d := device{bus: bus, modalias: read("modalias")}
			switch bus {
			case "pci":
				if !strings.HasPrefix(read("class"), "0x02") {
					continue
				}
				d.vendor, d.device = strings.TrimPrefix(read("vendor"), "0x"), strings.TrimPrefix(read("device"), "0x")
			case "virtio":
				if !strings.HasPrefix(d.modalias, "virtio:d00000001v") {
					continue
				}
			}
			_, err := os.Lstat(filepath.Join(p, "driver"))
			d.bound = err == nil
			out = append(out, d)
		}
	}
	return out
}

// loadModule loads a kernel module file with finit_module; one already
// loaded is fine.
func loadModule(file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	flags := 0
	if strings.HasSuffix(file, ".xz") || strings.HasSuffix(file, ".zst") || strings.HasSuffix(file, ".gz") {
		flags = unix.MODULE_INIT_COMPRESSED_FILE
	}
	err = unix.FinitModule(int(f.Fd()), "", flags)
	if errors.Is(err, unix.EEXIST) {
		return nil
	}
	return err
}

// links lists the physical Ethernet interfaces, waiting briefly for a
// driver just loaded to make them.
func (s *Session) links(ctx context.Context) []Link {
	var out []Link
	base := s.path("/sys/class/net")
	ents, _ := os.ReadDir(base)
	for _, e := range ents {
		p := filepath.Join(base, e.Name())
		read := func(name string) string {
			b, _ := os.ReadFile(filepath.Join(p, name))
			return strings.TrimSpace(string(b))
		}
		if read("type") != "1" {
			continue
		}
		if _, err := os.Stat(filepath.Join(p, "device")); err != nil {
			continue // virtual: bridges, veth, bonds
		}
		l := Link{Name: e.Name(), MAC: read("address")}
		if drv, err := os.Readlink(filepath.Join(p, "device", "driver")); err == nil {
			l.Driver = filepath.Base(drv)
		}
		flags := read("flags")
		var f int64
		_, _ = fmt.Sscanf(flags, "0x%x", &f)
		l.Up = f&unix.IFF_UP != 0
		l.Carrier = l.Up && read("carrier") == "1"
		switch {
		case !l.Up:
			l.State = "down"
		case l.Carrier:
			l.State = "carrier"
		default:
			l.State = "no carrier"
		}
		out = append(out, l)
	}
	return out
}

func (s *Session) setUp(name string) error {
	l, err := netlink.LinkByName(name)
	if err != nil {
		return err
	}
	if err := netlink.LinkSetUp(l); err != nil {
		return err
	}
	s.mu.Lock()
	s.brought = append(s.brought, name)
	s.mu.Unlock()
	return nil
}

// firstLease runs DHCPv4 on every link at once; the first lease wins.
func firstLease(ctx context.Context, links []string, log func(string, ...any)) (string, *nclient4.Lease, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		link  string
		lease *nclient4.Lease
		err   error
	}
	ch := make(chan result, len(links))
	for _, name := range links {
		go func() {
			c, err := nclient4.New(name, nclient4.WithTimeout(4*time.Second), nclient4.WithRetry(3))
			if err != nil {
				ch <- result{name, nil, err}
				return
			}
			defer c.Close()
			lease, err := c.Request(ctx)
			ch <- result{name, lease, err}
		}()
	}
	var errs []error
	for range links {
		r := <-ch
		if r.err == nil {
			return r.link, r.lease, nil
		}
		log("%s: DHCP: %v", r.link, r.err)
		errs = append(errs, fmt.Errorf("%s: %w", r.link, r.err))
	}
	return "", nil, errors.Join(errs...)
}

// apply puts the lease on the link: address, default route, DNS.
func (s *Session) apply(name string, lease *nclient4.Lease) (string, error) {
	ack := lease.ACK
	l, err := netlink.LinkByName(name)
	if err != nil {
		return "", err
	}
	mask := ack.SubnetMask()
	if mask == nil {
		mask = ack.YourIPAddr.DefaultMask()
	}
	ipnet := &net.IPNet{IP: ack.YourIPAddr.To4(), Mask: mask}
	a := netlink.Addr{IPNet: ipnet}
	if err := netlink.AddrAdd(l, &a); err != nil && !errors.Is(err, unix.EEXIST) {
		return "", err
	}
	c := configured{link: name, addr: a}
	if gw := ack.Router(); len(gw) > 0 {
		r := &netlink.Route{LinkIndex: l.Attrs().Index, Gw: gw[0]}
		if err := netlink.RouteAdd(r); err != nil && !errors.Is(err, unix.EEXIST) {
			s.o.Log("%s: default route via %s: %v", name, gw[0], err)
		} else {
			c.route = r
		}
	}
	s.mu.Lock()
	s.addrs = append(s.addrs, c)
	s.mu.Unlock()
	if err := s.writeResolv(ack); err != nil {
		s.o.Log("resolv.conf: %v", err)
	}
	return ipnet.String(), nil
}

func (s *Session) writeResolv(ack *dhcpv4.DHCPv4) error {
	dns := ack.DNS()
	if len(dns) == 0 {
		return nil
	}
	var b strings.Builder
	var search []string
	if dom := ack.DomainName(); dom != "" {
		search = []string{dom}
	} else if sl := ack.DomainSearch(); sl != nil {
		search = sl.Labels
	}
	if search = dnsNames(search); len(search) > 0 {
		b.WriteString("search " + strings.Join(search, " ") + "\n")
	}
	for _, ip := range dns {
		b.WriteString("nameserver " + ip.String() + "\n")
	}
	p := s.path("/etc/resolv.conf")
	old, err := os.ReadFile(p)
	saved := &savedFile{path: p, old: old, existed: err == nil}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		return err
	}
	s.mu.Lock()
	if s.resolv == nil {
		s.resolv = saved
	}
	s.mu.Unlock()
	return nil
}

// Restore takes back what Up configured: the addresses and routes, the
// links it set up, resolv.conf. The drivers stay loaded: the image's own
// init finds its NICs as its own driver loading would leave them.
func (s *Session) Restore() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, c := range s.addrs {
		l, err := netlink.LinkByName(c.link)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if c.route != nil {
			_ = netlink.RouteDel(c.route) // goes with the address anyway
		}
		a := c.addr
		if err := netlink.AddrDel(l, &a); err != nil && !errors.Is(err, unix.EADDRNOTAVAIL) {
			errs = append(errs, fmt.Errorf("%s: remove %s: %w", c.link, a.IPNet, err))
		}
	}
	s.addrs = nil
	for _, name := range s.brought {
		l, err := netlink.LinkByName(name)
		if err == nil {
			err = netlink.LinkSetDown(l)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: link down: %w", name, err))
		}
	}
	s.brought = nil
	if r := s.resolv; r != nil {
		var err error
		if r.existed {
			err = os.WriteFile(r.path, r.old, 0o644)
		} else {
			err = os.Remove(r.path)
		}
		if err != nil {
			errs = append(errs, err)
		}
		s.resolv = nil
	}
	return errors.Join(errs...)
}
