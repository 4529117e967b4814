// Package run is `imageinvoker run`: the unattended path from credentials to
// a queued job in one command, over the same flow steps as the TUI.
package run

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/internal/flow"
	"github.com/imageinvoker/imageinvoker/internal/logging"
	"github.com/imageinvoker/imageinvoker/internal/setup"
	"github.com/imageinvoker/imageinvoker/internal/termsafe"
	"github.com/imageinvoker/imageinvoker/pkg/menu"
	"github.com/imageinvoker/imageinvoker/pkg/model"
	"github.com/spf13/cobra"
)

// Options are run's dependencies and flags.
type Options struct {
	IO *cmdutil.IOStreams
	// Config is the configuration, resolved once with the boot-media policy
	// enforced (cmdutil.Factory.QueueConfig).
	Config *config.Config
	Build  setup.Builder // the flow from the configuration (setup.Build)

	Machine cmdutil.MachineFlags
	cmdutil.SignInFlags
	Job  string
	Yes  bool
	JSON bool
	Demo bool
	Wait bool
	// Rehearse (imageinvoker rehearse) stops at Confirm: nothing is queued.
	Rehearse bool
}

// Result is what run prints with --json.
type Result struct {
	ScheduleID    int64 `json:"schedule_id"`
	AlreadyQueued bool  `json:"already_queued"`
	// QueuedBy is who queued the pending schedule that was found, as DS
	// recorded it (DOMAIN\user), when already_queued.
	QueuedBy string               `json:"queued_by,omitempty"`
	Job      cmdutil.JobJSON      `json:"job"`
	Computer cmdutil.ComputerJSON `json:"computer"`
	User     string               `json:"user"`
	PickedUp *model.Schedule      `json:"picked_up,omitempty"`
}

// NewCmd returns the run command; runF, when not nil, runs instead of run
// (tests of argv → Options).
func NewCmd(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	o := &Options{IO: f.IO, Build: setup.Build}
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Sign in and queue one job for this machine, unattended",
		Long: `Identify this machine, sign in to Active Directory, load the jobs this user may
schedule here, and queue the one named by --job (an id or a menu path such as
"Windows/Lab/Win11 Physics"). Nothing is queued unless the job is on this user's
menu for this machine. Without a terminal, --yes is required.

The password comes from --password-stdin, --password-file, or IMAGEINVOKER_PASSWORD;
there is no --password flag, so it never shows in a process list.

The site (--site), the store, directory and menu settings and the machine flags come from the config
file only, unless it sets policy.allow_overrides; console_security off is refused.`,
		Example: `  echo "$PW" | imageinvoker run --config imageinvoker.yaml --user 'LAB\alice' --password-stdin --job 2000133 --yes --json
  printf 'alice-demo' | imageinvoker run --demo --user alice --password-stdin --job 'Windows 11/Student Labs/Win11 Physics Lab' --yes`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.validate(f); err != nil {
				return err
			}
			cfg, err := f.QueueConfig(cmd, &o.Machine, o.Demo)
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
	fs.StringVar(&o.Job, "job", "", "the job to queue: its DS id or its menu path (required)")
	fs.BoolVarP(&o.Yes, "yes", "y", false, "queue without asking (required without a terminal)")
	fs.BoolVar(&o.JSON, "json", false, "print the result as JSON on stdout")
	fs.BoolVar(&o.Demo, "demo", false, "use the embedded demo store and directory")
	fs.BoolVar(&o.Wait, "wait", false, "after queueing, wait until Deployment Server picks the job up (session.watch_timeout)")
	config.AddGroups(fs, config.GroupSite|config.GroupStore|config.GroupMenu|config.GroupLogin|config.GroupQueue|
		config.GroupRegistration|config.GroupDirectory|config.GroupWatch|config.GroupLog)
	return cmd
}

// validate checks what the flags alone decide, before anything is read.
func (o *Options) validate(f *cmdutil.Factory) error {
	if strings.TrimSpace(o.Job) == "" {
		return exitcode.New(exitcode.Usage, "--job is required: a DS job id or a menu path (see `imageinvoker menu`)")
	}
	if err := o.SignInFlags.Bind(f); err != nil {
		return err
	}
	if interactive := o.IO.InTTY && !o.Secret.Stdin; !o.Yes && !interactive {
		return exitcode.New(exitcode.Usage, "--yes is required when not running interactively: nothing was queued")
	}
	return nil
}

// run is the command: sign in, choose the job, confirm, queue, report, and
// with --wait watch for DS to pick it up.
func run(ctx context.Context, o *Options) (err error) {
	if err := refuseBindPasswordFile(o.Config, o.Secret.File, o.Demo); err != nil {
		return err
	}
	password, err := o.Password()
	if err != nil {
		return err
	}
	cfg := o.Config
	if cfg.SitePending && !o.Demo {
		// Only the console asks; a script names the site.
		return exitcode.New(exitcode.Usage, "%s: `run` never asks; name the site with --site NAME (the config file must set policy: {allow_overrides: true}) or add this machine's subnet to a site",
			termsafe.Line(cfg.SiteReason))
	}
	log, lerr := logging.Open(logging.Options{File: cfg.Log.File, Debug: cfg.Log.Debug, Stderr: o.IO.Err})
	if lerr != nil {
		fmt.Fprintf(o.IO.Err, "warning: %v; continuing without a log file\n", lerr)
	}
	defer log.Close()
	command := "run"
	if o.Rehearse {
		command = "rehearse"
	}
	cmdutil.LogStart(log, cfg, command)
	defer func() { cmdutil.LogEnd(ctx, log, cfg, err, o.IO.Err) }()
	env, err := o.Build(ctx, cfg, setup.Options{Demo: o.Demo, NeedDirectory: true, Log: log.Logger})
	if err != nil {
		return err
	}
	defer env.Close()
	fl := env.Flow
	if o.Rehearse {
		return o.rehearse(ctx, fl, password)
	}
	sess, mm, entry, err := o.choose(ctx, fl, password)
	if err != nil {
		return err
	}
	defer sess.Close()
	if err := o.confirm(entry, mm); err != nil {
		return err
	}
	res, err := fl.Queue(ctx, sess, mm, entry)
	if err != nil {
		return err
	}
	out := Result{
		ScheduleID: res.Schedule.ID, AlreadyQueued: res.AlreadyQueued,
		Job:      cmdutil.JobOf(entry),
		Computer: cmdutil.ComputerOf(mm.Computer),
		User:     sess.Identity.User,
	}
	if res.AlreadyQueued {
		out.QueuedBy = res.Schedule.UserName
	}
	if !o.JSON {
		o.printQueued(out)
	}
	if o.Wait {
		if out.PickedUp, err = o.watch(ctx, fl, sess, res.Schedule); err != nil {
			return err
		}
	}
	if o.JSON {
		return json.NewEncoder(o.IO.Out).Encode(out)
	}
	return nil
}

