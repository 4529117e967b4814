package console

import (
	"os"

	"golang.org/x/sys/windows"
)

func init() { vtProbe = enableVT }

// enableVT sets ENABLE_VIRTUAL_TERMINAL_PROCESSING on out's console, as
// bubbletea does, and fails where the console does not know the flag.
func enableVT(f *os.File) error {
	h := windows.Handle(f.Fd())
	var mode uint32
	if err := windows.GetConsoleMode(h, &mode); err != nil {
		return err
	}
	if mode&windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING != 0 {
		return nil
	}
	return windows.SetConsoleMode(h, mode|windows.ENABLE_VIRTUAL_TERMINAL_PROCESSING)
}
