// Package app is the root command: it wires the subcommands, and maps every
// error to a documented exit code and a message for the user.
package app

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/commands/version"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/internal/termsafe"
	"github.com/spf13/cobra"
)

// NewRootCmd builds the command tree.
func NewRootCmd(f *cmdutil.Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "imageinvoker",
		Short: "Self-service imaging for Altiris Deployment Server 6.9 / Ghost Solution Suite 3.x",
		Long: `ImageInvoker runs on a machine booted into WinPE or Linux automation. It shows who the
machine is, signs the technician in against Active Directory, and offers only the
Deployment Server jobs that DS console security lets this person schedule on this
machine; the chosen job is queued for this machine.

Try it with no infrastructure at all:  imageinvoker demo`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.Err)
	root.PersistentFlags().String("config", "", "config file (env IMAGEINVOKER_CONFIG; default: imageinvoker.yaml next to the binary, then X:\\ImageInvoker\\ or /etc/imageinvoker/)")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &exitcode.Error{Code: exitcode.Usage, Msg: err.Error() + "\nRun '" + c.CommandPath() + " --help' for usage."}
	})
	// Every command's usage ends with the exit codes. A usage func, not a
	// usage template: cobra links text/template (and its reflection, which
	// defeats dead-code elimination) only when a template is set, and that
	// costs the boot-media binary hundreds of kilobytes.
	usage := root.UsageFunc()
	root.SetUsageFunc(func(c *cobra.Command) error {
		if err := usage(c); err != nil {
			return err
		}
		_, err := fmt.Fprint(c.OutOrStderr(), "\n"+exitcode.Help)
		return err
	})
	root.AddCommand(version.NewCmd(f))
	addCommands(root, f)
	return root
}

// Main runs the program and returns its exit code.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	f := cmdutil.New()
	root := NewRootCmd(f)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitcode.OK
	}
	return report(f, err, ctx.Err() != nil)
}

// report prints err for a person and returns its exit code, both from the
// one error table (exitcode.Describe). The cause is printed only with --debug.
func report(f *cmdutil.Factory, err error, interrupted bool) int {
	d := exitcode.Describe(err)
	if interrupted {
		fmt.Fprintln(f.IO.Err, "imageinvoker: interrupted")
		return exitcode.Interrupted
	}
	// Messages quote DS and AD names and driver errors: printed without
	// escape sequences (termsafe), like everything else on the terminal.
	fmt.Fprintln(f.IO.Err, "imageinvoker: "+termsafe.Text(d.Line()))
	if d.Detail != nil && d.Detail.Error() != d.Msg && debugOn(f) {
		fmt.Fprintln(f.IO.Err, "  detail: "+termsafe.Text(d.Detail.Error()))
	}
	return d.Code
}

// debugOn reads --debug from the raw arguments: the error is reported after
// cobra has returned, whichever subcommand parsed the flag.
func debugOn(f *cmdutil.Factory) bool {
	for _, a := range os.Args[1:] {
		if a == "--debug" || a == "--debug=true" || a == "--debug=1" {
			return true
		}
	}
	return f.Getenv("IMAGEINVOKER_DEBUG") == "1" || f.Getenv("IMAGEINVOKER_DEBUG") == "true"
}
