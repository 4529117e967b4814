//go:build !linux && !windows

package doctor

// routeAndDNS is not known on this system.
func routeAndDNS() (gateways, dns []string, known bool) { return nil, nil, false }
