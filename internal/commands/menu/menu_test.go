package menu

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/config"
)

// argv → Options: the first half of the command, with runF in place of run.
func TestArgvToOptions(t *testing.T) {
	cases := []struct {
		name    string
		argv    []string
		env     map[string]string
		check   func(*Options) bool
		wantErr string
	}{
		{"demo", []string{"--demo", "--as", `LAB\alice`, "--as-groups", `LAB\Techs,LAB\Imaging Techs`, "--json"}, nil,
			func(o *Options) bool {
				return o.Demo && o.JSON && o.Identity.As == `LAB\alice` && slices.Equal(o.Identity.Groups, []string{`LAB\Techs`, `LAB\Imaging Techs`}) &&
					o.Machine.Empty() && o.Config != nil && o.IO != nil
			}, ""},
		{"store, machine and menu settings", []string{"--store", "sqlite:x.db", "--serial", "SN1", "--as", "x", "--flat", "--console-security", "off", "--menu-root", "Lab"},
			nil,
			func(o *Options) bool {
				c := o.Config
				return c.Store.URL == "sqlite:x.db" && o.Machine.Serial == "SN1" && c.Menu.Flat && c.Store.ConsoleSecurity == config.SecurityOff && c.Menu.Root == "Lab"
			}, ""},
		{"store from the environment", []string{"--as", "x"}, map[string]string{"IMAGEINVOKER_STORE": "sqlite:y.db"},
			func(o *Options) bool { return o.Config.Store.URL == "sqlite:y.db" }, ""},
		{"not a preview setting", []string{"--as", "x", "--queue-method", "insert"}, nil, nil, "unknown flag: --queue-method"},
		{"bad console security", []string{"--as", "x", "--console-security", "maybe"}, nil, nil, "store.console_security"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, _ := cmdutil.Test(tc.env)
			var got *Options
			cmd := NewCmd(f, func(_ context.Context, o *Options) error { got = o; return nil })
			cmd.SetArgs(tc.argv)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			err := cmd.Execute()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v; want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got == nil || !tc.check(got) {
				t.Fatalf("err = %v; options = %+v", err, got)
			}
		})
	}
}
