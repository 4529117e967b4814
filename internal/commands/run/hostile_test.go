package run

import (
	"context"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/internal/flow"
	"github.com/imageinvoker/imageinvoker/internal/setup"
	"github.com/imageinvoker/imageinvoker/internal/termsafe"
	"github.com/imageinvoker/imageinvoker/pkg/express/expresstest"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// evil follows the texts DS and AD hand `run` here: a window title, a
// screen clear, an 8-bit CSI, a C1 NEL, a right-to-left override and mark,
// a bare CR and DEL.
const evil = "\x1b]0;pwned\x07\x1b[2J\u009b2J\u0085\u202e\u200f\r\x7f"

// hostileAD signs LAB\bob (LAB\Techs) in with a hostile name, warning and DC.
type hostileAD struct{}

func (hostileAD) SignIn(context.Context, string, string) (*model.SignIn, error) {
	return &model.SignIn{Identity: model.Identity{User: `LAB\bob` + evil, FullName: "Bob" + evil, Groups: []string{`LAB\Techs`}},
		Authority: "dc1" + evil, Warnings: []string{"plain-ldap" + evil}}, nil
}

func hostileBuild(t *testing.T) setup.Builder {
	impl := setup.Real()
	impl.Directory = func(*config.Config) (flow.IdentitySource, error) { return hostileAD{}, nil }
	return impl.Builder()
}

// run's text shows DS's and AD's names — the job, the computer, who queued
// a pending schedule, the sign-in's warning — without any control, escape or
// bidi character. Mutation B (one of them printed without termsafe) fails it.
func TestRunHostileText(t *testing.T) {
	path := expresstest.LabFile(t)
	expresstest.Exec(t, path, "UPDATE event SET name = name || '"+evil+"' WHERE event_id IN (2000140, 2000150)")
	expresstest.Exec(t, path, "UPDATE computer SET name = name || '"+evil+"' WHERE computer_id = 5000001")
	// Collect inventory waits already, queued by a name DS holds as written.
	expresstest.Exec(t, path, "INSERT INTO event_schedule VALUES (100000003, 5000001, 2000150, NULL, NULL, NULL, 'LAB\\mallory"+evil+"', 'M')")
	cfgFile := cmdutil.WriteFile(t, t.TempDir(), "imageinvoker.yaml",
		"store:\n  url: 'sqlite:"+path+"'\ndirectory:\n  dcs: [ldaps://dc1.lab.example]\n  domain: LAB\n  dns_domain: lab.example\npolicy:\n  allow_overrides: true\n")
	for _, tc := range []struct {
		job  string
		want []string
	}{
		{"2000140", []string{"BIOS update", "PC-042", "plain-ldap", `as LAB\bob`}},
		{"2000150", []string{"Inventory", "already queued by LAB\\mallory", "PC-042"}},
	} {
		t.Run(tc.job, func(t *testing.T) {
			f, ts := cmdutil.Test(nil)
			ts.In.WriteString("pw\n")
			cmd := cmdutil.TestRoot(NewCmd(f, func(ctx context.Context, o *Options) error {
				o.Build = hostileBuild(t)
				return run(ctx, o)
			}))
			err := cmdutil.Execute(cmd, "run", "--config", cfgFile, "--mac", "AA:BB:CC:DD:EE:FF",
				"--user", `LAB\bob`, "--password-stdin", "--job", tc.job, "--yes")
			if err != nil {
				t.Fatalf("run: exit %d: %v\n%s", exitcode.Of(err), err, ts.Err)
			}
			text := ts.Out.String() + ts.Err.String()
			if why := termsafe.Unsafe(text, true); why != "" || strings.Contains(text, "pwned") {
				t.Errorf("run printed %s:\n%q", why, text)
			}
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("run does not say %q:\n%s", w, text)
				}
			}
		})
	}
}
