//go:build !linux && !windows

package machine

import (
	"fmt"
	"net"
	"runtime"
)

// Boot environments are WinPE and Linux; elsewhere (a developer's Mac) only
// the MACs are read, so the rest of the program still runs.
func newSource() source {
	return source{
		interfaces: net.Interfaces,
		smbios: func() (smbiosData, error) {
			return smbiosData{}, fmt.Errorf("reading SMBIOS is not supported on %s: UUID, serial, asset tag and model unknown", runtime.GOOS)
		},
	}
}
