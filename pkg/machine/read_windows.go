package machine

import (
	"errors"
	"fmt"
	"net"
	"unsafe"

	"golang.org/x/sys/windows"
)

// GetSystemFirmwareTable is called through kernel32 directly: no cgo (the
// binary must stay static) and no WMI (WinPE images often lack the WMI
// optional component).
var (
	kernel32                   = windows.NewLazySystemDLL("kernel32.dll")
	procGetSystemFirmwareTable = kernel32.NewProc("GetSystemFirmwareTable")
)

// rsmbProvider is the 'RSMB' firmware table provider signature.
const rsmbProvider = uint32('R')<<24 | uint32('S')<<16 | uint32('M')<<8 | uint32('B')

// Interface types (ifType, IANA) that are a machine's own NICs. Everything
// else Windows lists (software loopback 24, tunnels 131, PPP 23, virtual 53)
// is made by software.
const (
	ifTypeEthernet = 6
	ifTypeWiFi     = 71
)

func newSource() source {
	return source{
		interfaces: net.Interfaces,
		virtual:    windowsVirtual(),
		smbios:     readRSMB,
	}
}

func readRSMB() (smbiosData, error) {
	if err := procGetSystemFirmwareTable.Find(); err != nil {
		return smbiosData{}, fmt.Errorf("GetSystemFirmwareTable not available: %w", err)
	}
	n, _, callErr := procGetSystemFirmwareTable.Call(uintptr(rsmbProvider), 0, 0, 0)
	if n == 0 {
		return smbiosData{}, fmt.Errorf("GetSystemFirmwareTable(RSMB) size query: %w", callErr)
	}
	buf := make([]byte, n)
	m, _, callErr := procGetSystemFirmwareTable.Call(uintptr(rsmbProvider), 0, uintptr(unsafe.Pointer(&buf[0])), n)
	if m == 0 {
		return smbiosData{}, fmt.Errorf("GetSystemFirmwareTable(RSMB): %w", callErr)
	}
	if m > n {
		return smbiosData{}, fmt.Errorf("GetSystemFirmwareTable(RSMB) grew from %d to %d bytes between calls", n, m)
	}
	return parseRSMB(buf[:m])
}

// windowsVirtual asks GetAdaptersAddresses for each adapter's interface type
// once, by friendly name (which is what net.Interface.Name holds on Windows).
// If that fails nothing is filtered: a stray virtual MAC is harmless, losing
// the real ones is not.
func windowsVirtual() func(string) string {
	var types map[string]uint32
	loaded := false
	return func(name string) string {
		if !loaded {
			loaded = true
			types, _ = adapterTypes()
		}
		t, ok := types[name]
		if !ok || t == ifTypeEthernet || t == ifTypeWiFi {
			return ""
		}
		return fmt.Sprintf("software interface: adapter type %d (%s), not Ethernet (6) or Wi-Fi (71)", t, ifTypeName(t))
	}
}

// ifTypeName names the IANA interface types Windows reports for software
// adapters, so the reason reads without a lookup table.
func ifTypeName(t uint32) string {
	switch t {
	case 23:
		return "PPP"
	case 24:
		return "software loopback"
	case 53:
		return "virtual"
	case 131:
		return "tunnel"
	}
	return "other"
}

func adapterTypes() (map[string]uint32, error) {
	size := uint32(16 * 1024)
	for range 4 {
		// []uint64 keeps the buffer aligned for IpAdapterAddresses.
		buf := make([]uint64, (size+7)/8)
		first := (*windows.IpAdapterAddresses)(unsafe.Pointer(&buf[0]))
		err := windows.GetAdaptersAddresses(windows.AF_UNSPEC, windows.GAA_FLAG_SKIP_UNICAST|windows.GAA_FLAG_SKIP_ANYCAST|windows.GAA_FLAG_SKIP_MULTICAST|windows.GAA_FLAG_SKIP_DNS_SERVER, 0, first, &size)
		if errors.Is(err, windows.ERROR_BUFFER_OVERFLOW) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("GetAdaptersAddresses: %w", err)
		}
		types := make(map[string]uint32)
		for aa := first; aa != nil; aa = aa.Next {
			types[windows.UTF16PtrToString(aa.FriendlyName)] = aa.IfType
		}
		return types, nil
	}
	return nil, errors.New("GetAdaptersAddresses: buffer kept growing")
}
