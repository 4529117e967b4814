// Package explain is `imageinvoker explain`: why a user may or may not
// schedule one job on a machine, one sentence per rule that decided.
package explain

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/internal/preview"
	"github.com/imageinvoker/imageinvoker/internal/termsafe"
	"github.com/imageinvoker/imageinvoker/pkg/menu"
	"github.com/spf13/cobra"
)

// Result is what explain prints.
type Result struct {
	Job     cmdutil.JobJSON `json:"job"`
	Allowed bool            `json:"allowed"`
	OnMenu  bool            `json:"on_menu"`
	Reasons []string        `json:"reasons"`
	// erasesWhy says what makes the job erase the disk (the text only).
	erasesWhy []string
}

// Options are the explain command's dependencies and flags.
type Options struct {
	IO     *cmdutil.IOStreams
	Config *config.Config
	preview.Flags
	// JobID is --job, checked to be a DS job id.
	JobID int64
}

// NewCmd returns the explain command; runF, when not nil, runs instead of
// run (tests of argv → Options).
func NewCmd(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	o := &Options{IO: f.IO}
	var job string
	cmd := &cobra.Command{
		Use:   "explain",
		Short: "Explain why a user may or may not schedule a job on a machine",
		Long: `Decide, as DS console security would, whether an AD user with the given groups may
schedule one job on a machine, and print one sentence per rule that decided.
It needs no password and never queues anything.`,
		Example: `  imageinvoker explain --demo --as 'LAB\carol' --as-groups 'LAB\Helpdesk' --job 2000001
  imageinvoker explain --store sqlite:express.db --mac AA-BB-CC-DD-EE-FF --as 'LAB\alice' --as-groups 'LAB\Techs' --job 2000133 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			id, err := strconv.ParseInt(job, 10, 64)
			if err != nil || id <= 0 {
				return exitcode.New(exitcode.Usage, "--job needs a DS job id (a number like 2000133)")
			}
			o.JobID = id
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
	cmd.Flags().StringVar(&job, "job", "", "the DS job id to explain (required)")
	return cmd
}

// run decides the job and prints every rule.
func run(ctx context.Context, o *Options) error {
	return preview.Show(ctx, o.IO, o.Config, &o.Flags, func(res *preview.Result) error {
		mm, id := res.Menu, o.JobID
		j, d, onMenu, err := res.Flow().ExplainJob(ctx, res.Session(), mm, id)
		if err != nil {
			return err
		}
		fx := menu.JobEffects(j, res.Config.Menu.Tag)
		out := Result{Job: cmdutil.JobJSON{ID: j.ID, Name: j.Name, ErasesDisk: fx.ErasesDisk}, Allowed: d.Allowed && onMenu, OnMenu: onMenu, Reasons: []string{}, erasesWhy: fx.Why}
		if e, ok := mm.Menu.Find(strconv.FormatInt(id, 10)); onMenu && ok {
			out.Job.Path = e.Path
		}
		if _, candidate := mm.Snapshot.Jobs[id]; !candidate {
			if mm.Snapshot.RootFolderID == 0 {
				out.Reasons = append(out.Reasons, fmt.Sprintf(
					"Not on the boot menu: DS has no job folder named %q (menu.root), and job %q (id %d) is not tagged %s in its description; make the folder in the DS console (or set menu.root to an existing one), or add the tag.",
					res.Config.Menu.Root, j.Name, j.ID, res.Config.Menu.Tag))
			} else {
				out.Reasons = append(out.Reasons, fmt.Sprintf(
					"Not on the boot menu: job %q (id %d) is neither under the %q folder nor tagged %s in its description; move it there or add the tag.",
					j.Name, j.ID, res.Config.Menu.Root, res.Config.Menu.Tag))
			}
		}
		for _, r := range d.Reasons {
			out.Reasons = append(out.Reasons, r.String())
		}
		// What the store could not know and failed closed on (a DS group
		// whose members this database does not show).
		out.Reasons = append(out.Reasons, mm.Snapshot.Notes...)
		if o.JSON {
			return cmdutil.WriteJSON(o.IO.Out, out)
		}
		return writeText(o.IO.Out, out, mm.Computer.Name)
	})
}

func writeText(w io.Writer, r Result, computer string) error {
	verdict := "NOT ALLOWED"
	if r.Allowed {
		verdict = "ALLOWED"
	}
	// Reasons quote DS names: printed without escape sequences (termsafe); --json keeps them exact.
	fmt.Fprintf(w, "Job %q (%d) on %s: %s\n", termsafe.Line(r.Job.Name), r.Job.ID, termsafe.Line(computer), verdict)
	for _, s := range r.Reasons {
		fmt.Fprintf(w, "  - %s\n", termsafe.Text(s))
	}
	if r.Job.ErasesDisk {
		fmt.Fprintf(w, "This job ERASES THE DISK: %s.\n", strings.Join(r.erasesWhy, "; "))
	}
	return nil
}
