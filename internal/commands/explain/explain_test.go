package explain

import (
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
)

// argv → Options: the first half of the command, with runF in place of run.
func TestArgvToOptions(t *testing.T) {
	cases := []cmdutil.ArgvCase[Options]{
		{Name: "demo", Argv: []string{"--demo", "--as", `LAB\carol`, "--as-groups", `LAB\Helpdesk`, "--job", "2000001", "--json"}, Check: func(o *Options) bool {
			return o.Demo && o.JSON && o.JobID == 2000001 && o.Identity.As == `LAB\carol` && o.Config != nil && o.IO != nil
		}},
		{Name: "machine", Argv: []string{"--store", "sqlite:x.db", "--mac", "AA-BB-CC-DD-EE-FF", "--as", "x", "--job", "7"}, Check: func(o *Options) bool {
			return o.Config.Store.URL == "sqlite:x.db" && len(o.Machine.MACs) == 1 && o.JobID == 7 && !o.Demo
		}},
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
