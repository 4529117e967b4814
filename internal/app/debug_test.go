package app

import (
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/exitcode"
)

// --debug is the root's persistent flag, read from the command that ran:
// every command takes it, before or after its name, and a value that only
// looks like the flag (--as --debug) is not it.
func TestDebugFromTheCommandThatRan(t *testing.T) {
	const detail = "  detail: job not found"
	job := []string{"--demo", "--as", `LAB\x`, "--job", "99999"}
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want bool
	}{
		{"without --debug", append([]string{"explain"}, job...), nil, false},
		{"after the command", append(append([]string{"explain"}, job...), "--debug"), nil, true},
		{"before the command", append([]string{"--debug", "explain"}, job...), nil, true},
		{"--debug=false", append(append([]string{"explain"}, job...), "--debug=false"), nil, false},
		{"IMAGEINVOKER_DEBUG", append([]string{"explain"}, job...), map[string]string{"IMAGEINVOKER_DEBUG": "1"}, true},
		{"a value, not the flag", []string{"explain", "--demo", "--job", "99999", "--as", "--debug"}, nil, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := execute(t, tc.env, "", tc.args...)
			if code != exitcode.UnknownJob {
				t.Fatalf("exit %d, want %d: %s", code, exitcode.UnknownJob, stderr)
			}
			if got := strings.Contains(stderr, detail); got != tc.want {
				t.Errorf("detail shown %v, want %v:\n%s", got, tc.want, stderr)
			}
		})
	}
}
