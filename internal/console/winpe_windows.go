package console

import "golang.org/x/sys/windows/registry"

// onWinPE says this is Windows PE: its kernel marks itself with the MiniNT
// key, which full Windows does not have.
func onWinPE() bool {
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, `SYSTEM\CurrentControlSet\Control\MiniNT`, registry.QUERY_VALUE)
	if err != nil {
		return false
	}
	_ = k.Close()
	return true
}
