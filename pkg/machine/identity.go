// Package machine tells who this machine is: the MAC of every physical NIC
// and the SMBIOS system UUID, serial, manufacturer, model and chassis asset
// tag, in the forms Deployment Server's eXpress database stores them
// (computer.uuid, computer.serial_num, computer.asset_tag, nics.mac_addr).
//
// One pure-Go SMBIOS parser serves every OS; only the way the raw table is
// fetched differs (read_linux.go: sysfs; read_windows.go: the RSMB firmware
// table; elsewhere: none, MACs only).
package machine

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
)

// Identity is who this machine is, as far as it could be found out.
type Identity struct {
	// MACs are 12 upper-case hex digits without separators (DS's
	// nics.mac_addr form), sorted, without duplicates.
	MACs         []string `json:"macs"`
	UUID         string   `json:"uuid"` // canonical upper-case 8-4-4-4-12
	Serial       string   `json:"serial"`
	AssetTag     string   `json:"asset_tag"`
	Manufacturer string   `json:"manufacturer"`
	Model        string   `json:"model"`
}

// Empty reports whether nothing that could match a DS computer record was
// found (no MAC, UUID, serial or asset tag).
func (id Identity) Empty() bool {
	return len(id.MACs) == 0 && id.UUID == "" && id.Serial == "" && id.AssetTag == ""
}

// PartialError is the only error Read returns. It means some source of
// identity could not be read (no DMI table in a container, no permission, an
// OS without SMBIOS support, a damaged table); the Identity returned with it
// holds everything that was found and is meant to be used. A program should
// show the problems as warnings and carry on; whether an Identity that is
// Empty is good enough to go on with is the caller's decision.
type PartialError struct {
	Problems []error
}

func (e *PartialError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.Error()
	}
	return "machine identity incomplete: " + strings.Join(msgs, "; ")
}

// Unwrap gives errors.Is/As access to the individual problems.
func (e *PartialError) Unwrap() []error { return e.Problems }

// Warnings returns the problems as one line each, for display.
func (e *PartialError) Warnings() []string {
	w := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		w[i] = p.Error()
	}
	return w
}

// ErrSMBIOSUnavailable is wrapped by the problem reported when the firmware
// table cannot be read at all (as opposed to being read but damaged).
var ErrSMBIOSUnavailable = errors.New("SMBIOS table unavailable")

// NIC is one network interface as this binary sees it, and whether its MAC
// is one of the machine's identifiers.
type NIC struct {
	// Name is the OS's name for it: eth0 on Linux, the adapter's friendly
	// name ("Ethernet 2") on Windows.
	Name string `json:"name"`
	// MAC is in DS form (12 upper-case hex digits); "" when the interface
	// has no 48-bit address.
	MAC string `json:"mac"`
	// Used says the MAC is in Identity.MACs, i.e. used to find the machine.
	Used bool `json:"used"`
	// Reason says why it is not used; "" when it is.
	Reason string `json:"reason,omitempty"`
}

// Report is everything Inspect read: the Identity the rest of the program
// uses, and every interface with why it was or was not used, for the people
// who wonder why DS does not know the machine (the `machine` command).
type Report struct {
	Identity
	NICs []NIC `json:"nics"`
}

// Inspect reads this machine. It is the one reader: Read, the console's
// machine screen, doctor and the `machine` command all go through it. Its
// error is nil or a *PartialError, as Read's.
func Inspect() (Report, error) {
	return inspect(newSource())
}

// Read identifies this machine. It never fails outright: the error is nil or
// a *PartialError naming what could not be read, and the Identity always holds
// whatever was found.
func Read() (Identity, error) {
	r, err := Inspect()
	return r.Identity, err
}

// source is where an OS reader gets its raw facts; tests substitute parts.
type source struct {
	interfaces func() ([]net.Interface, error)
	// virtual says why an interface is software-made (bridge, veth, tun,
	// docker0), "" for a NIC; nil when the OS gives no way to tell.
	virtual func(name string) string
	// smbios fetches the raw structure table.
	smbios func() (smbiosData, error)
}

