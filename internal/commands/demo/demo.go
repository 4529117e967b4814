// Package demo is `imageinvoker demo`: the whole console on the embedded
// default — the demo eXpress store in SQLite and the demo AD directory,
// both in-process — with the demo accounts on the sign-in screen and a
// stand-in for Deployment Server (dsagent) that picks queued jobs up.
package demo

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/console"
	demodata "github.com/imageinvoker/imageinvoker/internal/demo"
	"github.com/imageinvoker/imageinvoker/internal/demo/dsagent"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/internal/setup"
	"github.com/imageinvoker/imageinvoker/pkg/express"
	"github.com/spf13/cobra"
)

// Options are the demo command's dependencies and flags.
type Options struct {
	IO     *cmdutil.IOStreams
	Getenv func(string) string
	Config *config.Config

	StoreDir    string
	ASCII       bool
	PickupDelay time.Duration
}

// NewCmd returns the demo command; runF, when not nil, runs instead of run
// (tests of argv → Options).
func NewCmd(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	o := &Options{IO: f.IO, Getenv: f.Getenv}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Try the console on a built-in demo Deployment Server and directory",
		Long: `Runs the whole technician console against the embedded demo: a demo eXpress
database (SQLite) and a demo Active Directory (LDAP over TLS), both inside this
process. The demo accounts and their passwords are shown on the sign-in screen.
Queued jobs are written to the demo database. As on boot media, the console hands
over after queueing and exits; then a stand-in for Deployment Server's agent starts
and picks them up after a few seconds (--pickup-delay).

--store-dir keeps the demo database in DIR (as ` + demodata.StoreFile + `) after the demo
ends, so what was queued can be inspected; it is recreated on every start.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.ASCII, _ = cmd.Flags().GetBool("ascii")
			cfg, err := f.Config(cmd)
			if err != nil {
				return err
			}
			if err := cfg.EnforceDemoPolicy(); err != nil {
				return err
			}
			// --store-dir writes a database and a CA file into any folder
			// it names: from the kernel line (IMAGEINVOKER_ARGS) that is a
			// write into the image's root, so beside a config file (the
			// boot media's) it is policy, as log.file is.
			if o.StoreDir != "" && cfg.Source != "" && !cfg.Policy.AllowOverrides {
				return exitcode.New(exitcode.Usage, "--store-dir writes files, and with a config file (%s) it needs policy: {allow_overrides: true} there", cfg.Source)
			}
			if !f.IO.InTTY || !f.IO.OutTTY {
				return exitcode.New(exitcode.Usage,
					"the demo console needs a terminal. Without one, try `imageinvoker run --demo` or `imageinvoker menu --demo`.")
			}
			o.Config = cfg
			if o.StoreDir != "" {
				abs, err := filepath.Abs(o.StoreDir)
				if err != nil {
					return exitcode.Wrap(exitcode.Usage, err, "--store-dir %s: %v", o.StoreDir, err)
				}
				o.StoreDir = abs
			}
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return run(cmd.Context(), o)
		},
	}
	// How the console behaves; the store and directory are the demo's own.
	config.AddGroups(cmd.Flags(), config.GroupConsole|config.GroupWatch|config.GroupLog)
	console.AddASCIIFlag(cmd)
	cmd.Flags().StringVar(&o.StoreDir, "store-dir", "", "keep the demo database in this directory instead of a temporary one")
	cmd.Flags().DurationVar(&o.PickupDelay, "pickup-delay", 4*time.Second, "how long the stand-in for DS's agent, started after the console exits, waits before picking up a queued job")
	return cmd
}

// run starts the demo store, directory and stand-in for DS, then the console.
func run(ctx context.Context, o *Options) (err error) {
	cfg := o.Config
	log := console.OpenLog(o.IO, cfg)
	defer log.Close()
	cmdutil.LogStart(log, cfg, "demo")
	defer func() { cmdutil.LogEnd(ctx, log, cfg, err, o.IO.Err) }()
	env, err := setup.Build(ctx, cfg, setup.Options{Demo: true, NeedDirectory: true, DemoDir: o.StoreDir, Log: log.Logger})
	if err != nil {
		return err
	}
	defer env.Close()
	// The demo runs in the order of the boot wiring, so it shows what a
	// site sees: the console hands over after queueing and exits, and only
	// then does DS's agent (here its stand-in) start and pick the job up.
	c := console.Console{Flow: env.Flow, Override: setup.DemoOverride(), ASCII: o.ASCII, Demo: true, Log: log, HandOver: true}
	runErr := c.Run(ctx, o.IO, o.Getenv)
	store, err := env.Config.Store.Location()
	if err != nil {
		return errors.Join(runErr, err)
	}
	if err := runAgent(ctx, o, store); err != nil {
		return errors.Join(runErr, err)
	}
	return runErr
}

// runAgent starts the stand-in for DS's agent after the console exited,
// and lets it pick up what is pending, saying so.
func runAgent(ctx context.Context, o *Options, store express.URL) error {
	agent, err := dsagent.Start(ctx, store, o.PickupDelay, 500*time.Millisecond)
	if err != nil {
		return err
	}
	defer agent.Close()
	n, err := agent.Pending(ctx)
	if err != nil || n == 0 {
		return err
	}
	// As on boot media: DS's agent starts after ImageInvoker exits.
	fmt.Fprintf(o.IO.Out, "\nThe console has exited.\nDS's agent starts now (the demo's stand-in)...\n")
	ctx, cancel := context.WithTimeout(ctx, o.PickupDelay+30*time.Second)
	defer cancel()
	for n > 0 {
		select {
		case <-ctx.Done():
			return fmt.Errorf("demo DS agent: %d schedule(s) still pending: %w", n, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
		if n, err = agent.Pending(ctx); err != nil {
			return err
		}
	}
	for _, id := range agent.Picked() {
		fmt.Fprintf(o.IO.Out, "DS's agent picked up schedule %d (%s).\n", id, dsagent.PickedUpStatus)
	}
	return nil
}
