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
	"github.com/imageinvoker/imageinvoker/internal/netup"
	"github.com/imageinvoker/imageinvoker/internal/setup"
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
	// HandOver makes the console hand over to DS's agent at once after
	// queueing (tui.Options.HandOver). It is also on when the boot wiring
	// started the console (HandOverEnv, set by the Linux initrd hook) and
	// on WinPE, where every shipped wiring starts DS's agent after
	// ImageInvoker exits.
	HandOver bool
}

// HandOverEnv is set to 1 by the boot wiring that starts DS's agent after
// ImageInvoker exits (scripts/inject-initrd.sh's hook).
const HandOverEnv = "IMAGEINVOKER_HANDOVER"

// handsOver says whether this run hands over to DS's agent after queueing.
func (c Console) handsOver(getenv func(string) string) bool {
	return c.HandOver || getenv(HandOverEnv) == "1" || onWinPE()
}

// Run runs the console on io's terminal until it ends.
func (c Console) Run(ctx context.Context, io *cmdutil.IOStreams, getenv func(string) string) error {
	if err := RequireVT(io.Out); err != nil {
		return err
	}
	cfg := c.Flow.Config()
	look := tui.ChooseLook(c.ASCII, cfg.Look.Style, getenv)
	// The settings come from the config; the console draws its texts
	// (site, label, warnings) through termsafe (tui's safeOptions).
	o := tui.OptionsFrom(cfg)
	o.Look, o.Profile = look, termenv.NewOutput(io.Out).EnvColorProfile()
	o.PowerAction, o.Context, o.Version, o.Doctor = tui.SystemPower, ctx, buildinfo.Line(), c.doctorText
	if c.handsOver(getenv) {
		o.HandOver = true
		if cfg.Machine.WaitRegistration > 0 {
			// DS registers a new machine when its agent contacts it, and the
			// agent starts only after this program exits: a wait here could
			// only run out. The machine screen says what to do instead.
			cfg.Machine.WaitRegistration = 0
			o.StepTimeout = cfg.Session.StepTimeout
			o.ConfigWarnings = append(o.ConfigWarnings,
				"machine.wait_registration does not apply here: DS's agent, which registers new machines, starts after this console exits")
		}
	}
	o.Size = tui.TerminalSize(io.In, io.Out, getenv)
	if c.Demo {
		o.DemoAccounts = DemoAccounts()
	}
	log := c.Log
	if log == nil {
		log = logging.Discard()
	}
	if netup.Supported && getenv(HandOverEnv) == "1" {
		// The Linux initrd hook: no NIC driver, link, address or DNS yet.
		sess := netup.New(netup.Options{Log: func(format string, args ...any) { log.Info("network: " + fmt.Sprintf(format, args...)) }})
		o.Network = func(ctx context.Context, report func(tui.NetStatus)) (tui.NetStatus, error) {
			st, err := sess.Up(ctx, func(st netup.Status) { report(netStatus(st)) })
			return netStatus(st), err
		}
		// Leave the machine as the image's own init expects to find it,
		// unless the media say to keep the network (inject-initrd.sh
		// --keep-network).
		if getenv(KeepNetworkEnv) != "1" {
			defer func() {
				if err := sess.Restore(); err != nil {
					log.Warn("network: taking back the configuration", "err", err)
				}
			}()
		}
	}
	b := tui.NewFlowBackend(c.Flow, c.Override, log.Last)
	defer b.SignOut()
	return tui.Run(b, o, io.In, io.Out)
}

// KeepNetworkEnv set to 1 (by the hook, from inject-initrd.sh
// --keep-network) keeps the network the console brought up for the
// image's own init.
const KeepNetworkEnv = "IMAGEINVOKER_KEEP_NETWORK"

func netStatus(st netup.Status) tui.NetStatus {
	out := tui.NetStatus{Phase: st.Phase, Address: st.Address}
	for _, l := range st.Links {
		line := l.Name
		if l.MAC != "" {
			line += " " + l.MAC
		}
		if l.Driver != "" {
			line += " (" + l.Driver + ")"
		}
		out.Links = append(out.Links, line+": "+l.State)
	}
	for _, m := range st.Missing {
		out.Missing = append(out.Missing, m.String())
	}
	return out
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
