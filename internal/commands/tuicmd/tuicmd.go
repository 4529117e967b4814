// Package tuicmd is the console: what `imageinvoker` runs with no
// subcommand on a terminal. Without a terminal it refuses with a usage error
// that points at `imageinvoker run`, as gh does for prompts.
package tuicmd

import (
	"context"
	"fmt"
	"strings"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/console"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/internal/setup"
	"github.com/imageinvoker/imageinvoker/internal/termsafe"
	"github.com/imageinvoker/imageinvoker/tui"
	"github.com/muesli/termenv"
	"github.com/spf13/cobra"
)

// Options are the console's dependencies and flags.
type Options struct {
	IO     *cmdutil.IOStreams
	Getenv func(string) string
	// Config is the configuration with the boot-media policy enforced.
	Config *config.Config
	// Given are the machine flags given, for the policy on a chosen site.
	Given   []string
	Machine cmdutil.MachineFlags
	Demo    bool
	ASCII   bool
}

// Install makes cmd (the root command) the console: its flags, with the
// same machine flags as every other command, and its RunE; runF, when not
// nil, runs instead of run (tests of argv → Options).
func Install(cmd *cobra.Command, f *cmdutil.Factory, runF func(context.Context, *Options) error) {
	o := &Options{IO: f.IO, Getenv: f.Getenv}
	fs := cmd.Flags()
	// --debug is the root's persistent flag (cmdutil.AddRootFlags).
	config.AddGroups(fs, config.GroupAll&^config.GroupDebug)
	console.AddASCIIFlag(cmd)
	fs.BoolVar(&o.Demo, "demo", false, "use the embedded demo store and directory instead of the configured ones")
	o.Machine.Add(fs)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if !f.IO.InTTY || !f.IO.OutTTY {
			return exitcode.New(exitcode.Usage,
				"the console needs a terminal. Without one, use `imageinvoker run` (see `imageinvoker run --help`), or `imageinvoker menu` to list jobs.")
		}
		o.ASCII, _ = cmd.Flags().GetBool("ascii")
		o.Given = o.Machine.Given(cmd.Flags())
		load := func(cmd *cobra.Command) (*config.Config, error) {
			c, err := f.QueueConfig(cmd, &o.Machine, o.Demo)
			if err != nil {
				loaded, _ := f.LoadConfig(cmd)
				return nil, startError(loaded, o.Demo, err)
			}
			return c, nil
		}
		cfg, err := retryCentral(f, load)(cmd)
		if err != nil {
			return err
		}
		o.Config = cfg
		if runF != nil {
			return runF(cmd.Context(), o)
		}
		return run(cmd.Context(), o)
	}
}

// run asks for the site when it must, builds the flow and runs the console.
func run(ctx context.Context, o *Options) (err error) {
	cfg := o.Config
	// Before the site prompt, the first thing drawn.
	if err := console.RequireVT(o.IO.Out); err != nil {
		return err
	}
	if cfg.SitePending && !o.Demo {
		if cfg, err = askSite(ctx, o); err != nil {
			return err
		}
	}
	log := console.OpenLog(o.IO, cfg)
	defer log.Close()
	cmdutil.LogStart(log, cfg, "console")
	defer func() { cmdutil.LogEnd(ctx, log, cfg, err, o.IO.Err) }()
	env, err := setup.Build(ctx, cfg, setup.Options{Demo: o.Demo, NeedDirectory: true, Log: log.Logger})
	if err != nil {
		return startError(cfg, o.Demo, err)
	}
	defer env.Close()
	c := console.Console{Flow: env.Flow, Override: o.Machine.Target(env.Demo), ASCII: o.ASCII, Demo: env.Demo, Log: log}
	return c.Run(ctx, o.IO, o.Getenv)
}

// askSite shows the sites_prompt screen and returns the configuration on
// the chosen site.
func askSite(ctx context.Context, o *Options) (*config.Config, error) {
	cfg := o.Config
	p := tui.SitePrompt{
		Reason:      termsafe.Line(cfg.SiteReason),
		Look:        tui.ChooseLook(o.ASCII, cfg.Look.Style, o.Getenv),
		IdleTimeout: cfg.Session.IdleTimeout,
	}
	for _, name := range cfg.SiteNames() {
		p.Sites = append(p.Sites, termsafe.Line(name))
	}
	to := tui.Options{Profile: termenv.NewOutput(o.IO.Out).EnvColorProfile(), Context: ctx}
	name, err := tui.ChooseSite(p, to, o.IO.In, o.IO.Out)
	if exitcode.Of(err) == exitcode.Idle && cfg.Session.IdleAction != config.IdleExit {
		// Idle on the site choice ends like idle on any screen: a
		// console left alone must not sit there forever.
		if perr := tui.SystemPower(tui.IdlePower(cfg.Session.IdleAction)); perr != nil {
			return nil, exitcode.Wrap(exitcode.Failure, perr, "could not %s this machine: %v. Do it by hand.", cfg.Session.IdleAction, perr)
		}
	}
	if err != nil {
		return nil, err
	}
	// The names were shown made safe for the terminal; choose by position.
	for i, shown := range p.Sites {
		if shown == name {
			return cmdutil.ForSite(cfg, cfg.SiteNames()[i], o.Given)
		}
	}
	return nil, fmt.Errorf("site choice: %q is not a site", name)
}

// startError is an error of the console's start (before it draws): it
// names the config file that was loaded, since on boot media which file
// was found is the first question, and, on a production console, offers
// no --demo: a technician at a DS-booted machine wants the real thing.
func startError(cfg *config.Config, demo bool, err error) error {
	if err == nil {
		return nil
	}
	d := exitcode.Describe(err)
	msg, hint := d.Msg, d.Hint
	if !demo {
		hint = strings.TrimSpace(strings.NewReplacer("Or give --store, or try --demo.", "Or give --store.", ", or try --demo", "", " or try --demo", "").Replace(hint))
		msg = strings.ReplaceAll(msg, ", or try --demo", "")
	}
	switch {
	case cfg == nil:
	case cfg.Source == "":
		msg += " (no config file was found, so the built-in defaults apply: put imageinvoker.yaml next to the binary)"
	case !strings.Contains(msg, cfg.Source):
		msg += " (config file: " + cfg.Source + ")"
	}
	return &exitcode.Error{Code: d.Code, Msg: msg, Hint: hint, Err: err}
}
