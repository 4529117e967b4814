//go:build unix

package tui

import (
	"bytes"
	"errors"
	"os"
	"time"

	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// askSize sends sizeQuery to out and reads the answer from in, in raw mode
// (no echo, no line buffering), for at most wait.
func askSize(in, out *os.File, wait time.Duration) (Size, bool) {
	fd := int(in.Fd())
	old, err := term.MakeRaw(fd)
	if err != nil {
		return Size{}, false
	}
	defer func() { _ = term.Restore(fd, old) }()
	if _, err := out.WriteString(sizeQuery); err != nil {
		return Size{}, false
	}
	deadline := time.Now().Add(wait)
	var got []byte
	buf := make([]byte, 64)
	for len(got) < 256 {
		left := time.Until(deadline)
		if left <= 0 {
			return Size{}, false
		}
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, int(left/time.Millisecond)+1)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil || n == 0 {
			return Size{}, false
		}
		r, err := unix.Read(fd, buf)
		if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil || r <= 0 {
			return Size{}, false
		}
		got = append(got, buf[:r]...)
		if bytes.IndexByte(got, 'R') >= 0 {
			return parseSizeAnswer(got)
		}
	}
	return Size{}, false
}