// choose identifies the machine, signs in and finds the job on the menu.
// The session is open when err is nil; close it.
func (o *Options) choose(ctx context.Context, fl *flow.Flow, password string) (*flow.Session, *flow.Menu, menu.Entry, error) {
	m, err := fl.Identify(o.Machine.Target(o.Demo))
	if err != nil {
		return nil, nil, menu.Entry{}, err
	}
	sess, err := fl.SignIn(ctx, o.User, password)
	if err != nil {
		return nil, nil, menu.Entry{}, err
	}
	for _, w := range sess.SignIn.Warnings {
		fmt.Fprintln(o.IO.Err, "warning: "+termsafe.Line(w))
	}
	mm, err := fl.LoadMenu(ctx, sess, m)
	if err == nil {
		var entry menu.Entry
		if entry, err = fl.Choose(mm, o.Job); err == nil {
			return sess, mm, entry, nil
		}
	}
	sess.Close()
	return nil, nil, menu.Entry{}, err
}

// confirm asks on the terminal unless --yes; either way it says when the
// job erases the disk.
func (o *Options) confirm(e menu.Entry, mm *flow.Menu) error {
	// DS names in messages go through termsafe; --json keeps them exact.
	erases := e.Effects().ErasesDisk
	if o.Yes {
		if erases {
			fmt.Fprintf(o.IO.Err, "warning: %q erases the disk of %s.\n", termsafe.Line(e.Name), termsafe.Line(mm.Computer.Name))
		}
		return nil
	}
	warn := ""
	if erases {
		warn = " THIS ERASES THE DISK."
	}
	fmt.Fprintf(o.IO.Err, "Queue %q on %s?%s [y/N] ", termsafe.Line(e.Name), termsafe.Line(mm.Computer.Name), warn)
	line, err := bufio.NewReader(o.IO.In).ReadString('\n')
	if a := strings.ToLower(strings.TrimSpace(line)); (err != nil && line == "") || (a != "y" && a != "yes") {
		return exitcode.New(exitcode.Usage, "not confirmed: nothing was queued")
	}
	return nil
}

// printQueued says what was queued: the sentence on stderr, the schedule id on stdout.
func (o *Options) printQueued(out Result) {
	jobName, computerName := termsafe.Line(out.Job.Name), termsafe.Line(out.Computer.Name)
	if out.AlreadyQueued {
		by := ""
		if out.QueuedBy != "" {
			by = " by " + termsafe.Line(out.QueuedBy)
		}
		fmt.Fprintf(o.IO.Err, "%q was already queued%s for %s; nothing new was written.\n", jobName, by, computerName)
	} else {
		fmt.Fprintf(o.IO.Err, "Queued %q for %s as %s.\n", jobName, computerName, termsafe.Line(out.User))
	}
	fmt.Fprintln(o.IO.Out, out.ScheduleID)
}

// watch waits for DS to pick the queued job up (--wait).
func (o *Options) watch(ctx context.Context, fl *flow.Flow, sess *flow.Session, queued model.Schedule) (*model.Schedule, error) {
	fmt.Fprintln(o.IO.Err, flow.PickupPending.Sentence())
	picked, err := fl.Watch(ctx, sess, queued, config.PollEvery, nil)
	if err != nil {
		return nil, err
	}
	if !o.JSON {
		st := flow.PickupTaken
		if picked == nil {
			st = flow.PickupGone
		}
		fmt.Fprintln(o.IO.Err, st.Sentence())
	}
	return picked, nil
}

// refuseBindPasswordFile refuses a --password-file that is one of the
// config's bind_password_file: that file is a secret of the boot media, and
// on the Linux initrd IMAGEINVOKER_ARGS reaches `run` and `rehearse`, so
// naming it would sign the technician in as the bind account with a
// password they never knew. policy.allow_overrides (a script host) allows it.
func refuseBindPasswordFile(cfg *config.Config, file string, demo bool) error {
	if file == "" || demo || cfg == nil || cfg.Policy.AllowOverrides {
		return nil
	}
	given, err := os.Stat(file)
	if err != nil {
		return nil // secret.Read says what is wrong with it
	}
	for _, d := range cfg.Directory.Domains {
		if d.BindPasswordFile == "" {
			continue
		}
		if st, err := os.Stat(d.BindPasswordFile); err == nil && os.SameFile(given, st) {
			return exitcode.New(exitcode.Usage, "--password-file names a domain's bind_password_file, a secret of the boot media: on the console and in `run` it is the bind account's, never a sign-in's. "+
				"Give your own password, or set policy: {allow_overrides: true} in the config file")
		}
	}
	return nil
}
