package run

import (
	"context"
	"fmt"
	"strings"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/flow"
	"github.com/imageinvoker/imageinvoker/internal/setup"
	"github.com/imageinvoker/imageinvoker/internal/termsafe"
	"github.com/spf13/cobra"
)

// NewRehearseCmd returns `imageinvoker rehearse`: run's real sign-in and
// real menu for a named machine, stopping at Confirm. Nothing is queued, so
// the machine flags are allowed without policy.allow_overrides; every
// other setting is held to the console's policy, as on the boot media.
func NewRehearseCmd(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	o := &Options{IO: f.IO, Build: setup.Build, Rehearse: true}
	cmd := &cobra.Command{
		Use:   "rehearse",
		Short: "Sign in and build the real menu for a machine, stop at Confirm: nothing is queued",
		Long: `Rehearse a technician's session against the real Deployment Server and Active
Directory before burning boot media: sign in as the technician (the same
sign-in as the console), find the machine (--mac, --serial, --uuid, --asset-tag or
--computer-id name it; nothing is queued, so they are allowed), build the real
menu, and with --job show what Confirm would show. Nothing is written to the
eXpress database.

The config file is held to the console's policy: its store, directory and menu
settings come from the file only (unless it sets policy.allow_overrides), and
console_security off is refused, so a rehearsal tests the media's own config.`,
		Example: `  imageinvoker rehearse --config imageinvoker.yaml --user 'LAB\alice' --mac 00:15:5D:2A:00:42
  imageinvoker rehearse --config imageinvoker.yaml --user 'LAB\alice' --computer-id 5000001 --job 'Windows/Lab/Win11 Physics'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.SignInFlags.Bind(f); err != nil {
				return err
			}
			// The machine flags are not the policy's here: nothing is queued.
			cfg, err := f.RehearseConfig(cmd, o.Demo)
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
	fs := cmd.Flags()
	o.Machine.Add(fs)
	o.SignInFlags.Add(fs)
	fs.StringVar(&o.Job, "job", "", "show Confirm for this job (its DS id or menu path); without it, the menu")
	fs.BoolVar(&o.Demo, "demo", false, "use the embedded demo store and directory")
	config.AddGroups(fs, config.GroupSite|config.GroupStore|config.GroupMenu|config.GroupLogin|config.GroupQueue|
		config.GroupRegistration|config.GroupDirectory|config.GroupWatch|config.GroupLog)
	return cmd
}

// rehearse signs in, builds the menu and shows it, or Confirm for --job;
// it never calls the flow's Queue.
func (o *Options) rehearse(ctx context.Context, fl *flow.Flow, password string) error {
	m, err := fl.Identify(o.Machine.Target(o.Demo))
	if err != nil {
		return err
	}
	sess, err := fl.SignIn(ctx, o.User, password)
	if err != nil {
		return err
	}
	defer sess.Close()
	for _, w := range sess.SignIn.Warnings {
		fmt.Fprintln(o.IO.Err, "warning: "+termsafe.Line(w))
	}
	fmt.Fprintf(o.IO.Out, "Signed in as %s.\n", termsafe.Line(sess.Identity.User))
	mm, err := fl.LoadMenu(ctx, sess, m)
	if err != nil {
		return err
	}
	fmt.Fprintf(o.IO.Out, "Machine: %s (computer %d)\n", termsafe.Line(mm.Computer.Name), mm.Computer.ID)
	if strings.TrimSpace(o.Job) == "" {
		entries := mm.Menu.Entries()
		fmt.Fprintf(o.IO.Out, "Menu (%d jobs):\n", len(entries))
		for _, e := range entries {
			p := e.Name
			if e.Path != "" {
				p = e.Path + "/" + e.Name
			}
			fmt.Fprintf(o.IO.Out, "  %s  [%d]\n", termsafe.Line(p), e.ID)
		}
		if len(entries) == 0 {
			fmt.Fprintf(o.IO.Out, "  (none: `imageinvoker explain` says why for a job)\n")
		}
		fmt.Fprintln(o.IO.Err, "Rehearsal: nothing was queued. Add --job to see Confirm.")
		return nil
	}
	e, err := fl.Choose(mm, o.Job)
	if err != nil {
		return err
	}
	fmt.Fprintf(o.IO.Out, "Confirm:\n  Job:     %s  [%d]\n", termsafe.Line(strings.TrimPrefix(e.Path+"/"+e.Name, "/")), e.ID)
	fx := e.Effects()
	words, erases := fx.Steps, fx.ErasesDisk
	fmt.Fprintln(o.IO.Out, "  It will:")
	for i, w := range words {
		fmt.Fprintf(o.IO.Out, "    %d. %s\n", i+1, termsafe.Line(w))
	}
	if len(words) == 0 {
		fmt.Fprintln(o.IO.Out, "    (this job has no tasks)")
	}
	if erases {
		fmt.Fprintf(o.IO.Out, "  THIS ERASES THE DISK OF %s.\n", strings.ToUpper(termsafe.Line(mm.Computer.Name)))
	}
	if pending, err := fl.Pending(ctx, sess, mm); err == nil {
		for _, p := range pending {
			fmt.Fprintf(o.IO.Out, "  Already queued for this machine: job %d (schedule %d)\n", p.JobID, p.ID)
		}
	}
	fmt.Fprintln(o.IO.Err, "Rehearsal: stopped at Confirm; nothing was queued.")
	return nil
}
