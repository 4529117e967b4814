// Package console runs the technician console (package tui) over a built
// flow on a terminal. The root command (commands/tuicmd) and `demo` both
// start it; neither command imports the other.
package console

import (
	"context"
	"fmt"
	"strings"

	"github.com/imageinvoker/imageinvoker/internal/buildinfo"
	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/config"
	demodata "github.com/imageinvoker/imageinvoker/internal/demo"
	"github.com/imageinvoker/imageinvoker/internal/doctor"
	"github.com/imageinvoker/imageinvoker/internal/flow"
	"github.com/imageinvoker/imageinvoker/internal/logging"
	"github.com/imageinvoker/imageinvoker/internal/setup"
	"github.com/imageinvoker/imageinvoker/internal/termsafe"
	"github.com/imageinvoker/imageinvoker/tui"
	"github.com/muesli/termenv"
	"github.com/spf13/cobra"
)

// AddASCIIFlag registers --ascii.
func AddASCIIFlag(cmd *cobra.Command) {
	cmd.Flags().Bool("ascii", false, "plain ASCII look: no colour, no box-drawing glyphs (also look: ascii, NO_COLOR, TERM=dumb|linux|vt100)")
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

// Run runs the console on io's terminal until it ends.
func (c Console) Run(ctx context.Context, io *cmdutil.IOStreams, getenv func(string) string) error {
	if err := RequireVT(io.Out); err != nil {
		return err
	}
	cfg := c.Flow.Config()
	look := tui.ChooseLook(c.ASCII, cfg.Look.Style, getenv)
	o := tui.Options{
		Look:          look,
		Profile:       termenv.NewOutput(io.Out).EnvColorProfile(),
		IdleTimeout:   cfg.Session.IdleTimeout,
		IdleAction:    cfg.Session.IdleAction,
		AfterQueue:    cfg.Session.AfterQueue,
		StepTimeout:   cfg.Session.StepTimeout + cfg.Machine.WaitRegistration,
		WatchTimeout:  cfg.Session.WatchTimeout,
		TypeToConfirm: cfg.Menu.TypeToConfirm,
		PowerAction:   tui.SystemPower,
		Context:       ctx,
		Site:          termsafe.Line(cfg.Site),
		Version:       buildinfo.Line(),
		Label:         termsafe.Line(cfg.Label),
	}
	o.Doctor = c.doctorText
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
	return tui.Run(b, o, io.In, io.Out)
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
func OpenLog(io *cmdutil.IOStreams, cfg *config.Config) *logging.Logger {
	log, err := logging.Open(logging.Options{File: cfg.Log.File, Debug: cfg.Log.Debug})
	if err != nil {
		fmt.Fprintf(io.Err, "warning: %v; logging to memory only. Fix log.file (--log-file) to keep a log.\n", err)
	}
	return log
}

// doctorText runs doctor's checklist on this machine's configuration, as
// `imageinvoker doctor` would (without a login: the store is reached but
// not opened when the technician's own login is needed), for the Error
// screen's doctor key.
func (c Console) doctorText(ctx context.Context) string {
	cfg := c.Flow.Config()
	deps := doctor.Deps{Config: cfg, Source: doctor.ConfigSource{File: cfg.Source}, ReadMachine: setup.ReadMachine, Override: c.Override}
	if cfg.Store.Auth == config.AuthTechnician {
		deps.StoreSkip = "needs the technician's password (store.auth: technician)"
	}
	if c.Demo {
		deps.DNSSkip = "the demo directory runs inside this process and has no DNS records"
	}
	var b strings.Builder
	if err := doctor.WriteText(&b, doctor.Run(ctx, deps)); err != nil {
		return "doctor: " + err.Error()
	}
	return b.String()
}
