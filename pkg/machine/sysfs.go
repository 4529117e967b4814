package machine

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
)

// Paths below a sysfs root. The root is "/" in production and a directory
// built by the test otherwise.
const (
	sysClassNet     = "sys/class/net"
	sysDMITable     = "sys/firmware/dmi/tables/DMI"
	sysDMIEntry     = "sys/firmware/dmi/tables/smbios_entry_point"
	assumedMajor    = 3 // see sysfsSMBIOS
	assumedMinorVer = 0
)

// linuxSource reads the NICs from the kernel and everything else from the
// sysfs tree under root. It is built on every OS so its tests run anywhere.
func linuxSource(root string) source {
	return source{
		interfaces: net.Interfaces,
		virtual:    sysfsVirtual(root),
		smbios:     sysfsSMBIOS(root),
	}
}

// sysfsVirtual tells software interfaces from NICs the Linux way: a NIC has a
// bus device behind it (/sys/class/net/<if>/device); docker0, veth*, bridges,
// bonds, tun/tap, wireguard and dummy interfaces have none. When the
// interface has no sysfs entry at all (sysfs not mounted in a minimal
// initrd) nothing can be told, and the interface is kept rather than losing
// every MAC.
func sysfsVirtual(root string) func(string) string {
	return func(name string) string {
		if name == "" || name == "." || name == ".." || strings.ContainsRune(name, '/') {
			return fmt.Sprintf("interface name %q cannot be looked up in sysfs", name)
		}
		dir := filepath.Join(root, sysClassNet, name)
		if _, err := os.Stat(dir); err != nil {
			return ""
		}
		if _, err := os.Stat(filepath.Join(dir, "device")); err != nil {
			return "software interface (bridge, veth, bond, tun/tap, VPN): no bus device in /" + filepath.ToSlash(filepath.Join(sysClassNet, name, "device"))
		}
		return ""
	}
}

// sysfsSMBIOS reads the raw table the kernel exports. Both files are
// readable by root only, so an unprivileged run gets a clear "run as root".
// When only the entry point is unreadable the table is still decoded, as
// SMBIOS 3.0: every machine from the last fifteen years is 2.6 or later, and
// the version matters only for the byte order of the UUID.
func sysfsSMBIOS(root string) func() (smbiosData, error) {
	return func() (smbiosData, error) {
		var d smbiosData
		tablePath := filepath.Join(root, sysDMITable)
		table, err := os.ReadFile(tablePath)
		if err != nil {
			return d, sysfsReadError(tablePath, err)
		}
		d.table = table
		entryPath := filepath.Join(root, sysDMIEntry)
		raw, err := os.ReadFile(entryPath)
		if err == nil {
			var ep EntryPoint
			ep, err = ParseEntryPoint(raw)
			if err == nil {
				d.major, d.minor = ep.Major, ep.Minor
				return d, nil
			}
		} else {
			err = sysfsReadError(entryPath, err)
		}
		d.major, d.minor = assumedMajor, assumedMinorVer
		d.warnings = append(d.warnings, fmt.Errorf("SMBIOS version unknown, UUID decoded as SMBIOS %d.%d: %w", assumedMajor, assumedMinorVer, err))
		return d, nil
	}
}

func sysfsReadError(path string, err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s does not exist (container, or a kernel without DMI support): UUID, serial, asset tag and model unknown", path)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("no permission to read %s: run as root to get UUID, serial, asset tag and model", path)
	}
	return fmt.Errorf("read %s: %w", path, err)
}
