package explain

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
)

// argv → Options: the first half of the command, with runF in place of run.
func TestArgvToOptions(t *testing.T) {
	cases := []struct {
		name    string
		argv    []string
		check   func(*Options) bool
		wantErr string
	}{
		{"demo", []string{"--demo", "--as", `LAB\carol`, "--as-groups", `LAB\Helpdesk`, "--job", "2000001", "--json"},
			func(o *Options) bool {
				return o.Demo && o.JSON && o.JobID == 2000001 && o.Identity.As == `LAB\carol` && o.Config != nil && o.IO != nil
			}, ""},
		{"machine", []string{"--store", "sqlite:x.db", "--mac", "AA-BB-CC-DD-EE-FF", "--as", "x", "--job", "7"},
			func(o *Options) bool {
				return o.Config.Store.URL == "sqlite:x.db" && len(o.Machine.MACs) == 1 && o.JobID == 7 && !o.Demo
			}, ""},
		{"no job", []string{"--demo", "--as", "x"}, nil, "--job needs a DS job id"},
		{"job not a number", []string{"--demo", "--as", "x", "--job", "Utilities/BIOS update"}, nil, "--job needs a DS job id"},
		{"job not positive", []string{"--demo", "--as", "x", "--job", "-3"}, nil, "--job needs a DS job id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, _ := cmdutil.Test(nil)
			var got *Options
			cmd := NewCmd(f, func(_ context.Context, o *Options) error { got = o; return nil })
			cmd.SetArgs(tc.argv)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			err := cmd.Execute()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || exitcode.Of(err) != exitcode.Usage {
					t.Fatalf("err = %v; want a usage error saying %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got == nil || !tc.check(got) {
				t.Fatalf("err = %v; options = %+v", err, got)
			}
		})
	}
}
