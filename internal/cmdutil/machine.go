package cmdutil

import (
	"github.com/imageinvoker/imageinvoker/internal/flow"
	"github.com/spf13/pflag"
)

// MachineFlags name the machine for scripts and previews instead of reading it.
type MachineFlags struct {
	MACs       []string
	Serial     string
	UUID       string
	AssetTag   string
	ComputerID int64
}

// Add registers the flags.
func (m *MachineFlags) Add(fs *pflag.FlagSet) {
	fs.StringArrayVar(&m.MACs, "mac", nil, "this machine's MAC (AA:BB:CC:DD:EE:FF, AA-BB-..., or 12 hex digits); repeat for several NICs")
	fs.StringVar(&m.Serial, "serial", "", "find the machine by its serial number")
	fs.StringVar(&m.UUID, "uuid", "", "find the machine by its SMBIOS system UUID")
	fs.StringVar(&m.AssetTag, "asset-tag", "", "find the machine by its chassis asset tag")
	fs.Int64Var(&m.ComputerID, "computer-id", 0, "use the DS computer with this id (5000001-6000000)")
}

// Override is what the flags name; empty when none was given.
func (m *MachineFlags) Override() flow.Override {
	return flow.Override{MACs: m.MACs, Serial: m.Serial, UUID: m.UUID, AssetTag: m.AssetTag, ComputerID: m.ComputerID}
}

// Empty says no machine flag was given.
func (m *MachineFlags) Empty() bool {
	return len(m.MACs) == 0 && m.Serial == "" && m.UUID == "" && m.AssetTag == "" && m.ComputerID == 0
}

// Given lists the machine flags given on fs, for the boot-media policy.
func (m *MachineFlags) Given(fs *pflag.FlagSet) []string {
	var out []string
	for _, name := range []string{"mac", "serial", "uuid", "asset-tag", "computer-id"} {
		if f := fs.Lookup(name); f != nil && f.Changed {
			out = append(out, name)
		}
	}
	return out
}
