package app

import (
	"github.com/imageinvoker/imageinvoker/pkg/cmdutil"
	"github.com/spf13/cobra"
)

// addCommands registers every subcommand but version.
func addCommands(root *cobra.Command, f *cmdutil.Factory) {
}
