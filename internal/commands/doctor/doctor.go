// Package doctor is `imageinvoker doctor`: check a booted environment end
// to end — config, DNS, each DC's TCP and TLS, the clock, the eXpress
// database and its tables, this machine in DS — and print a checklist with
// a fix for every failure. It never signs in to AD.
package doctor

import (
	"context"
	"errors"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/doctor"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/internal/setup"
	"github.com/imageinvoker/imageinvoker/pkg/express"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Options are the checklist's inputs.
type Options struct {
	IO   *cmdutil.IOStreams
	JSON bool
	Demo bool
	// The user and a password source open a store that logs in as the
	// technician (store.auth: technician); without a user that store is
	// skipped.
	cmdutil.SignInFlags
	Machine cmdutil.MachineFlags

	// Config is the resolved configuration (nil when it is invalid) and
	// Source where it came from; set by the command before run.
	Config *config.Config
	Source doctor.ConfigSource
}

// AccessOptions are the inputs of `doctor access` (and of its hidden alias
// `doctor --access USER`).
type AccessOptions struct {
	IO       *cmdutil.IOStreams
	Config   *config.Config
	Identity cmdutil.IdentityFlags
	Machine  cmdutil.MachineFlags
	Demo     bool
	JSON     bool
	Sample   int
	Budget   time.Duration
}

// NewCmd returns the doctor command, with its access subcommand; runF,
// when not nil, runs instead of run (tests of argv → Options).
func NewCmd(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	return newCmd(f, runF, nil)
}

// newCmd is NewCmd; accessF, when not nil, runs instead of runAccess for
// both `doctor access` and `doctor --access` (tests that the two spellings
// reach the same AccessOptions).
func newCmd(f *cmdutil.Factory, runF func(context.Context, *Options) error, accessF func(context.Context, *AccessOptions) error) *cobra.Command {
	opts := &Options{IO: f.IO}
	// The hidden alias's flags fill the subcommand's own options.
	alias := &AccessOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check config, DNS, DCs (TLS, certificates, clock), the eXpress database and this machine",
		Long: `Checks the environment end to end and prints a checklist, with a fix under every
failure:

  config        which config file was used, and from where, and that it is valid
  central config
                with include: the central file, whether it was read (lines,
                time), or why not (the boot media's own settings then apply)
  site          with sites: which site this machine gets and why (its IP
                address in a site's subnet, --site), or that none matched
  dns           the DC records _ldap._tcp.dc._msdcs.<dns_domain>
  dc ... connect, dc ... tls
                each DC: TCP, then TLS (LDAPS, or StartTLS for ldap://) and its
                certificate against --ca-file or the system's CAs: wrong name,
                unknown CA, and a wrong clock making a valid certificate look
                expired or not yet valid
  store, store tables
                the eXpress database: reachable, the login works, and every
                table ImageInvoker reads is present and readable
  clock         this machine's clock against the DC's (rootDSE currentTime)
                and the database server's
  machine       this machine is known to Deployment Server

Doctor never signs in to AD and needs no password. When the database login is
the technician's own (store.auth: technician), the store checks are skipped
unless --user and a password (--password-stdin, --password-file or
IMAGEINVOKER_PASSWORD) are given; "store reach" still asks the SQL Server
Browser for the instance's port, opens TCP and reads whether the server offers
TLS, which need no login.

It starts with the network (interfaces, addresses, gateway, DNS), checks each
CA file itself (its certificates and their expiry) and that DS has the job
folder menu.root names; a failed SQL Server connection names its likely
causes.

Every check has its own timeout (--dc-timeout, --dc-total-timeout,
--store-timeout) and the whole run a budget derived from them, so doctor
never hangs.

'doctor access --as USER' compares ImageInvoker's decisions with DS's own
(see 'imageinvoker doctor access --help'). 'doctor --access USER' is a hidden
alias of it that does the same ('doctor --access USER --as-groups G' is
'doctor access --as USER --as-groups G').`,
		Annotations: map[string]string{"exitCodes": `Exit status: 0 when no check failed (warnings and skips allowed), 1 when any
check failed or DS and ImageInvoker disagree, 2 for bad flags (and for
doctor access on a store without DS's procedures).`},
		Example: `  imageinvoker doctor
  imageinvoker doctor --dc ldaps://dc1.lab.example --ca-file ca.pem --store 'sqlserver://ds1/ALTIRIS?database=eXpress'
  imageinvoker doctor --demo --json | jq '.checks[] | select(.status == "fail")'
  imageinvoker doctor access --as 'LAB\alice' --as-groups 'LAB\Techs' --sample 100`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if alias.Identity.As != "" {
				alias.JSON, alias.Demo, alias.Machine = opts.JSON, opts.Demo, opts.Machine
				return accessRunE(cmd, f, alias, accessF)
			}
			opts.BindOptional(f)
			explicit, from := f.Getenv("IMAGEINVOKER_CONFIG"), "named by IMAGEINVOKER_CONFIG"
			if fl := cmd.Flags().Lookup("config"); fl != nil && fl.Changed {
				explicit, from = fl.Value.String(), "named by --config"
			}
			path, _ := config.Find(explicit)
			exe, _ := os.Executable()
			opts.Source = doctor.ConfigSource{File: path, From: SourceOf(explicit, from, path, exe, runtime.GOOS)}
			cfg, err := f.LoadConfig(cmd)
			if err != nil {
				opts.Source.Err = err
			}
			opts.Config = cfg
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.JSON, "json", false, `print {"checks":[{"name","status","detail","fix"}],"ok":bool} on stdout`)
	fl.BoolVar(&opts.Demo, "demo", false, "check the built-in demo store and directory instead of the configured ones")
	opts.SignInFlags.Add(fl)
	config.AddGroups(fl, doctorGroups)
	opts.Machine.Add(fl)
	// The hidden alias: `doctor --access USER` is `doctor access --as USER`.
	fl.StringVar(&alias.Identity.As, "access", "", "")
	fl.StringSliceVar(&alias.Identity.Groups, "as-groups", nil, "")
	addAccessFlags(fl, alias)
	for _, name := range []string{"access", "as-groups", "sample", "access-budget"} {
		_ = fl.MarkHidden(name)
	}
	cmd.AddCommand(newAccessCmd(f, accessF))
	return cmd
}

