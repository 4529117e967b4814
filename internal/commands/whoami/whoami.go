// Package whoami is `imageinvoker whoami`: sign in against AD and show who
// the directory says you are, the way the menu will see it. It is the
// image builder's first check that DC, CA and domain settings are right.
package whoami

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/directory"
	"github.com/imageinvoker/imageinvoker/internal/setup"
	"github.com/imageinvoker/imageinvoker/internal/termsafe"
	"github.com/imageinvoker/imageinvoker/pkg/model"
	"github.com/spf13/cobra"
)

// Options are the command's dependencies and flags.
type Options struct {
	IO     *cmdutil.IOStreams
	Config *config.Config
	Build  setup.Builder // the flow from the configuration (setup.Build)
	cmdutil.SignInFlags
	JSON bool
	Demo bool
}

// NewCmd returns the whoami command; runF, when not nil, runs instead of
// run (tests of argv → Options).
func NewCmd(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IO, Build: setup.Build}
	cmd := &cobra.Command{
		Use:   "whoami --user NAME --password-stdin",
		Short: "Sign in against Active Directory and show the user, SID and groups",
		Long: `Signs in against Active Directory as the menu does (LDAPS or StartTLS, never a
password in clear unless --allow-plain-ldap) and prints the user, its SID, the
domain controller that answered and the security groups DS console security
will be matched against (nested and primary groups included). A DS console
account (.\name, with directory.ds_accounts) is checked by Deployment Server's
database instead, exactly as at the console.

The password comes from --password-stdin, --password-file or the
IMAGEINVOKER_PASSWORD variable; there is no --password flag, so it never
shows in the process list.`,
		Example: `  echo "$PW" | imageinvoker whoami --user alice --password-stdin --dc ldaps://dc1.lab.example --ca-file ca.pem
  echo alice-demo | imageinvoker whoami --demo --user alice --password-stdin --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := opts.SignInFlags.Bind(f); err != nil {
				return err
			}
			cfg, err := f.Config(cmd)
			if err != nil {
				return err
			}
			opts.Config = cfg
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	opts.SignInFlags.Add(fl)
	fl.BoolVar(&opts.JSON, "json", false, "print the result as JSON on stdout")
	fl.BoolVar(&opts.Demo, "demo", false, "sign in against the built-in demo directory (users alice, bob, carol...)")
	config.AddGroups(fl, config.GroupSite|config.GroupDirectory)
	return cmd
}

// Result is what whoami prints with --json.
type Result struct {
	User     string `json:"user"`
	FullName string `json:"full_name,omitempty"`
	SID      string `json:"sid"`
	DN       string `json:"dn"`
	UPN      string `json:"upn,omitempty"`
	DC       string `json:"dc"`
	// Groups are every configured domain's groups of the user, each with
	// its domain (Group.Domain, the NetBIOS name).
	Groups     []model.Group `json:"groups"`
	Warnings   []string      `json:"warnings,omitempty"`
	RoundTrips int           `json:"round_trips"`
	// Domains are the configured domains; Lookups, with several, what each
	// domain's part of the sign-in cost.
	Domains []model.Domain       `json:"domains,omitempty"`
	Lookups []model.DomainLookup `json:"lookups,omitempty"`
}

// run signs in through the flow, as the console and `run` do, and prints
// the result.
func run(ctx context.Context, o *Options) error {
	password, err := o.Password()
	if err != nil {
		return err
	}
	// An AD sign-in needs no store; a DS console account (.\name) is
	// checked by DS's own database, as at the console.
	env, err := o.Build(ctx, o.Config, setup.Options{Demo: o.Demo, NeedDirectory: true, NoStore: !model.IsDSAccountName(o.User)})
	if err != nil {
		return err
	}
	defer env.Close()
	sess, err := env.Flow.SignIn(ctx, o.User, password)
	if err != nil {
		return err
	}
	defer sess.Close()
	s := sess.SignIn
	for _, w := range s.Warnings {
		fmt.Fprintln(o.IO.Err, "warning: "+termsafe.Line(w))
	}
	res := Result{User: s.Identity.User, FullName: s.Identity.FullName, SID: s.Identity.SID, DN: s.DN, UPN: s.Identity.UPN,
		DC: s.Authority, Groups: s.Groups, Warnings: s.Warnings, RoundTrips: s.RoundTrips, Lookups: s.Lookups,
		Domains: configuredDomains(env.Config.Directory)}
	if o.JSON {
		return cmdutil.WriteJSON(o.IO.Out, res)
	}
	return printText(o.IO.Out, res)
}

// configuredDomains are the AD domains the configuration names, as the
// directory client names them: directory.domains, else directory.domain and
// dns_domain (each derived from the other settings when not given, the
// NetBIOS name upper case); none without AD.
func configuredDomains(d config.DirectoryConfig) []model.Domain {
	if len(d.Domains) > 0 {
		out := make([]model.Domain, 0, len(d.Domains))
		for _, dom := range d.Domains {
			out = append(out, model.Domain{NetBIOS: strings.ToUpper(dom.NetBIOS), DNS: dom.DNS})
		}
		return out
	}
	if !d.Configured() {
		return nil
	}
	dns, netbios := d.DNSDomain, d.Domain
	if dns == "" {
		dns = directory.DNSFromBaseDN(d.BaseDN)
	}
	if netbios == "" {
		netbios, _, _ = strings.Cut(dns, ".")
	}
	return []model.Domain{{NetBIOS: strings.ToUpper(netbios), DNS: dns}}
}

func printText(w io.Writer, r Result) error {
	name := r.User
	if r.FullName != "" {
		name += " (" + r.FullName + ")"
	}
	// Names come from AD: printed without escape sequences (termsafe); --json keeps them exact.
	fmt.Fprintf(w, "User:   %s\nSID:    %s\nDN:     %s\nDC:     %s\nGroups:\n", termsafe.Line(name), r.SID, termsafe.Line(r.DN), termsafe.Line(r.DC))
	width := 6
	for _, g := range r.Groups {
		width = max(width, len(termsafe.Line(g.Domain)))
	}
	for _, g := range r.Groups {
		dom, n := model.SplitAccount(termsafe.Line(g.Name))
		if d := termsafe.Line(g.Domain); d != "" {
			dom = d
		}
		if n == "" {
			dom, n = "?", "(unresolved)"
		}
		fmt.Fprintf(w, "  %-*s %-32s %s\n", width, dom, n, g.SID)
	}
	if len(r.Lookups) > 0 {
		fmt.Fprintln(w, "Domains:")
		for _, l := range r.Lookups {
			role := "groups held for the user as foreign members"
			if l.Home {
				role = "the user's domain: bind and tokenGroups"
			}
			fmt.Fprintf(w, "  %-*s %s, %d groups, %d LDAP requests, %d ms (%s)\n", width, termsafe.Line(l.Domain), termsafe.Line(l.DC),
				l.Groups, l.RoundTrips, l.Millis, role)
		}
	}
	_, err := fmt.Fprintf(w, "(%d LDAP requests)\n", r.RoundTrips)
	return err
}
