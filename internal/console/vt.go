package console

import (
	"errors"
	"os"

	"github.com/imageinvoker/imageinvoker/internal/exitcode"
)

// vtProbe turns on the terminal's processing of VT escape sequences (the
// console draws with them) and says whether it could; vt_windows.go sets
// it on Windows, elsewhere terminals always process them.
var vtProbe = func(*os.File) error { return nil }

// ErrNoVT says the Windows console cannot process VT sequences.
var ErrNoVT = errors.New("no VT processing")

// RequireVT checks, before anything is drawn, that out's console processes
// VT escape sequences. A Windows console without it (before Windows 10
// 1511: an old WinPE; Wine's own console window) would show raw ESC[K and
// ESC[25;H instead of the console, so this says which requirement is
// missing instead. out that is not a file (tests) passes.
func RequireVT(out any) error {
	f, ok := out.(*os.File)
	if !ok {
		return nil
	}
	return checkVT(f, vtProbe)
}

func checkVT(f *os.File, probe func(*os.File) error) error {
	if err := probe(f); err != nil {
		return &exitcode.Error{Code: exitcode.Failure,
			Msg: "this console cannot show ImageInvoker: it does not process VT escape sequences (SetConsoleMode with ENABLE_VIRTUAL_TERMINAL_PROCESSING failed). " +
				"The console needs Windows 10 version 1511 or later: build the boot image from WinPE 10 or later (the Windows 10/11 ADK). " +
				"`imageinvoker run` works without it.",
			Err: errors.Join(ErrNoVT, err)}
	}
	return nil
}
