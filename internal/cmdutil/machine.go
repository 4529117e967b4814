package cmdutil

import (
	"github.com/imageinvoker/imageinvoker/internal/flow"
	"github.com/imageinvoker/imageinvoker/internal/setup"
	"github.com/spf13/pflag"
)

// MachineFlags name the machine for scripts and previews instead of
// reading it: the flags fill the flow's Override itself, so the two cannot
// drift apart.
type MachineFlags struct {
	flow.Override
}

// machineFlagNames are the flags Add registers, for the boot-media policy.
var machineFlagNames = []string{"mac", "serial", "uuid", "asset-tag", "computer-id"}

// Add registers the flags.
func (m *MachineFlags) Add(fs *pflag.FlagSet) {
	fs.StringArrayVar(&m.MACs, "mac", nil, "this machine's MAC (AA:BB:CC:DD:EE:FF, AA-BB-..., or 12 hex digits); repeat for several NICs")
	fs.StringVar(&m.Serial, "serial", "", "find the machine by its serial number")
	fs.StringVar(&m.UUID, "uuid", "", "find the machine by its SMBIOS system UUID")
	fs.StringVar(&m.AssetTag, "asset-tag", "", "find the machine by its chassis asset tag")
	fs.Int64Var(&m.ComputerID, "computer-id", 0, "use the DS computer with this id (5000001-6000000)")
}

// Empty says no machine flag was given.
func (m *MachineFlags) Empty() bool {
	return len(m.MACs) == 0 && m.Serial == "" && m.UUID == "" && m.AssetTag == "" && m.ComputerID == 0
}

// Target is the machine a command works on: the one the flags name; else,
// in the demo, the demo machine (this machine is not in the demo's DS);
// else this machine as it reads itself (the empty Override).
func (m *MachineFlags) Target(demo bool) flow.Override {
	if demo && m.Empty() {
		return setup.DemoOverride()
	}
	return m.Override
}

// Given lists the machine flags given on fs, for the boot-media policy.
func (m *MachineFlags) Given(fs *pflag.FlagSet) []string {
	var out []string
	for _, name := range machineFlagNames {
		if f := fs.Lookup(name); f != nil && f.Changed {
			out = append(out, name)
		}
	}
	return out
}
