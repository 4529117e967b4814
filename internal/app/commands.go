package app

import (
	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/commands/configcheck"
	"github.com/imageinvoker/imageinvoker/internal/commands/demo"
	"github.com/imageinvoker/imageinvoker/internal/commands/doctor"
	"github.com/imageinvoker/imageinvoker/internal/commands/explain"
	"github.com/imageinvoker/imageinvoker/internal/commands/machine"
	"github.com/imageinvoker/imageinvoker/internal/commands/menu"
	"github.com/imageinvoker/imageinvoker/internal/commands/run"
	"github.com/imageinvoker/imageinvoker/internal/commands/tuicmd"
	"github.com/imageinvoker/imageinvoker/internal/commands/whoami"
	"github.com/spf13/cobra"
)

// addCommands registers every subcommand but version, and makes the bare
// command start the console UI (on a terminal; a usage error otherwise).
func addCommands(root *cobra.Command, f *cmdutil.Factory) {
	root.AddCommand(
		demo.NewCmd(f),
		run.NewCmd(f),
		menu.NewCmd(f),
		explain.NewCmd(f),
		whoami.NewCmd(f),
		configcheck.NewCmd(f),
		doctor.NewCmd(f),
		machine.NewCmd(f),
	)
	tuicmd.Install(root, f)
	root.Args = cobra.NoArgs
}
