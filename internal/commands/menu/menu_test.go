package menu

import (
	"slices"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/config"
)

// argv → Options: the first half of the command, with runF in place of run.
func TestArgvToOptions(t *testing.T) {
	cases := []cmdutil.ArgvCase[Options]{
		{Name: "demo", Argv: []string{"--demo", "--as", `LAB\alice`, "--as-groups", `LAB\Techs,LAB\Imaging Techs`, "--json"}, Check: func(o *Options) bool {
			return o.Demo && o.JSON && o.Identity.As == `LAB\alice` && slices.Equal(o.Identity.Groups, []string{`LAB\Techs`, `LAB\Imaging Techs`}) &&
				o.Machine.Empty() && o.Config != nil && o.IO != nil
		}},
		{Name: "store, machine and menu settings", Argv: []string{"--store", "sqlite:x.db", "--serial", "SN1", "--as", "x", "--flat", "--console-security", "off", "--menu-root", "Lab"}, Check: func(o *Options) bool {
			c := o.Config
			return c.Store.URL == "sqlite:x.db" && o.Machine.Serial == "SN1" && c.Menu.Flat && c.Store.ConsoleSecurity == config.SecurityOff && c.Menu.Root == "Lab"
		}},
		{Name: "store from the environment", Argv: []string{"--as", "x"}, Env: map[string]string{"IMAGEINVOKER_STORE": "sqlite:y.db"}, Check: func(o *Options) bool { return o.Config.Store.URL == "sqlite:y.db" }},
		{Name: "not a preview setting", Argv: []string{"--as", "x", "--queue-method", "insert"}, WantErr: "unknown flag: --queue-method"},
		{Name: "bad console security", Argv: []string{"--as", "x", "--console-security", "maybe"}, WantErr: "store.console_security"},
	}
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			if err := tc.Try(NewCmd); err != nil {
				t.Fatal(err)
			}
		})
	}
}
