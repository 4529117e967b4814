// Package testenv is the one answer to "is this CI?" for every test: under
// CI a test that cannot get what it needs (Samba, tmux, Wine, a namespace)
// fails instead of skipping, so a green CI run means the test ran.
package testenv

import (
	"os"
	"testing"
)

// CI reports whether the tests run under CI: the CI variable is set to
// anything but "", "0" or "false" (CI systems set CI=true, some CI=1;
// scripts/test exports CI=true).
func CI() bool {
	switch os.Getenv("CI") {
	case "", "0", "false", "FALSE", "False":
		return false
	}
	return true
}

// SkipOrFail skips t with the reason, or fails it under CI, where what the
// test needs must be there.
func SkipOrFail(t testing.TB, format string, args ...any) {
	t.Helper()
	if CI() {
		t.Fatalf("required under CI: "+format, args...)
	}
	t.Skipf(format+" (set CI=true to make this fail)", args...)
}
