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

// IsPartial reports whether err is (or wraps) a *PartialError, i.e. whether
// the Identity that came with it is usable.
func IsPartial(err error) bool {
	var pe *PartialError
	return errors.As(err, &pe)
}

// ErrSMBIOSUnavailable is wrapped by the problem reported when the firmware
// table cannot be read at all (as opposed to being read but damaged).
var ErrSMBIOSUnavailable = errors.New("SMBIOS table unavailable")

// Read identifies this machine. It never fails outright: the error is nil or
// a *PartialError naming what could not be read, and the Identity always holds
// whatever was found.
func Read() (Identity, error) {
	return read(newSource())
}

// source is where an OS reader gets its raw facts; tests substitute parts.
type source struct {
	interfaces func() ([]net.Interface, error)
	// virtual reports whether an interface is software-made (bridge, veth,
	// tun, docker0); nil when the OS gives no way to tell.
	virtual func(name string) bool
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

func read(src source) (Identity, error) {
	var id Identity
	var problems []error

	ifaces, err := src.interfaces()
	if err != nil {
		problems = append(problems, fmt.Errorf("list network interfaces: %w", err))
	}
	id.MACs = physicalMACs(ifaces, src.virtual)
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
		return id, &PartialError{Problems: problems}
	}
	return id, nil
}

// physicalMACs keeps the interfaces that are NICs of this machine and returns
// their MACs in DS form, sorted and deduplicated (a bond or team shows the
// same MAC on several interfaces).
//
// Locally-administered MACs (second-lowest bit of the first byte) are kept on
// purpose: QEMU/KVM and Proxmox give their virtual NICs 52:54:00:xx:xx:xx,
// which is locally administered, and DS has those VMs on record under exactly
// that MAC. Software interfaces are told apart by the OS instead (virtual),
// and multicast, all-zero and broadcast addresses are never a NIC's own.
func physicalMACs(ifaces []net.Interface, virtual func(string) bool) []string {
	var macs []string
	for _, ifc := range ifaces {
		if ifc.Flags&net.FlagLoopback != 0 {
			continue
		}
		hw := ifc.HardwareAddr
		// DS records 48-bit Ethernet/Wi-Fi MACs; InfiniBand's 20-byte and
		// FireWire's 8-byte addresses have no place in nics.mac_addr.
		if len(hw) != 6 {
			continue
		}
		if hw[0]&0x01 != 0 { // group bit: multicast, broadcast included
			continue
		}
		if hw[0]|hw[1]|hw[2]|hw[3]|hw[4]|hw[5] == 0 {
			continue
		}
		if virtual != nil && virtual(ifc.Name) {
			continue
		}
		macs = append(macs, fmt.Sprintf("%X", []byte(hw)))
	}
	slices.Sort(macs)
	return slices.Compact(macs)
}
