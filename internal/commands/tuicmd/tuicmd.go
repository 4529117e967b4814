// Package tuicmd is the console: what `imageinvoker` runs with no
// subcommand on a terminal. Without a terminal it refuses with a usage error
// that points at `imageinvoker run`, as gh does for prompts.
package tuicmd

import (
	"context"
	"fmt"
	"github.com/imageinvoker/imageinvoker/internal/logging"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/config"
	demodata "github.com/imageinvoker/imageinvoker/internal/demo"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/internal/flow"
	"github.com/imageinvoker/imageinvoker/internal/setup"
	"github.com/imageinvoker/imageinvoker/internal/termsafe"
	"github.com/imageinvoker/imageinvoker/tui"
	"github.com/muesli/termenv"
	"github.com/spf13/cobra"
)

// ConfigFlags are the settings the console takes as flags.
var ConfigFlags = []string{
	"site", "store", "store-auth", "queue-method", "console-security", "store-timeout",
	"dc", "domain", "dns-domain", "base-dn", "ca-file", "allow-plain-ldap", "dc-timeout", "dc-total-timeout",
	"match", "wait-registration",
	"menu-root", "menu-tag", "flat",
	"idle-timeout", "idle-action", "after-queue", "watch-timeout", "step-timeout",
	"look", "log-file", "debug",
}

// LookFlags are the settings that change only how the console behaves, not
// where it connects (the demo command takes these).
var LookFlags = []string{
	"flat", "idle-timeout", "idle-action", "after-queue", "watch-timeout", "step-timeout", "look", "log-file", "debug",
}

// Install makes cmd (the root command) the console: its flags, with the
// same machine flags as every other command, and its RunE.
func Install(cmd *cobra.Command, f *cmdutil.Factory) {
	fs := cmd.Flags()
	config.AddFlags(fs, ConfigFlags...)
	AddASCIIFlag(cmd)
	fs.Bool("demo", false, "use the embedded demo store and directory instead of the configured ones")
	mf := &cmdutil.MachineFlags{}
	mf.Add(fs)
	cmd.RunE = runE(f, mf)
}

// AddASCIIFlag registers --ascii.
func AddASCIIFlag(cmd *cobra.Command) {
	cmd.Flags().Bool("ascii", false, "plain ASCII look: no colour, no box-drawing glyphs (also look: ascii, NO_COLOR, TERM=dumb|linux|vt100)")
}

// runE is the console's RunE.
func runE(f *cmdutil.Factory, mf *cmdutil.MachineFlags) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		if !f.IO.InTTY || !f.IO.OutTTY {
			return exitcode.New(exitcode.Usage,
				"the console needs a terminal. Without one, use `imageinvoker run` (see `imageinvoker run --help`), or `imageinvoker menu` to list jobs.")
		}
		fs := cmd.Flags()
		isDemo, _ := fs.GetBool("demo")
		cfg, err := f.QueueConfig(cmd, mf, isDemo)
		if err != nil {
			return err
		}
		ascii, _ := fs.GetBool("ascii")
		if cfg.SitePending && !isDemo {
			if cfg, err = askSite(cmd, f, cfg, mf, ascii); err != nil {
				return err
			}
		}
		o := mf.Override()
		log := OpenLog(f, cfg)
		defer log.Close()
		ctx := cmd.Context()
		env, err := setup.Build(ctx, cfg, setup.Options{Demo: isDemo, NeedDirectory: true, Log: log.Logger})
		if err != nil {
			return err
		}
		defer env.Close()
		if env.Demo && mf.Empty() {
			o = setup.DemoOverride()
		}
		return Console{Flow: env.Flow, Override: o, ASCII: ascii, Demo: env.Demo, Log: log}.Run(ctx, f)
	}
}

