// Package cmdutil is what every command gets from the root: its streams,
// its environment and its configuration, so commands can be tested with
// buffers and a fake environment instead of the process's own.
package cmdutil

import (
	"fmt"
	"io"
	"net/netip"
	"os"

	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/termsafe"
	"github.com/imageinvoker/imageinvoker/pkg/machine"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"
)

// IOStreams are a command's input and outputs. Data goes to Out, status and
// errors to Err (as gh and gum do), so `--json | jq` always works.
type IOStreams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
	// InTTY and OutTTY say whether In and Out are terminals.
	InTTY, OutTTY bool
}

// System returns the process's own streams.
func System() *IOStreams {
	return &IOStreams{
		In: os.Stdin, Out: os.Stdout, Err: os.Stderr,
		InTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		OutTTY: term.IsTerminal(int(os.Stdout.Fd())),
	}
}

// Factory hands commands their dependencies.
type Factory struct {
	IO     *IOStreams
	Getenv func(string) string
	// Unsetenv removes a variable from the process environment (nil in
	// tests): IMAGEINVOKER_PASSWORD goes once read (secret.Options).
	Unsetenv func(string) error
	// Addrs lists this machine's IP addresses, which choose its site
	// (config sites:); nil reads them with machine.Addrs.
	Addrs func() ([]netip.Addr, error)

	// The configuration, resolved once per invocation (one command runs
	// per process): the first LoadConfig reads it, later calls share it.
	cfg    *config.Config
	cfgErr error
	loaded bool
	warned bool
	// boot: the config is the console's or run's (QueueConfig), where the
	// boot media's config file is the config (config.Options.Boot).
	boot bool
	// MediaPaths replace the default config locations (tests).
	MediaPaths []string
}

// New returns the factory of the real process.
func New() *Factory {
	return &Factory{IO: System(), Getenv: os.Getenv, Unsetenv: os.Unsetenv, Addrs: machine.Addrs}
}

// Config resolves the effective configuration for cmd: defaults, the
// central file, the file, the site, IMAGEINVOKER_* environment, then cmd's
// flags. Its warnings (an unreachable central file) go to stderr.
func (f *Factory) Config(cmd *cobra.Command) (*config.Config, error) {
	cfg, err := f.LoadConfig(cmd)
	if err != nil {
		return nil, err
	}
	first := !f.warned
	f.warn(cfg)
	if cfg.SitePending && first {
		// Only the console asks; everything else runs on the top level.
		fmt.Fprintln(f.IO.Err, "warning: "+termsafe.Line(cfg.SiteReason)+"; here the top-level settings apply (name one with --site)")
	}
	return cfg, nil
}

func (f *Factory) warn(cfg *config.Config) {
	if f.warned {
		return
	}
	f.warned = true
	for _, w := range cfg.Warnings {
		fmt.Fprintln(f.IO.Err, "warning: "+termsafe.Line(w))
	}
}

// LoadConfig is Config without printing the warnings, for the commands
// that show them themselves (doctor, config show).
func (f *Factory) LoadConfig(cmd *cobra.Command) (*config.Config, error) {
	if !f.loaded {
		f.cfg, f.cfgErr = config.ResolveWith(cmd.Flags(), f.Getenv, f.ConfigOptions())
		f.loaded = true
	}
	return f.cfg, f.cfgErr
}

// Reset forgets the resolved configuration, so the next LoadConfig reads
// it again (the console's retry when the central file could not be read).
func (f *Factory) Reset() {
	f.cfg, f.cfgErr, f.loaded, f.warned = nil, nil, false, false
}

// ConfigOptions are the outside parts config.ResolveWith needs.
func (f *Factory) ConfigOptions() config.Options {
	addrs := f.Addrs
	if addrs == nil {
		addrs = machine.Addrs
	}
	return config.Options{Addrs: addrs, Boot: f.boot, MediaPaths: f.MediaPaths}
}

// QueueConfig resolves the configuration of a command that queues (run and
// the console) and enforces the boot-media policy (config.EnforcePolicy).
// The demo is exempt: its store and directory are embedded and replace the
// configured ones, so nothing real can be scheduled.
func (f *Factory) QueueConfig(cmd *cobra.Command, mf *MachineFlags, demo bool) (*config.Config, error) {
	return f.queueConfig(cmd, mf.Given(cmd.Flags()), demo)
}

// RehearseConfig is QueueConfig for `rehearse`, which queues nothing: the
// machine flags are allowed, every setting is held to the policy.
func (f *Factory) RehearseConfig(cmd *cobra.Command, demo bool) (*config.Config, error) {
	return f.queueConfig(cmd, nil, demo)
}

func (f *Factory) queueConfig(cmd *cobra.Command, given []string, demo bool) (*config.Config, error) {
	// Not Config: a pending site choice is the console's to ask (and run's
	// to refuse), not a warning about the top-level settings.
	if !f.loaded {
		f.boot = !demo
	}
	cfg, err := f.LoadConfig(cmd)
	if err != nil {
		return nil, err
	}
	f.warn(cfg)
	if demo {
		if err := cfg.EnforceDemoPolicy(); err != nil {
			return nil, err
		}
		return cfg, nil
	}
	if err := cfg.EnforcePolicy(given); err != nil {
		return nil, err
	}
	return cfg, nil
}

// ForSite is cfg on the site the console's technician chose (sites_prompt),
// with the boot-media policy enforced again over the new settings; given
// are the machine flags given (MachineFlags.Given).
func ForSite(cfg *config.Config, name string, given []string) (*config.Config, error) {
	out, err := cfg.ForSite(name)
	if err != nil {
		return nil, err
	}
	out.ChosenSite("by the technician at the console (sites_prompt)")
	if err := out.EnforcePolicy(given); err != nil {
		return nil, err
	}
	return out, nil
}

// AddRootFlags registers the root command's persistent flags, which every
// command takes: --config and --debug (log.debug, whose error detail
// internal/app prints after the command that ran returns).
func AddRootFlags(fs *pflag.FlagSet) {
	if fs.Lookup("config") == nil {
		fs.String("config", "", `config file (env IMAGEINVOKER_CONFIG; default: imageinvoker.yaml next to the binary, then X:\ImageInvoker\ or /etc/imageinvoker/)`)
	}
	if fs.Lookup("debug") == nil {
		config.AddGroups(fs, config.GroupDebug)
	}
}
