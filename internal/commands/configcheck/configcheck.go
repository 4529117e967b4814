// Package configcheck is `imageinvoker config`: `check` validates a config
// file offline before an image builder seals it into boot media, and
// `sample` prints the documented sample to start from. Neither touches the
// network: a build machine often can't reach the DCs or the DS database.
package configcheck

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/internal/termsafe"
	"github.com/spf13/cobra"
)

// CheckOptions are the inputs of `config check`.
type CheckOptions struct {
	IO *cmdutil.IOStreams
	// File is the positional FILE; empty means the file the program would find.
	File string
	// Explicit is --config or IMAGEINVOKER_CONFIG, used when File is empty.
	Explicit string
	// Exe is the running binary, whose directory is searched first.
	Exe string
	// Target is --target: linux or windows flags paths of the other system.
	Target string
}

// NewCmd returns the `config` command with its `check`, `sample` and
// `show` subcommands; runF, when not nil, runs instead of `check`'s run
// (tests of argv → CheckOptions).
func NewCmd(f *cmdutil.Factory, runF func(context.Context, *CheckOptions) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Check a config file, show the effective settings, or print the documented sample",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newCheckCmd(f, runF), newSampleCmd(f), newShowCmd(f))
	return cmd
}

func newCheckCmd(f *cmdutil.Factory, runF func(context.Context, *CheckOptions) error) *cobra.Command {
	var target string
	cmd := &cobra.Command{
		Use:   "check [FILE]",
		Short: "Validate a config file offline",
		Long: `Validate a config file without touching the network: every key must be known and
every value valid. Without FILE, checks the file imageinvoker would use: --config,
IMAGEINVOKER_CONFIG, then imageinvoker.yaml next to the binary, then
` + strings.Join(config.SearchPaths("", runtime.GOOS), ", ") + `.

Beyond the keys and values, it checks what the console would refuse at boot:
DC addresses without ldaps:// or ldap://, console_security: off, a store URL
without ?database=, a SQL login in the URL with store.auth: technician,
ds_accounts with store.auth: technician, and each CA file (found next to the
config, holding PEM certificates). It warns about names RFC 2606 reserves for
examples (still the sample's value?) and about a config with no store or no
way to find a DC. --target linux|windows also refuses paths of the other
system (X:\... on Linux media, /etc/... on WinPE).

Prints "ok: FILE" when there is nothing to say. Warnings alone print "FILE:
N warning(s)" and exit 0. Otherwise prints every error, each with its line
and key, and exits 2.`,
		Example: `  imageinvoker config check imageinvoker.yaml
  imageinvoker config sample > imageinvoker.yaml`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts := &CheckOptions{IO: f.IO, Explicit: f.Getenv("IMAGEINVOKER_CONFIG"), Exe: executable()}
			if fl := cmd.Flags().Lookup("config"); fl != nil && fl.Changed {
				opts.Explicit = fl.Value.String()
			}
			if len(args) == 1 {
				opts.File = args[0]
			}
			switch config.Target(target) {
			case config.TargetAny, config.TargetLinux, config.TargetWindows:
				opts.Target = target
			default:
				return exitcode.New(exitcode.Usage, "--target is linux or windows, not %q", target)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runCheck(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&target, "target", "", "the boot media's system, linux or windows: refuse paths of the other one")
	return cmd
}

func newSampleCmd(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "sample",
		Short: "Print the documented sample config (every setting, its flag and variable)",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := f.IO.Out.Write(config.Sample)
			return err
		},
	}
}

func runCheck(_ context.Context, opts *CheckOptions) error {
	path := opts.File
	if path == "" {
		path = opts.Explicit
	}
	if path == "" {
		path = findDefault(opts.Exe)
		if path == "" {
			return exitcode.New(exitcode.Usage,
				"no config file found (looked in %s); name one: imageinvoker config check FILE",
				strings.Join(config.SearchPaths(opts.Exe, runtime.GOOS), ", "))
		}
	}
	// Offline: an https:// include is not fetched (a build machine often
	// cannot reach it); a file include is read and checked.
	lo := config.LintOptions{Dir: filepath.Dir(path), Target: config.Target(opts.Target)}
	c, err := config.LoadWith(path, config.Options{Offline: true})
	if err != nil {
		// Lint's findings in the same pass as the loader's errors.
		return checkError(path, err, config.LintFile(path, lo))
	}
	found := c.Lint(lo)
	if len(found.Errors) > 0 {
		return checkError(path, nil, found)
	}
	for _, w := range c.Warnings {
		fmt.Fprintln(opts.IO.Err, "warning: "+termsafe.Line(w))
	}
	for _, w := range found.Warnings {
		fmt.Fprintln(opts.IO.Err, "warning: "+termsafe.Line(w))
	}
	if n := len(found.Warnings); n > 0 {
		// Not "ok": an empty file or the unedited sample is valid YAML
		// but no image builder's finished config.
		_, err = fmt.Fprintf(opts.IO.Out, "%s: no errors, %d warning(s) above\n", path, n)
	} else {
		_, err = fmt.Fprintf(opts.IO.Out, "ok: %s\n", path)
	}
	if err != nil {
		return err
	}
	if c.Central != nil && c.Central.Loaded {
		// The central file was checked too: say so, so a clean result is
		// not mistaken for "the include was ignored".
		_, err = fmt.Fprintf(opts.IO.Out, "ok: %s (central file, %d lines)\n", termsafe.Line(c.Central.Ref), c.Central.Lines)
	}
	return err
}

// partRE finds where one error of config.Parse's joined message starts.
var partRE = regexp.MustCompile(`; (line \d+: )`)

// checkError lists each error of a failed load (err, nil when it loaded)
// and of Lint on its own line, so an image builder can fix them all in one
// pass rather than one per run.
func checkError(path string, err error, found config.Findings) error {
	var parts []string
	if err != nil {
		code := exitcode.Of(err)
		if !errors.Is(err, config.ErrInvalid) {
			return exitcode.Wrap(code, err, "check %s: %v", path, err)
		}
		msg := strings.TrimPrefix(err.Error(), config.ErrInvalid.Error()+": ")
		msg = strings.TrimPrefix(msg, path+": ")
		msg = partRE.ReplaceAllString(msg, "\n$1")
		parts = strings.Split(msg, "\n")
	}
	parts = append(parts, found.Errors...)
	msg := fmt.Sprintf("%s: %d error(s):\n  %s", path, len(parts), strings.Join(parts, "\n  "))
	if len(found.Warnings) > 0 {
		msg += "\nand " + fmt.Sprint(len(found.Warnings)) + " warning(s):\n  " + strings.Join(found.Warnings, "\n  ")
	}
	return &exitcode.Error{Code: exitcode.Usage, Msg: msg, Err: err}
}
