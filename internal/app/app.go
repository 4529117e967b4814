// Package app is the root command: it wires the subcommands, and maps every
// error to a documented exit code and a message for the user.
package app

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"

	"github.com/imageinvoker/imageinvoker/internal/buildinfo"
	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/commands/version"
	"github.com/imageinvoker/imageinvoker/internal/config"
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

Try it with no infrastructure at all:  imageinvoker demo

On the console (and in run) these flags, and their IMAGEINVOKER_* variables,
are refused unless the config file sets policy: {allow_overrides: true}: they
come only from the config file, since whoever sits at a booted machine can
change its command line:
  ` + policyFlags() + `
and so are the flags that name the machine (--mac, --serial, --uuid,
--asset-tag, --computer-id).`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.Err)
	cmdutil.AddRootFlags(root.PersistentFlags())
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &exitcode.Error{Code: exitcode.Usage, Msg: err.Error() + "\nRun '" + c.CommandPath() + " --help' for usage."}
	})
	// Every command's usage ends with where the exit codes are (help
	// exit-codes), and the lines of its own where a command differs
	// (annotation exitCodes). A usage func, not a usage template: cobra
	// links text/template (and its reflection, which defeats dead-code
	// elimination) only when a template is set, and that costs the
	// boot-media binary hundreds of kilobytes.
	usage := root.UsageFunc()
	root.SetUsageFunc(func(c *cobra.Command) error {
		if err := usage(c); err != nil {
			return err
		}
		_, err := fmt.Fprint(c.OutOrStderr(), exitCodesLine(c))
		return err
	})
	root.Version = buildinfo.Line()
	root.AddCommand(version.NewCmd(f), exitCodesTopic())
	addCommands(root, f)
	// Made now, not when cobra runs, so conventions reach them too.
	root.InitDefaultCompletionCmd()
	root.InitDefaultHelpCmd()
	conventions(root)
	strictHelp(root)
	return root
}

// policyFlags lists the flags of the settings the console takes only from
// the config file (config.Setting.Policy), wrapped for the help.
func policyFlags() string {
	var b strings.Builder
	col := 2
	for _, s := range config.Settings {
		if !s.Policy {
			continue
		}
		w := "--" + s.Flag
		if b.Len() > 0 {
			if col+len(w)+2 > 78 {
				b.WriteString(",\n  ")
				col = 2
			} else {
				b.WriteString(", ")
				col += 2
			}
		}
		b.WriteString(w)
		col += len(w)
	}
	return b.String()
}

// exitCodesLine is what a command's usage says of exit codes: its own
// lines where it differs from the table, then where the table is.
func exitCodesLine(c *cobra.Command) string {
	if c.Name() == "completion" || c.HasParent() && c.Parent().Name() == "completion" || c.Name() == exitCodesTopicName {
		return ""
	}
	out := "\n"
	if own := c.Annotations[ExitCodesAnnotation]; own != "" {
		out += own + "\n"
	}
	return out + "Exit codes: see 'imageinvoker help " + exitCodesTopicName + "'.\n"
}

// ExitCodesAnnotation is the cobra annotation in which a command gives the
// exit codes it uses differently from the table (doctor's 1).
const ExitCodesAnnotation = "exitCodes"

const exitCodesTopicName = "exit-codes"

// exitCodesTopic is `imageinvoker help exit-codes`: a help topic (not
// runnable), listed under "Additional help topics".
func exitCodesTopic() *cobra.Command {
	return &cobra.Command{
		Use:   exitCodesTopicName,
		Short: "The exit codes every command uses (help exit-codes)",
		Long:  strings.TrimSuffix(exitcode.Help, "\n"),
	}
}

// conventions makes every command follow the command-line conventions: an
// unknown command, subcommand or positional argument is a usage error
// (exit 2, with cobra's suggestions); a command group without a
// subcommand prints its help.
func conventions(root *cobra.Command) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Name() == "help" {
			return // its arguments are topics; cobra says when there is none
		}
		if c.HasSubCommands() {
			c.Args = unknownSub
			if !c.Runnable() {
				c.RunE = func(c *cobra.Command, _ []string) error { return c.Help() }
			}
		} else if args := c.Args; args != nil {
			c.Args = func(c *cobra.Command, a []string) error {
				if err := args(c, a); err != nil {
					return usageErr(c, err.Error())
				}
				return nil
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// strictHelp makes `help TOPIC` of an unknown topic a usage error (cobra
// prints the root's help and exits 0).
func strictHelp(root *cobra.Command) {
	for _, h := range root.Commands() {
		if h.Name() != "help" || h.Run == nil {
			continue
		}
		run := h.Run
		h.Run = nil
		h.RunE = func(c *cobra.Command, args []string) error {
			if cmd, rest, err := root.Find(args); len(args) > 0 && (err != nil || cmd == nil || len(rest) > 0) {
				return usageErr(root, fmt.Sprintf("unknown help topic %q", strings.Join(args, " ")))
			}
			run(c, args)
			return nil
		}
	}
}

// unknownSub refuses any argument of a command group: it names no
// subcommand (cobra found none).
func unknownSub(c *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], c.CommandPath())
	if c.SuggestionsMinimumDistance <= 0 {
		c.SuggestionsMinimumDistance = 2 // cobra's own default, set where it suggests
	}
	if s := c.SuggestionsFor(args[0]); len(s) > 0 {
		msg += " (did you mean " + strings.Join(s, ", ") + "?)"
	}
	return usageErr(c, msg)
}

func usageErr(c *cobra.Command, msg string) error {
	return &exitcode.Error{Code: exitcode.Usage, Msg: msg + "\nRun '" + c.CommandPath() + " --help' for usage."}
}

// Main runs the program and returns its exit code.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	f := cmdutil.New()
	root := NewRootCmd(f)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitcode.OK
	}
	return report(f, cmd, err, ctx.Err() != nil)
}

// report prints err for a person and returns its exit code, both from the
// one error table (exitcode.Describe). The cause is printed only with
// --debug, read from cmd, the command that ran.
func report(f *cmdutil.Factory, cmd *cobra.Command, err error, interrupted bool) int {
	d := exitcode.Describe(err)
	if interrupted {
		fmt.Fprintln(f.IO.Err, "imageinvoker: interrupted")
		return exitcode.Interrupted
	}
	// Messages quote DS and AD names and driver errors: printed without
	// escape sequences (termsafe), like everything else on the terminal.
	fmt.Fprintln(f.IO.Err, "imageinvoker: "+termsafe.Text(d.Line()))
	if d.Detail != nil && d.Detail.Error() != d.Msg && debugOn(f, cmd) {
		fmt.Fprintln(f.IO.Err, "  detail: "+termsafe.Text(d.Detail.Error()))
	}
	return d.Code
}

// debugOn says whether --debug (the root's persistent flag, so every
// command has it) was given to cmd, or IMAGEINVOKER_DEBUG is set.
func debugOn(f *cmdutil.Factory, cmd *cobra.Command) bool {
	if cmd != nil {
		if on, err := cmd.Flags().GetBool("debug"); err == nil && on {
			return true
		}
	}
	return f.Getenv("IMAGEINVOKER_DEBUG") == "1" || f.Getenv("IMAGEINVOKER_DEBUG") == "true"
}
