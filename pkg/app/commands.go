package app

import (
	"github.com/imageinvoker/imageinvoker/pkg/cmdutil"
	"github.com/imageinvoker/imageinvoker/pkg/commands/configcheck"
	"github.com/imageinvoker/imageinvoker/pkg/commands/demo"
	"github.com/imageinvoker/imageinvoker/pkg/commands/doctor"
	"github.com/imageinvoker/imageinvoker/pkg/commands/explain"
	"github.com/imageinvoker/imageinvoker/pkg/commands/machine"
	"github.com/imageinvoker/imageinvoker/pkg/commands/menu"
	"github.com/imageinvoker/imageinvoker/pkg/commands/run"
	"github.com/imageinvoker/imageinvoker/pkg/commands/tuicmd"
	"github.com/imageinvoker/imageinvoker/pkg/commands/whoami"
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