// doctorGroups are the settings doctor and doctor access take as flags.
const doctorGroups = config.GroupSite | config.GroupStore | config.GroupLogin | config.GroupDirectory

// newAccessCmd returns `doctor access`; runF, when not nil, runs instead of
// runAccess.
func newAccessCmd(f *cmdutil.Factory, runF func(context.Context, *AccessOptions) error) *cobra.Command {
	o := &AccessOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "access --as USER",
		Short: "Compare ImageInvoker's decisions with DS's own for one console user (SQL Server only)",
		Long: `Asks DS itself (SQL Server stores): for each job on USER's candidate menu for
this machine (or --sample N of them) it asks DS's own wc_sel_security_permission
for "Schedule this job" on the job and for each task permission on the
computer, decides the same questions with ImageInvoker's engine, and reports
agreement, listing every disagreement with ImageInvoker's explanation. USER
(--as) is DOMAIN\user (a console user in DS) or .\name (a DS console
account); --as-groups adds the AD groups DS knows them by. It needs no
password and queues nothing.

'doctor --access USER' is a hidden alias of this command that does the same.`,
		Annotations: map[string]string{"exitCodes": `Exit status: 0 when DS and ImageInvoker agree, 1 when they disagree or the
comparison failed, 2 for bad flags and for a store without DS's procedures.`},
		Example: `  imageinvoker doctor access --as 'LAB\alice' --as-groups 'LAB\Techs' --sample 100
  imageinvoker doctor access --as '.\imaging' --mac AA-BB-CC-DD-EE-FF --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return accessRunE(cmd, f, o, runF)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&o.JSON, "json", false, "print the comparison as JSON on stdout")
	fl.BoolVar(&o.Demo, "demo", false, "use the built-in demo store (it is SQLite: DS's own procedure is not there)")
	o.Identity.Add(fl)
	o.Machine.Add(fl)
	addAccessFlags(fl, o)
	config.AddGroups(fl, doctorGroups)
	return cmd
}

// addAccessFlags registers what only the access comparison takes.
func addAccessFlags(fl *pflag.FlagSet, o *AccessOptions) {
	fl.IntVar(&o.Sample, "sample", 0, "check N of the candidate jobs, spread evenly (0: all)")
	fl.DurationVar(&o.Budget, "access-budget", 2*time.Minute, "time budget for the whole comparison")
}

// accessRunE is the end of `doctor access`'s RunE, and of doctor's for
// the alias: the flags are checked and the configuration resolved as for
// every other command.
func accessRunE(cmd *cobra.Command, f *cmdutil.Factory, o *AccessOptions, runF func(context.Context, *AccessOptions) error) error {
	if o.Sample < 0 || o.Budget <= 0 {
		return exitcode.New(exitcode.Usage, "--sample takes 0 or more jobs and --access-budget a positive duration")
	}
	if _, err := o.Identity.Identity(); err != nil {
		return err
	}
	cfg, err := f.Config(cmd)
	if err != nil {
		return err
	}
	o.Config = cfg
	if runF != nil {
		return runF(cmd.Context(), o)
	}
	return runAccess(cmd.Context(), o)
}

// SourceOf says how the config file at path was found: named explicitly
// (from says by what), next to the binary, or in the boot environment's
// standard place.
func SourceOf(explicit, from, path, exe, goos string) string {
	switch {
	case path == "":
		return ""
	case explicit != "":
		return from
	}
	if paths := config.SearchPaths(exe, goos); exe != "" && len(paths) > 0 && paths[0] == path {
		return "found next to the binary"
	}
	return "found in the boot environment's standard place"
}

// run runs the checks and prints the checklist. It returns an error with
// exit code 1 when any check failed, after printing.
func run(ctx context.Context, o *Options) error {
	if ctx == nil {
		ctx = context.Background()
	}
	deps := doctor.Deps{Config: o.Config, Source: o.Source, ReadMachine: setup.ReadMachine, Override: o.Machine.Target(o.Demo)}
	if cfg := o.Config; cfg != nil {
		if o.Demo {
			env, err := setup.Build(ctx, cfg, setup.Options{Demo: true, NeedDirectory: true})
			if err != nil {
				return exitcode.Wrap(exitcode.Failure, err, "could not start the demo: %s", err.Error())
			}
			defer env.Close()
			cfg, deps.Config = env.Config, env.Config
			deps.DNSSkip = "the demo directory runs inside this process and has no DNS records"
		}
		if err := technicianStore(o, cfg, &deps); err != nil {
			return err
		}
	}
	r := doctor.Run(ctx, deps)
	write := doctor.WriteText
	if o.JSON {
		write = doctor.WriteJSON
	}
	if err := write(o.IO.Out, r); err != nil {
		return err
	}
	if failed := r.Failed(); len(failed) > 0 {
		return exitcode.New(exitcode.Failure, "doctor: %d check(s) failed: %s", len(failed), strings.Join(failed, ", "))
	}
	return nil
}

// technicianStore sets how the store is opened when its login is the
// technician's own: skipped without --user, else with NTLM as that user.
func technicianStore(o *Options, cfg *config.Config, deps *doctor.Deps) error {
	if cfg.Store.Auth != config.AuthTechnician {
		return nil
	}
	if o.User == "" {
		deps.StoreSkip = "needs the technician's password (store.auth: technician); run `imageinvoker whoami` to check the sign-in, or give --user NAME --password-stdin"
		return nil
	}
	password, err := o.Password()
	if err != nil {
		return err
	}
	user := o.User
	if dom, _ := cfg.Directory.DefaultDomain(); !strings.ContainsAny(user, `\@`) && dom != "" {
		user = strings.ToUpper(dom) + `\` + user
	}
	opts := express.OpenOptions{QueueMethod: string(cfg.Store.Queue), Timeout: cfg.Store.Timeout, TLS: cfg.StoreTLS(), NTLMUser: user, NTLMPassword: password, Diagnose: true}
	deps.OpenStore = func(ctx context.Context) (doctor.Store, error) {
		url, err := cfg.Store.Location()
		if err != nil {
			return nil, err
		}
		s, err := express.Open(ctx, url, opts)
		if err != nil {
			return nil, err
		}
		return s, nil
	}
	return nil
}

// runAccess is `doctor access`: our engine against DS's own procedure,
// for one console user on this machine.
func runAccess(ctx context.Context, o *AccessOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	cfg := o.Config
	id, err := o.Identity.Identity()
	if err != nil {
		return err
	}
	env, err := setup.Build(ctx, cfg, setup.Options{Demo: o.Demo})
	if err != nil {
		return err
	}
	defer env.Close()
	override := o.Machine.Target(env.Demo)
	fl := env.Flow
	ctx, cancel := context.WithTimeout(ctx, o.Budget)
	defer cancel()
	m, err := fl.Identify(override)
	if err != nil {
		return err
	}
	sess, err := fl.Preview(ctx, id)
	if err != nil {
		return err
	}
	defer sess.Close()
	asker, ok := sess.Reader.(interface {
		doctor.Asker
		Dialect() string
	})
	if !ok || asker.Dialect() != express.DialectSQLServer {
		return exitcode.New(exitcode.Usage,
			"doctor access asks DS's own procedure wc_sel_security_permission, which exists only in a SQL Server eXpress database; this store is not one. Point --store at the DS database.")
	}
	mm, err := fl.LoadMenu(ctx, sess, m)
	if err != nil {
		return err
	}
	r, err := doctor.CheckAccess(ctx, asker, mm.Snapshot, sess.Identity.User, doctor.AccessOptions{Sample: o.Sample, Progress: o.IO.Err})
	var none *doctor.ErrNoConsoleUser
	switch {
	case errors.As(err, &none):
		return exitcode.Wrap(exitcode.Failure, err, "%s", err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		return exitcode.Wrap(exitcode.Failure, err, "doctor access did not finish within --access-budget %s: use --sample N, or a longer budget", o.Budget)
	case err != nil:
		return exitcode.Wrap(exitcode.StoreDown, err, "%s", err.Error())
	}
	write := doctor.WriteAccessText
	if o.JSON {
		write = doctor.WriteAccessJSON
	}
	if err := write(o.IO.Out, r); err != nil {
		return err
	}
	if !r.OK() {
		return exitcode.New(exitcode.Failure, "doctor access: ImageInvoker and DS disagree on %d question(s)", len(r.Disagreements))
	}
	return nil
}
