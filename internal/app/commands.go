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
		demo.NewCmd(f, nil),
		run.NewCmd(f, nil),
		run.NewRehearseCmd(f, nil),
		menu.NewCmd(f, nil),
		explain.NewCmd(f, nil),
		whoami.NewCmd(f, nil),
		configcheck.NewCmd(f, nil),
		doctor.NewCmd(f, nil),
		machine.NewCmd(f, nil),
	)
	tuicmd.Install(root, f, nil)
	root.Args = cobra.NoArgs
}