// askSite shows the sites_prompt screen and returns cfg on the chosen site.
func askSite(cmd *cobra.Command, f *cmdutil.Factory, cfg *config.Config, mf *cmdutil.MachineFlags, ascii bool) (*config.Config, error) {
	p := tui.SitePrompt{
		Reason:      termsafe.Line(cfg.SiteReason),
		Look:        tui.ChooseLook(ascii, cfg.Look.Style, f.Getenv),
		IdleTimeout: cfg.Session.IdleTimeout,
	}
	for _, name := range cfg.SiteNames() {
		p.Sites = append(p.Sites, termsafe.Line(name))
	}
	o := tui.Options{Profile: termenv.NewOutput(f.IO.Out).EnvColorProfile(), Context: cmd.Context()}
	name, err := tui.ChooseSite(p, o, f.IO.In, f.IO.Out)
	if exitcode.Of(err) == exitcode.Idle && cfg.Session.IdleAction != "exit" {
		// Idle on the site choice ends like idle on any screen: a
		// console left alone must not sit there forever.
		if perr := tui.SystemPower(cfg.Session.IdleAction); perr != nil {
			return nil, exitcode.Wrap(exitcode.Failure, perr, "could not %s this machine: %v. Do it by hand.", cfg.Session.IdleAction, perr)
		}
	}
	if err != nil {
		return nil, err
	}
	// The names were shown made safe for the terminal; choose by position.
	for i, shown := range p.Sites {
		if shown == name {
			return cmdutil.ForSite(cfg, cfg.SiteNames()[i], cmd, mf, false)
		}
	}
	return nil, fmt.Errorf("site choice: %q is not a site", name)
}

// Console is one run of the console over a built flow.
type Console struct {
	Flow     *flow.Flow
	Override flow.Override
	ASCII    bool
	// Demo shows the demo accounts on the sign-in screen.
	Demo bool
	// Log's last lines are shown on the Error screen.
	Log *logging.Logger
}

// Run runs the console on f's terminal until it ends.
func (c Console) Run(ctx context.Context, f *cmdutil.Factory) error {
	cfg := c.Flow.Config()
	look := tui.ChooseLook(c.ASCII, cfg.Look.Style, f.Getenv)
	o := tui.Options{
		Look:          look,
		Profile:       termenv.NewOutput(f.IO.Out).EnvColorProfile(),
		IdleTimeout:   cfg.Session.IdleTimeout,
		IdleAction:    cfg.Session.IdleAction,
		AfterQueue:    cfg.Session.AfterQueue,
		StepTimeout:   cfg.Session.StepTimeout + cfg.Machine.WaitRegistration,
		WatchTimeout:  cfg.Session.WatchTimeout,
		TypeToConfirm: cfg.Menu.TypeToConfirm,
		PowerAction:   tui.SystemPower,
		Context:       ctx,
		Site:          termsafe.Line(cfg.Site),
	}
	for _, w := range cfg.Warnings {
		o.ConfigWarnings = append(o.ConfigWarnings, termsafe.Line(w))
	}
	if c.Demo {
		o.DemoAccounts = DemoAccounts()
	}
	log := c.Log
	if log == nil {
		log = logging.Discard()
	}
	b := tui.NewFlowBackend(c.Flow, c.Override, log.Last)
	defer b.SignOut()
	return tui.Run(b, o, f.IO.In, f.IO.Out)
}

// DemoAccounts are the demo users as the sign-in screen lists them.
func DemoAccounts() []tui.DemoAccount {
	var out []tui.DemoAccount
	for _, a := range demodata.Accounts {
		out = append(out, tui.DemoAccount{User: a.Sam, Password: a.Password, Story: a.Story})
	}
	// DS console accounts are typed `.\name`: DS checks them, not AD.
	for _, a := range demodata.DSAccounts {
		out = append(out, tui.DemoAccount{User: a.User(), Password: a.Password, Story: a.Story})
	}
	return out
}

// OpenLog opens the configured log. A log file that cannot be written (read-only
// boot media, no RAM drive) is not a reason to keep a technician from imaging:
// the console warns and keeps the log in memory for the Error screen.
func OpenLog(f *cmdutil.Factory, cfg *config.Config) *logging.Logger {
	log, err := logging.Open(logging.Options{File: cfg.Log.File, Debug: cfg.Log.Debug})
	if err != nil {
		fmt.Fprintf(f.IO.Err, "warning: %v; logging to memory only. Fix log.file (--log-file) to keep a log.\n", err)
	}
	return log
}
