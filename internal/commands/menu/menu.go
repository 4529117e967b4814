// Package menu is `imageinvoker menu`: the boot menu an identity would get
// on a machine, for administrators checking their console security.
package menu

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/flow"
	"github.com/imageinvoker/imageinvoker/internal/preview"
	"github.com/imageinvoker/imageinvoker/internal/termsafe"
	"github.com/imageinvoker/imageinvoker/pkg/menu"
	"github.com/spf13/cobra"
)

// Options are the menu command's dependencies and flags.
type Options struct {
	IO     *cmdutil.IOStreams
	Config *config.Config
	preview.Flags
}

// NewCmd returns the menu command; runF, when not nil, runs instead of run
// (tests of argv → Options).
func NewCmd(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	o := &Options{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "menu",
		Short: "Show the boot menu a user would get on a machine (no password, queues nothing)",
		Long: `Show the jobs an AD user with the given groups may schedule on a machine, exactly as
the boot menu would offer them. It needs no password and never queues anything.`,
		Example: `  imageinvoker menu --demo --as 'LAB\alice' --as-groups 'LAB\Imaging Techs,LAB\Techs'
  imageinvoker menu --store sqlite:express.db --mac AA:BB:CC:DD:EE:FF --as 'LAB\alice' --as-groups 'LAB\Techs' --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := f.Config(cmd)
			if err != nil {
				return err
			}
			o.Config = cfg
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return run(cmd.Context(), o)
		},
	}
	o.AddFlags(cmd)
	return cmd
}

// run loads the menu and prints it.
func run(ctx context.Context, o *Options) error {
	return preview.Show(ctx, o.IO, o.Config, &o.Flags, func(res *preview.Result) error {
		if o.JSON {
			return WriteJSON(o.IO.Out, res.Menu)
		}
		if err := WriteText(o.IO.Out, res.Menu); err != nil {
			return err
		}
		return noRoot(o.IO.Out, res.Menu, res.Config.Menu.Root, res.Config.Menu.Tag)
	})
}

type menuJSON struct {
	Computer cmdutil.ComputerJSON `json:"computer"`
	Jobs     []cmdutil.JobJSON    `json:"jobs"`
}

// WriteJSON prints every job on the menu once, in menu order.
func WriteJSON(w io.Writer, mm *flow.Menu) error {
	out := menuJSON{Computer: cmdutil.ComputerOf(mm.Computer), Jobs: []cmdutil.JobJSON{}}
	for _, e := range mm.Menu.Entries() {
		out.Jobs = append(out.Jobs, cmdutil.JobOf(e))
	}
	return cmdutil.WriteJSON(w, out)
}

// WriteText prints the menu as an indented tree.
func WriteText(w io.Writer, mm *flow.Menu) error {
	// DS names are printed without escape sequences (termsafe); --json keeps them exact.
	fmt.Fprintf(w, "Menu for %s (computer %d): %d job(s)\n", termsafe.Line(mm.Computer.Name), mm.Computer.ID, mm.Menu.Count)
	if mm.Menu.Count == 0 {
		if mm.Snapshot != nil && mm.Snapshot.RootFolderID == 0 {
			return nil // noRoot says why: not the groups
		}
		_, err := fmt.Fprintln(w, "  (no jobs: these groups may schedule nothing on the menu for this machine; `imageinvoker explain --job ID` shows why)")
		return err
	}
	if mm.Menu.Flat {
		for _, e := range mm.Menu.Entries() {
			hint := ""
			if e.Path != "" {
				hint = "  (" + termsafe.Line(e.Path) + ")"
			}
			fmt.Fprintf(w, "  %s%s  [%d]\n", termsafe.Line(e.Name), hint, e.ID)
		}
		return nil
	}
	var walk func(n *menu.Node, depth int)
	walk = func(n *menu.Node, depth int) {
		pad := strings.Repeat("  ", depth)
		for _, sub := range n.Folders {
			fmt.Fprintf(w, "%s%s/\n", pad, termsafe.Line(sub.Name))
			walk(sub, depth+1)
		}
		for _, e := range n.Jobs {
			fmt.Fprintf(w, "%s%s  [%d]\n", pad, termsafe.Line(e.Name), e.ID)
		}
	}
	walk(mm.Menu.Root, 1)
	return nil
}

// noRoot says that DS has no job folder named as menu.root, when it has
// none: a menu of tagged jobs only, or none at all, is then not about the
// user's groups.
func noRoot(w io.Writer, mm *flow.Menu, root, tag string) error {
	if mm.Snapshot == nil || mm.Snapshot.RootFolderID != 0 {
		return nil
	}
	_, err := fmt.Fprintf(w, "  (DS has no job folder named %q (menu.root): only jobs tagged %s in their description can be on the menu. Make the folder in the DS console, or set menu.root to an existing one)\n",
		termsafe.Line(root), termsafe.Line(tag))
	return err
}
