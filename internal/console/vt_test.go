package console

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/exitcode"
)

// Where the console cannot process VT sequences, the console says which
// requirement is missing (issue 23); where it can, nothing is said.
func TestRequireVT(t *testing.T) {
	if err := checkVT(os.Stdout, func(*os.File) error { return nil }); err != nil {
		t.Fatal(err)
	}
	err := checkVT(os.Stdout, func(*os.File) error { return errors.New("The parameter is incorrect.") })
	d := exitcode.Describe(err)
	if d.Code != exitcode.Failure || !errors.Is(err, ErrNoVT) {
		t.Fatalf("%+v", d)
	}
	for _, want := range []string{"does not process VT escape sequences", "Windows 10 version 1511", "WinPE 10", "imageinvoker run"} {
		if !strings.Contains(d.Msg, want) {
			t.Errorf("message lacks %q: %s", want, d.Msg)
		}
	}
	// Not a terminal file (a test's buffer): nothing to check.
	if err := RequireVT(&strings.Builder{}); err != nil {
		t.Error(err)
	}
}
