//go:build !windows

package console

// onWinPE is false off Windows.
func onWinPE() bool { return false }
