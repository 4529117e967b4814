package whoami

import (
	"context"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/flow"
	"github.com/imageinvoker/imageinvoker/internal/setup"
	"github.com/imageinvoker/imageinvoker/internal/termsafe"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// evil follows every text AD hands whoami here: a window title, a screen
// clear, an 8-bit CSI, a C1 NEL, a right-to-left override and mark, a bare
// CR and DEL.
const evil = "\x1b]0;pwned\x07\x1b[2J\u009b2J\u0085\u202e\u200f\r\x7f"

// hostileAD is an identity source whose directory holds hostile names:
// the user, its full name, its DN, the DC that answered, its groups and
// their domains, the per-domain lookups, and a warning.
type hostileAD struct{}

func (hostileAD) SignIn(context.Context, string, string) (*model.SignIn, error) {
	si := model.SignIn{
		Identity:  model.Identity{User: `LAB\alice` + evil, FullName: "Alice" + evil, SID: "S-1-5-21-1-2-3-1104", Groups: []string{`LAB\Techs` + evil}, UPN: "alice@lab.example"},
		Authority: "dc1.lab.example" + evil, Warnings: []string{"plain-ldap" + evil}, RoundTrips: 4,
		DN: "CN=Alice" + evil + ",DC=lab",
		Groups: []model.Group{{Name: `LAB\Techs` + evil, SID: "S-1-5-21-1-2-3-1105", Domain: "LAB" + evil},
			{Name: `OTHER\Res` + evil, SID: "S-1-5-21-9-9-9-1106", Domain: "OTHER" + evil}},
		Lookups: []model.DomainLookup{{Domain: "LAB" + evil, DC: "dc1" + evil, Home: true}, {Domain: "OTHER" + evil, DC: "dc9" + evil}},
	}
	return &si, nil
}

// hostileBuild is setup.Build with the AD identity source replaced by hostileAD.
func hostileBuild(t *testing.T) setup.Builder {
	impl := setup.Real()
	impl.Directory = func(*config.Config) (flow.IdentitySource, error) { return hostileAD{}, nil }
	return impl.Builder()
}

// whoami's text (stdout and stderr) shows what AD says without any control,
// escape or bidi character, and shows the names themselves. Mutation B
// (a name printed without termsafe) fails it.
func TestWhoamiHostileDirectory(t *testing.T) {
	f, out, errb := factory("pw\n", nil)
	cmd := NewCmd(f, func(ctx context.Context, o *Options) error {
		o.Build = hostileBuild(t)
		return run(ctx, o)
	})
	if err := cmdutil.Execute(cmd, "--user", `LAB\alice`, "--password-stdin", "--dc", "ldaps://dc1.lab.example", "--domain", "LAB"); err != nil {
		t.Fatalf("whoami: %v\n%s", err, errb)
	}
	for name, text := range map[string]string{"stdout": out.String(), "stderr": errb.String()} {
		if why := termsafe.Unsafe(text, true); why != "" || strings.Contains(text, "pwned") {
			t.Errorf("%s holds %s:\n%q", name, why, text)
		}
	}
	for _, want := range []string{`LAB\alice`, "Alice", "CN=Alice", "dc1.lab.example", "Techs", "Res", "OTHER", "dc9", "plain-ldap"} {
		if !strings.Contains(out.String()+errb.String(), want) {
			t.Errorf("whoami does not show %q:\n%s%s", want, out, errb)
		}
	}
}
