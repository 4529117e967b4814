package explain

import (
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/internal/flow"
	"github.com/imageinvoker/imageinvoker/internal/preview"
)

// argv → Options: the first half of the command, with runF in place of run.
func TestArgvToOptions(t *testing.T) {
	cases := []cmdutil.ArgvCase[Options]{
		{Name: "demo", Argv: []string{"--demo", "--as", `LAB\carol`, "--as-groups", `LAB\Helpdesk`, "--job", "2000001", "--json"},
			Want: Options{JobID: 2000001, Flags: preview.Flags{Demo: true, JSON: true, Identity: cmdutil.IdentityFlags{As: `LAB\carol`, Groups: []string{`LAB\Helpdesk`}}}}},
		{Name: "machine", Argv: []string{"--store", "sqlite:x.db", "--mac", "AA-BB-CC-DD-EE-FF", "--as", "x", "--job", "7"},
			Want:   Options{JobID: 7, Flags: preview.Flags{Identity: cmdutil.IdentityFlags{As: "x"}, Machine: cmdutil.MachineFlags{Override: flow.Override{MACs: []string{"AA-BB-CC-DD-EE-FF"}}}}},
			Config: func(c *config.Config) { c.Store.URL = "sqlite:x.db" }},
		{Name: "no job", Argv: []string{"--demo", "--as", "x"}, WantErr: "--job needs a DS job id", Code: exitcode.Usage},
		{Name: "job not a number", Argv: []string{"--demo", "--as", "x", "--job", "Utilities/BIOS update"}, WantErr: "--job needs a DS job id", Code: exitcode.Usage},
		{Name: "job not positive", Argv: []string{"--demo", "--as", "x", "--job", "-3"}, WantErr: "--job needs a DS job id", Code: exitcode.Usage},
	}
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			if err := tc.Try(NewCmd); err != nil {
				t.Fatal(err)
			}
		})
	}
}
