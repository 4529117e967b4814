package tui

import (
	"bytes"
	"os"
	"strconv"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"golang.org/x/sys/unix"
)

// openPTY opens a real pseudo-terminal pair. A new pty has no size (0x0),
// like a serial console.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { _ = m.Close() })
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return m, s
}

// answer plays the terminal on the master side: it waits for the cursor
// position query and, if reply is not "", answers it.
func answer(t *testing.T, master *os.File, reply string) <-chan string {
	done := make(chan string, 1)
	go func() {
		var got []byte
		buf := make([]byte, 64)
		for !bytes.Contains(got, []byte("\x1b[6n")) {
			n, err := master.Read(buf)
			if err != nil {
				done <- string(got)
				return
			}
			got = append(got, buf[:n]...)
		}
		if reply != "" {
			_, _ = master.WriteString(reply)
		}
		done <- string(got)
	}()
	return done
}

func noEnv(string) string { return "" }

func TestTerminalSizeOnASerialLikeTerminal(t *testing.T) {
	t.Run("asks the terminal", func(t *testing.T) {
		master, slave := openPTY(t)
		if w, _ := unix.IoctlGetWinsize(int(slave.Fd()), unix.TIOCGWINSZ); w != nil && (w.Col != 0 || w.Row != 0) {
			t.Fatalf("a new pty reports %dx%d, want 0x0 (the case under test)", w.Col, w.Row)
		}
		sent := answer(t, master, "\x1b[50;132R")
		got, how := terminalSize(slave, slave, noEnv, 5*time.Second)
		if got != (Size{132, 50}) || how != "asked" {
			t.Errorf("got %v from %s, want 132x50 asked", got, how)
		}
		if q := <-sent; !bytes.Contains([]byte(q), []byte("\x1b[999;999H")) {
			t.Errorf("the query did not move the cursor to 999;999: %q", q)
		}
	})
	t.Run("COLUMNS and LINES first", func(t *testing.T) {
		_, slave := openPTY(t)
		env := map[string]string{"COLUMNS": "100", "LINES": "30"}
		got, how := terminalSize(slave, slave, func(k string) string { return env[k] }, time.Second)
		if got != (Size{100, 30}) || how != "env" {
			t.Errorf("got %v from %s, want 100x30 env", got, how)
		}
	})
	t.Run("no answer: 80x24", func(t *testing.T) {
		master, slave := openPTY(t)
		answer(t, master, "")
		got, how := terminalSize(slave, slave, noEnv, 300*time.Millisecond)
		if got != (Size{80, 24}) || how != "default" {
			t.Errorf("got %v from %s, want 80x24 default", got, how)
		}
	})
	t.Run("a terminal with a size keeps it", func(t *testing.T) {
		_, slave := openPTY(t)
		if err := unix.IoctlSetWinsize(int(slave.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Col: 120, Row: 40}); err != nil {
			t.Fatal(err)
		}
		got, how := terminalSize(slave, slave, noEnv, time.Second)
		if got != (Size{120, 40}) || how != "terminal" {
			t.Errorf("got %v from %s, want 120x40 terminal", got, how)
		}
	})
}

func TestParseSizeAnswer(t *testing.T) {
	for in, want := range map[string]Size{
		"\x1b[24;80R": {80, 24}, "junk\x1b[50;132R": {132, 50},
		"\x1b[0;0R": {}, "\x1b[99999;80R": {}, "\x1b[24;80": {}, "": {},
	} {
		got, ok := parseSizeAnswer([]byte(in))
		if got != want || ok != (want != Size{}) {
			t.Errorf("parseSizeAnswer(%q) = %v %v, want %v", in, got, ok, want)
		}
	}
}

// TestZeroSizeUsesFallback: a 0x0 window size (what bubbletea reads from a
// serial console) lays the console out in Options.Size, not 20x6.
func TestZeroSizeUsesFallback(t *testing.T) {
	o := testOptions(ASCII)
	o.Size = Size{100, 30}
	b := &fakeBackend{machine: knownMachine()}
	h := newHarness(t, b, o, 80, 24)
	h.waitFor("Press Enter to sign in")
	h.send(tea.WindowSizeMsg{Width: 0, Height: 0})
	m := h.finish()
	if m.width != 100 || m.height != 30 {
		t.Errorf("laid out in %dx%d after a 0x0 size, want 100x30", m.width, m.height)
	}
}
