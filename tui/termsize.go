package tui

import (
	"io"
	"os"
	"regexp"
	"strconv"
	"time"

	"golang.org/x/term"
)

// sizeQuery moves the cursor as far right and down as the terminal lets it
// (999;999 is clipped to the last column and row), asks where it is (CSI 6n,
// the cursor position report), and puts it back, as xterm's `resize` does.
const sizeQuery = "\x1b7\x1b[999;999H\x1b[6n\x1b8"

// sizeAnswerWait bounds the wait for the terminal's answer: a terminal that
// does not answer (a dumb serial line) costs this once, at start.
const sizeAnswerWait = 700 * time.Millisecond

// maxSize bounds what an environment variable or a terminal's answer may
// claim, so a wrong value cannot make the console allocate huge frames.
const maxSize = 1000

var cprAnswer = regexp.MustCompile(`\x1b\[(\d{1,5});(\d{1,5})R`)

// TerminalSize is the size the console lays itself out in when the
// terminal reports none: a serial console (ttyS0, IPMI serial-over-LAN)
// has no size, and its ioctl answers 0x0. In order: the terminal's own
// size, COLUMNS and LINES, the terminal's answer to a cursor position
// query, 80x24.
func TerminalSize(in io.Reader, out io.Writer, getenv func(string) string) Size {
	s, _ := terminalSize(in, out, getenv, sizeAnswerWait)
	return s
}

// terminalSize also says where the size came from: "terminal", "env",
// "asked" or "default".
func terminalSize(in io.Reader, out io.Writer, getenv func(string) string, wait time.Duration) (Size, string) {
	fin, inFile := in.(*os.File)
	fout, outFile := out.(*os.File)
	if outFile {
		if w, h, err := term.GetSize(int(fout.Fd())); err == nil && valid(w, h) {
			return Size{w, h}, "terminal"
		}
	}
	if getenv != nil {
		w, errW := strconv.Atoi(getenv("COLUMNS"))
		h, errH := strconv.Atoi(getenv("LINES"))
		if errW == nil && errH == nil && valid(w, h) {
			return Size{w, h}, "env"
		}
	}
	if inFile && outFile && term.IsTerminal(int(fin.Fd())) {
		if s, ok := askSize(fin, fout, wait); ok {
			return s, "asked"
		}
	}
	return Size{80, 24}, "default"
}

func valid(w, h int) bool { return w > 0 && h > 0 && w <= maxSize && h <= maxSize }

// parseSizeAnswer reads the row and column of a cursor position report.
func parseSizeAnswer(b []byte) (Size, bool) {
	m := cprAnswer.FindSubmatch(b)
	if m == nil {
		return Size{}, false
	}
	h, _ := strconv.Atoi(string(m[1]))
	w, _ := strconv.Atoi(string(m[2]))
	if !valid(w, h) {
		return Size{}, false
	}
	return Size{w, h}, true
}
