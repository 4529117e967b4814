// Package whoami is `imageinvoker whoami`: sign in against AD and show who
// the directory says you are, the way the menu will see it. It is the
// image builder's first check that DC, CA and domain settings are right.
package whoami

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/demo"
	"github.com/imageinvoker/imageinvoker/internal/directory"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/internal/secret"
	"github.com/imageinvoker/imageinvoker/internal/setup"
	"github.com/imageinvoker/imageinvoker/internal/termsafe"
	"github.com/imageinvoker/imageinvoker/pkg/model"
	"github.com/spf13/cobra"
)

// Options are the command's inputs.
type Options struct {
	IO           *cmdutil.IOStreams
	Getenv       func(string) string
	Unsetenv     func(string) error
	User         string
	PasswordIn   bool
	PasswordFile string
	JSON         bool
	Demo         bool
	Directory    config.DirectoryConfig
}

// NewCmd returns the whoami command.
func NewCmd(f *cmdutil.Factory) *cobra.Command { return newCmd(f, nil) }

// newCmd takes runF to replace Run in argv → options tests.
func newCmd(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IO, Getenv: f.Getenv, Unsetenv: f.Unsetenv}
	cmd := &cobra.Command{
		Use:   "whoami --user NAME --password-stdin",
		Short: "Sign in against Active Directory and show the user, SID and groups",
		Long: `Signs in against Active Directory as the menu does (LDAPS or StartTLS, never a
password in clear unless --allow-plain-ldap) and prints the user, its SID, the
domain controller that answered and the security groups DS console security
will be matched against (nested and primary groups included).

The password comes from --password-stdin, --password-file or the
IMAGEINVOKER_PASSWORD variable; there is no --password flag, so it never
shows in the process list.`,
		Example: `  echo "$PW" | imageinvoker whoami --user alice --password-stdin --dc ldaps://dc1.lab.example --ca-file ca.pem
  echo alice-demo | imageinvoker whoami --demo --user alice --password-stdin --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := f.Config(cmd)
			if err != nil {
				return err
			}
			opts.Directory = cfg.Directory
			if opts.User == "" {
				return exitcode.New(exitcode.Usage, "--user is required (name, DOMAIN\\name or name@domain)")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&opts.User, "user", "u", "", "user to sign in as: name, DOMAIN\\name or name@domain")
	secret.AddFlags(fl, &opts.PasswordIn, &opts.PasswordFile)
	fl.BoolVar(&opts.JSON, "json", false, "print the result as JSON on stdout")
	fl.BoolVar(&opts.Demo, "demo", false, "sign in against the built-in demo directory (users alice, bob, carol...)")
	config.AddFlags(fl, "site", "dc", "domain", "dns-domain", "base-dn", "ca-file", "allow-plain-ldap", "dc-timeout", "dc-total-timeout", "debug")
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
	Groups     []directory.Group `json:"groups"`
	Warnings   []string          `json:"warnings,omitempty"`
	RoundTrips int               `json:"round_trips"`
	// Domains are the configured domains; Lookups, with several, what each
	// domain's part of the sign-in cost.
	Domains []model.Domain           `json:"domains,omitempty"`
	Lookups []directory.DomainLookup `json:"lookups,omitempty"`
}

// Run signs in and prints the result.
func Run(ctx context.Context, o *Options) error {
	if ctx == nil {
		ctx = context.Background()
	}
	password, err := secret.Read(secret.Options{Stdin: o.PasswordIn, File: o.PasswordFile, In: o.IO.In, Getenv: o.Getenv, Unsetenv: o.Unsetenv})
	if err != nil {
		return exitcode.Wrap(exitcode.Usage, err, "%s", err.Error())
	}
	dcfg, err := setup.DirectoryConfig(o.Directory)
	if err != nil {
		return err
	}
	if o.Demo {
		d, err := demo.StartDirectory(ctx)
		if err != nil {
			return exitcode.Wrap(exitcode.Failure, err, "could not start the demo directory")
		}
		defer d.Close()
		dcfg = directory.Config{DCs: []string{d.URL()}, Domain: demo.Domain, DNSDomain: demo.DNSDomain,
			BaseDN: demo.BaseDN, CAPEM: d.CAPEM(), Timeout: dcfg.Timeout, TotalTimeout: dcfg.TotalTimeout}
	}
	client, err := directory.New(dcfg)
	if err != nil {
		return toExit(err)
	}
	s, err := client.SignIn(ctx, o.User, password)
	if err != nil {
		return toExit(err)
	}
	for _, w := range s.Warnings {
		fmt.Fprintln(o.IO.Err, "warning: "+termsafe.Line(w))
	}
	res := Result{User: s.Identity.User, FullName: s.Identity.FullName, SID: s.Identity.SID, DN: s.DN, UPN: s.UPN,
		DC: s.Authority, Groups: s.Groups, Warnings: s.Warnings, RoundTrips: s.RoundTrips, Domains: client.Domains(), Lookups: s.Lookups}
	if o.JSON {
		enc := json.NewEncoder(o.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	return printText(o.IO.Out, res)
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

// toExit maps directory errors to documented exit codes.
func toExit(err error) error {
	var de *directory.Error
	if !errors.As(err, &de) {
		return exitcode.Wrap(exitcode.Failure, err, "sign-in failed: %s", err.Error())
	}
	code := exitcode.BadCredentials
	switch {
	case errors.Is(err, directory.ErrConfig), errors.Is(err, directory.ErrBadUser), errors.Is(err, directory.ErrEmptyPassword):
		code = exitcode.Usage
	case errors.Is(err, directory.ErrForeignDomain), errors.Is(err, directory.ErrDCUnreachable), errors.Is(err, directory.ErrTLS),
		errors.Is(err, directory.ErrTimeout), errors.Is(err, directory.ErrPlainRefused):
		code = exitcode.DirectoryDown
	}
	return exitcode.Wrap(code, de.Err, "%s", de.Error())
}
