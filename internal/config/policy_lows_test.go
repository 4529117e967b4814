package config

import (
	"testing"

	"github.com/spf13/pflag"
)

// From the kernel line, session.after_queue, log.debug and log.file are
// policy (they left a signed-in session on the console, or logged what was
// typed in the user field), and session.idle_timeout may only be shortened.
func TestConsoleSessionAndLogArePolicy(t *testing.T) {
	path := writeFile(t, t.TempDir(), FileName, "session:\n  idle_timeout: 5m\n")
	resolve := func(env map[string]string, args ...string) *Config {
		t.Helper()
		fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
		AddGroups(fs, GroupAll)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		env["IMAGEINVOKER_CONFIG"] = path
		c, err := ResolveWith(fs, func(k string) string { return env[k] }, Options{})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		say  string
	}{
		{"after_queue stay from the kernel line", map[string]string{"IMAGEINVOKER_AFTER_QUEUE": "stay"}, nil, "IMAGEINVOKER_AFTER_QUEUE sets session.after_queue"},
		{"debug from the kernel line", map[string]string{"IMAGEINVOKER_DEBUG": "true"}, nil, "IMAGEINVOKER_DEBUG sets log.debug"},
		{"log file by flag", map[string]string{}, []string{"--log-file", "/dev/tty1"}, "--log-file sets log.file"},
		{"idle timeout lengthened", map[string]string{"IMAGEINVOKER_IDLE_TIMEOUT": "100h"}, nil, "longer than the config file's 5m0s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := resolve(tc.env, tc.args...).EnforcePolicy(nil); !isInvalid(err, tc.say) {
				t.Errorf("err = %v, want it refused saying %q", err, tc.say)
			}
		})
	}
	if err := resolve(map[string]string{"IMAGEINVOKER_IDLE_TIMEOUT": "1m"}).EnforcePolicy(nil); err != nil {
		t.Errorf("a shorter idle timeout is refused: %v", err)
	}
}