// smbiosData is a raw SMBIOS table with the version it follows, plus
// problems met fetching it that still left it usable.
type smbiosData struct {
	table        []byte
	major, minor int
	warnings     []error
}

func inspect(src source) (Report, error) {
	var r Report
	var problems []error

	ifaces, err := src.interfaces()
	if err != nil {
		problems = append(problems, fmt.Errorf("list network interfaces: %w", err))
	}
	r.NICs = classifyNICs(ifaces, src.virtual)
	id := &r.Identity
	id.MACs = usedMACs(r.NICs)
	if err == nil && len(id.MACs) == 0 {
		problems = append(problems, errors.New("no physical network interface with a usable MAC address was found"))
	}

	data, err := src.smbios()
	problems = append(problems, data.warnings...)
	if err != nil {
		problems = append(problems, fmt.Errorf("%w: %w", ErrSMBIOSUnavailable, err))
	} else {
		info, perr := ParseSMBIOS(data.table, data.major, data.minor)
		if perr != nil {
			problems = append(problems, fmt.Errorf("read SMBIOS table: %w", perr))
		}
		if !info.HasSystem && perr == nil {
			problems = append(problems, errors.New("SMBIOS table has no System Information (type 1) structure: no UUID, serial or model"))
		}
		id.UUID = info.UUID
		id.Serial = info.Serial
		id.AssetTag = info.AssetTag
		id.Manufacturer = info.Manufacturer
		id.Model = info.ProductName
	}

	if len(problems) > 0 {
		return r, &PartialError{Problems: problems}
	}
	return r, nil
}

// usedMACs returns the used NICs' MACs in DS form, sorted and deduplicated
// (a bond or team shows the same MAC on several interfaces).
func usedMACs(nics []NIC) []string {
	var macs []string
	for _, n := range nics {
		if n.Used {
			macs = append(macs, n.MAC)
		}
	}
	slices.Sort(macs)
	return slices.Compact(macs)
}

// classifyNICs decides, for each interface in the order the OS lists them,
// whether it is a NIC of this machine, and says why not when it is not.
//
// Locally-administered MACs (second-lowest bit of the first byte) are kept on
// purpose: QEMU/KVM and Proxmox give their virtual NICs 52:54:00:xx:xx:xx,
// which is locally administered, and DS has those VMs on record under exactly
// that MAC. Software interfaces are told apart by the OS instead (virtual),
// and multicast, all-zero and broadcast addresses are never a NIC's own.
func classifyNICs(ifaces []net.Interface, virtual func(string) string) []NIC {
	nics := make([]NIC, 0, len(ifaces))
	for _, ifc := range ifaces {
		hw := ifc.HardwareAddr
		n := NIC{Name: ifc.Name}
		if len(hw) == 6 {
			n.MAC = fmt.Sprintf("%X", []byte(hw))
		}
		switch {
		case ifc.Flags&net.FlagLoopback != 0:
			n.Reason = "loopback interface"
		case len(hw) == 0:
			n.Reason = "no hardware address (tunnel or point-to-point link)"
		// DS records 48-bit Ethernet/Wi-Fi MACs; InfiniBand's 20-byte and
		// FireWire's 8-byte addresses have no place in nics.mac_addr.
		case len(hw) != 6:
			n.Reason = fmt.Sprintf("%d-byte hardware address %s, not a 48-bit Ethernet MAC", len(hw), hw)
		case hw[0]&0x01 != 0: // group bit: multicast, broadcast included
			n.Reason = "multicast or broadcast address, never a NIC's own"
		case hw[0]|hw[1]|hw[2]|hw[3]|hw[4]|hw[5] == 0:
			n.Reason = "all-zero address (not set)"
		default:
			if virtual != nil {
				n.Reason = virtual(ifc.Name)
			}
		}
		n.Used = n.Reason == ""
		nics = append(nics, n)
	}
	return nics
}
