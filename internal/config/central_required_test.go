package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// An unreachable central file stops the console and `run` unless the boot
// media's file says include_fallback: true: a LAN attacker who makes it
// unreachable must not drop what only it restricts.
func TestCentralRequired(t *testing.T) {
	dir := t.TempDir()
	c, err := Load(writeFile(t, dir, FileName, "include: "+filepath.Join(dir, "missing.yaml")+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	err = c.EnforcePolicy(nil)
	if !errors.Is(err, ErrCentralUnreachable) || !isInvalid(err, "missing.yaml could not be read", "include_fallback: true") {
		t.Errorf("err = %v, want the console stopped (exit 2) for the unreachable central file", err)
	}
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "the console and `run` stop") {
		t.Errorf("preview warning = %q", c.Warnings)
	}
	c, err = Load(writeFile(t, dir, "fallback.yaml", "include: "+filepath.Join(dir, "missing.yaml")+"\ninclude_fallback: true\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.EnforcePolicy(nil); err != nil {
		t.Errorf("include_fallback: true must go on with the media file: %v", err)
	}
	// Only the media may allow the fallback.
	writeFile(t, dir, "central.yaml", "include_fallback: true\n")
	_, err = Load(writeFile(t, dir, "m.yaml", "include: central.yaml\n"))
	if !isInvalid(err, "line 1: include_fallback: only the boot media's own config file") {
		t.Errorf("err = %v, want a central include_fallback refused", err)
	}
}

// A path include gets the https limits: a FIFO does not hang, /dev/zero
// does not grow, a file over 1 MiB is refused.
func TestPathIncludeLimits(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, []byte("#"+strings.Repeat("x", maxCentral)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ ref, want string }{
		{fifo, "not a regular file (a FIFO)"},
		{"/dev/zero", "device or process path"},
		{"/proc/self/fd/0", "device or process path"},
		{big, "larger than 1048576 bytes"},
	} {
		t.Run(filepath.Base(tc.ref), func(t *testing.T) {
			c, err := Load(writeFile(t, t.TempDir(), FileName, "include: "+tc.ref+"\n"))
			if err != nil {
				t.Fatal(err)
			}
			if c.Central == nil || c.Central.Loaded || !strings.Contains(c.Central.Err, tc.want) {
				t.Errorf("central = %+v, want it not loaded: %s", c.Central, tc.want)
			}
		})
	}
}
