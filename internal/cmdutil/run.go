package cmdutil

import (
	"context"

	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/spf13/cobra"
)

// Dispatch is the end of every command's RunE: it resolves the
// configuration with load (Factory.Config, or QueueConfig for the commands
// that queue), stores it in *cfg, and hands o to runF when a test gave one
// (argv → Options tests), else to run.
func Dispatch[O any](cmd *cobra.Command, load func(*cobra.Command) (*config.Config, error), cfg **config.Config,
	o *O, runF, run func(context.Context, *O) error) error {
	c, err := load(cmd)
	if err != nil {
		return err
	}
	*cfg = c
	if runF != nil {
		return runF(cmd.Context(), o)
	}
	return run(cmd.Context(), o)
}
