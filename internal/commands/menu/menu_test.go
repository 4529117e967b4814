package menu

import (
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/flow"
	"github.com/imageinvoker/imageinvoker/internal/preview"
)

// argv → Options: the first half of the command, with runF in place of run.
func TestArgvToOptions(t *testing.T) {
	cases := []cmdutil.ArgvCase[Options]{
		{Name: "demo", Argv: []string{"--demo", "--as", `LAB\alice`, "--as-groups", `LAB\Techs,LAB\Imaging Techs`, "--json"},
			Want: Options{Flags: preview.Flags{Demo: true, JSON: true, Identity: cmdutil.IdentityFlags{As: `LAB\alice`, Groups: []string{`LAB\Techs`, `LAB\Imaging Techs`}}}}},
		{Name: "store, machine and menu settings", Argv: []string{"--store", "sqlite:x.db", "--serial", "SN1", "--as", "x", "--flat", "--console-security", "off", "--menu-root", "Lab"},
			Want: Options{Flags: preview.Flags{Identity: cmdutil.IdentityFlags{As: "x"}, Machine: cmdutil.MachineFlags{Override: flow.Override{Serial: "SN1"}}}},
			Config: func(c *config.Config) {
				c.Store.URL, c.Menu.Flat, c.Store.ConsoleSecurity, c.Menu.Root = "sqlite:x.db", true, config.SecurityOff, "Lab"
			}},
		{Name: "store from the environment", Argv: []string{"--as", "x"}, Env: map[string]string{"IMAGEINVOKER_STORE": "sqlite:y.db"},
			Want: Options{Flags: preview.Flags{Identity: cmdutil.IdentityFlags{As: "x"}}}, Config: func(c *config.Config) { c.Store.URL = "sqlite:y.db" }},
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
