package run

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
)

// argv → Options: the first half of the command, with runF in place of run.
func TestArgvToOptions(t *testing.T) {
	cases := []struct {
		name    string
		argv    []string
		env     map[string]string
		tty     bool
		check   func(*Options) bool
		wantErr string
		code    int
	}{
		{"demo", []string{"--demo", "--user", "alice", "--password-stdin", "--job", "Utilities/BIOS update", "--yes", "--json", "--wait"}, nil, false,
			func(o *Options) bool {
				return o.Demo && o.User == "alice" && o.Secret.Stdin && o.Job == "Utilities/BIOS update" && o.Yes && o.JSON && o.Wait &&
					o.Machine.Empty() && o.Config != nil && o.Build != nil && o.IO != nil
			}, "", 0},
		{"user from the environment", []string{"--demo", "--job", "7", "-y"}, map[string]string{"IMAGEINVOKER_USER": `LAB\bob`}, false,
			func(o *Options) bool { return o.User == `LAB\bob` && o.Yes && o.Secret.Getenv != nil }, "", 0},
		{"machine and settings, demo exempt from the policy", []string{"--demo", "--user", "a", "--job", "7", "--yes", "--mac", "00:15:5d:2a:00:42",
			"--computer-id", "5000001", "--queue-method", "insert", "--match", "serial,mac"}, nil, false,
			func(o *Options) bool {
				return slices.Equal(o.Machine.MACs, []string{"00:15:5d:2a:00:42"}) && o.Machine.ComputerID == 5000001 &&
					o.Config.Store.Queue == config.QueueInsert && slices.Equal(o.Config.Machine.Match, config.MatchList{config.MatchSerial, config.MatchMAC})
			}, "", 0},
		{"a terminal may confirm", []string{"--demo", "--user", "a", "--job", "7"}, nil, true, func(o *Options) bool { return !o.Yes }, "", 0},
		{"no job", []string{"--user", "a", "--yes"}, nil, false, nil, "--job is required", exitcode.Usage},
		{"no user", []string{"--job", "7", "--yes"}, nil, false, nil, "--user is required", exitcode.Usage},
		{"no --yes without a terminal", []string{"--user", "a", "--job", "7"}, nil, false, nil, "--yes is required", exitcode.Usage},
		{"policy: no flags on boot media", []string{"--user", "a", "--job", "7", "--yes", "--store", "sqlite:x.db"}, nil, false, nil,
			"--store sets store.url", exitcode.Usage},
		{"bad enumerated value", []string{"--demo", "--user", "a", "--job", "7", "--yes", "--queue-method", "fast"}, nil, false, nil,
			`store.queue: "fast" is not one of [auto insert procedure]`, exitcode.Usage},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, _ := cmdutil.Test(tc.env)
			f.IO.InTTY = tc.tty
			var got *Options
			cmd := NewCmd(f, func(_ context.Context, o *Options) error { got = o; return nil })
			cmd.SetArgs(tc.argv)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			err := cmd.Execute()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || exitcode.Of(err) != tc.code {
					t.Fatalf("err = %v (exit %d); want exit %d saying %q", err, exitcode.Of(err), tc.code, tc.wantErr)
				}
				if got != nil {
					t.Error("run was reached")
				}
				return
			}
			if err != nil || got == nil || !tc.check(got) {
				t.Fatalf("err = %v; options = %+v", err, got)
			}
		})
	}
}
