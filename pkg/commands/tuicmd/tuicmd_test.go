package tuicmd

import (
	"bytes"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/pkg/cmdutil"
	"github.com/imageinvoker/imageinvoker/pkg/exitcode"
	"github.com/spf13/cobra"
)

func TestWithoutATerminalIsAUsageError(t *testing.T) {
	cases := []struct {
		name          string
		inTTY, outTTY bool
	}{
		{"no terminal at all", false, false},
		{"output piped", true, false},
		{"input piped", false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			f := &cmdutil.Factory{IO: &cmdutil.IOStreams{In: strings.NewReader(""), Out: &out, Err: &out, InTTY: tc.inTTY, OutTTY: tc.outTTY},
				Getenv: func(string) string { return "" }}
			cmd := &cobra.Command{Use: "imageinvoker"}
			Install(cmd, f)
			err := cmd.RunE(cmd, nil)
			if exitcode.Of(err) != exitcode.Usage || !strings.Contains(err.Error(), "imageinvoker run") {
				t.Errorf("got %v (code %d), want a usage error pointing at `imageinvoker run`", err, exitcode.Of(err))
			}
			if out.Len() != 0 {
				t.Errorf("wrote to the terminal streams: %q", out.String())
			}
		})
	}
}
