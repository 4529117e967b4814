// Package cmdutil is what every command gets from the root: its streams,
// its environment and its configuration, so commands can be tested with
// buffers and a fake environment instead of the process's own.
package cmdutil

import (
	"io"
	"os"

	"github.com/imageinvoker/imageinvoker/pkg/config"
	"github.com/spf13/cobra"
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
}

// New returns the factory of the real process.
func New() *Factory {
	return &Factory{IO: System(), Getenv: os.Getenv, Unsetenv: os.Unsetenv}
}

// Config resolves the effective configuration for cmd: defaults, file,
// IMAGEINVOKER_* environment, then cmd's flags.
func (f *Factory) Config(cmd *cobra.Command) (*config.Config, error) {
	return config.Resolve(cmd.Flags(), f.Getenv)
}

// QueueConfig resolves the configuration of a command that queues (run and
// the console) and enforces the boot-media policy (config.EnforcePolicy).
// The demo is exempt: its store and directory are embedded and replace the
// configured ones, so nothing real can be scheduled.
func (f *Factory) QueueConfig(cmd *cobra.Command, mf *MachineFlags, demo bool) (*config.Config, error) {
	cfg, err := f.Config(cmd)
	if err != nil || demo {
		return cfg, err
	}
	if err := cfg.EnforcePolicy(mf.Given(cmd.Flags())); err != nil {
		return nil, err
	}
	return cfg, nil
}
