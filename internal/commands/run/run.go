// Package run is `imageinvoker run`: the unattended path from credentials to
// a queued job in one command, over the same flow steps as the TUI.
package run

import (
	"bufio"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/internal/logging"
	"github.com/imageinvoker/imageinvoker/internal/secret"
	"github.com/imageinvoker/imageinvoker/internal/setup"
	"github.com/imageinvoker/imageinvoker/internal/termsafe"
	"github.com/imageinvoker/imageinvoker/pkg/model"
	"github.com/spf13/cobra"
)

// Options are run's flags.
type Options struct {
	Machine cmdutil.MachineFlags
	Secret  secret.Options
	User    string
	Job     string
	Yes     bool
	JSON    bool
	Demo    bool
	Wait    bool
}

// Result is what run prints with --json.
type Result struct {
	ScheduleID    int64 `json:"schedule_id"`
	AlreadyQueued bool  `json:"already_queued"`
	// QueuedBy is who queued the pending schedule that was found, as DS
	// recorded it (DOMAIN\user), when already_queued.
	QueuedBy string          `json:"queued_by,omitempty"`
	Job      jobJSON         `json:"job"`
	Computer computerJSON    `json:"computer"`
	User     string          `json:"user"`
	PickedUp *model.Schedule `json:"picked_up,omitempty"`
}

type jobJSON struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Path string `json:"path"`
}

type computerJSON struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// NewCmd returns the run command.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	o := &Options{}
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
			o.Secret.In, o.Secret.Getenv, o.Secret.Unsetenv = f.IO.In, f.Getenv, f.Unsetenv
			return runRun(cmd, f, o)
		},
	}
	fs := cmd.Flags()
	o.Machine.Add(fs)
	secret.AddFlags(fs, &o.Secret.Stdin, &o.Secret.File)
	fs.StringVar(&o.User, "user", "", `AD user: user, user@domain or DOMAIN\user (env IMAGEINVOKER_USER)`)
	fs.StringVar(&o.Job, "job", "", "the job to queue: its DS id or its menu path (required)")
	fs.BoolVarP(&o.Yes, "yes", "y", false, "queue without asking (required without a terminal)")
	fs.BoolVar(&o.JSON, "json", false, "print the result as JSON on stdout")
	fs.BoolVar(&o.Demo, "demo", false, "use the embedded demo store and directory")
	fs.BoolVar(&o.Wait, "wait", false, "after queueing, wait until Deployment Server picks the job up (session.watch_timeout)")
	config.AddFlags(fs, append([]string{"store-auth", "queue-method", "dc", "domain", "dns-domain", "base-dn", "ca-file",
		"allow-plain-ldap", "dc-timeout", "dc-total-timeout", "wait-registration", "step-timeout", "watch-timeout",
		"log-file", "debug"}, cmdutil.StoreFlags...)...)
	return cmd
}

func runRun(cmd *cobra.Command, f *cmdutil.Factory, o *Options) error {
	ctx := cmd.Context()
	if strings.TrimSpace(o.Job) == "" {
		return exitcode.New(exitcode.Usage, "--job is required: a DS job id or a menu path (see `imageinvoker menu`)")
	}
	if o.User == "" {
		o.User = f.Getenv("IMAGEINVOKER_USER")
	}
	if strings.TrimSpace(o.User) == "" {
		return exitcode.New(exitcode.Usage, `--user is required: user, user@domain or DOMAIN\user`)
	}
	interactive := f.IO.InTTY && !o.Secret.Stdin
	if !o.Yes && !interactive {
		return exitcode.New(exitcode.Usage, "--yes is required when not running interactively: nothing was queued")
	}
	password, err := secret.Read(o.Secret)
	if err != nil {
		return exitcode.Wrap(exitcode.Usage, err, "%s", err.Error())
	}
	cfg, err := f.QueueConfig(cmd, &o.Machine, o.Demo)
	if err != nil {
		return err
	}
	if cfg.SitePending && !o.Demo {
		// Only the console asks; a script names the site.
		return exitcode.New(exitcode.Usage, "%s: `run` never asks; name the site with --site NAME (the config file must set policy: {allow_overrides: true}) or add this machine's subnet to a site",
			termsafe.Line(cfg.SiteReason))
	}
	log, lerr := logging.Open(logging.Options{File: cfg.Log.File, Debug: cfg.Log.Debug, Stderr: f.IO.Err})
	if lerr != nil {
		fmt.Fprintf(f.IO.Err, "warning: %v; continuing without a log file\n", lerr)
	}
	defer log.Close()
	env, err := setup.Build(ctx, cfg, setup.Options{Demo: o.Demo, NeedDirectory: true, Log: log.Logger})
	if err != nil {
		return err
	}
	defer env.Close()
	override := o.Machine.Override()
	if o.Demo && o.Machine.Empty() {
		override = setup.DemoOverride()
	}
	fl := env.Flow
	m, err := fl.Identify(override)
	if err != nil {
		return err
	}
	sess, err := fl.SignIn(ctx, o.User, password)
	password = ""
	if err != nil {
		return err
	}
	defer sess.Close()
	for _, w := range sess.SignIn.Warnings {
		fmt.Fprintln(f.IO.Err, "warning: "+termsafe.Line(w))
	}
	mm, err := fl.LoadMenu(ctx, sess, m)
	if err != nil {
		return err
	}
	entry, err := fl.Choose(mm, o.Job)
	if err != nil {
		return err
	}
	// DS names in messages go through termsafe; --json keeps them exact.
	jobName, computerName := termsafe.Line(entry.Name), termsafe.Line(mm.Computer.Name)
	if !o.Yes {
		ok, err := confirm(f, fmt.Sprintf("Queue %q on %s? [y/N] ", jobName, computerName))
		if err != nil || !ok {
			return exitcode.New(exitcode.Usage, "not confirmed: nothing was queued")
		}
	}
	res, err := fl.Queue(ctx, sess, mm, entry)
	if err != nil {
		return err
	}
	out := Result{
		ScheduleID: res.Schedule.ID, AlreadyQueued: res.AlreadyQueued,
		Job:      jobJSON{entry.ID, entry.Name, entry.Path},
		Computer: computerJSON{mm.Computer.ID, mm.Computer.Name},
		User:     sess.Identity.User,
	}
	if res.AlreadyQueued {
		out.QueuedBy = res.Schedule.UserName
	}
	if !o.JSON {
		if res.AlreadyQueued {
			by := ""
			if out.QueuedBy != "" {
				by = " by " + termsafe.Line(out.QueuedBy)
			}
			fmt.Fprintf(f.IO.Err, "%q was already queued%s for %s; nothing new was written.\n", jobName, by, computerName)
		} else {
			fmt.Fprintf(f.IO.Err, "Queued %q for %s as %s.\n", jobName, computerName, termsafe.Line(sess.Identity.User))
		}
		fmt.Fprintln(f.IO.Out, res.Schedule.ID)
	}
	if o.Wait {
		fmt.Fprintln(f.IO.Err, "Waiting for Deployment Server to pick the job up...")
		picked, err := fl.Watch(ctx, sess, res.Schedule, watchEvery, nil)
		if err != nil {
			return err
		}
		out.PickedUp = picked
		if !o.JSON {
			fmt.Fprintln(f.IO.Err, "Deployment Server has picked the job up.")
		}
	}
	if o.JSON {
		enc := json.NewEncoder(f.IO.Out)
		return enc.Encode(out)
	}
	return nil
}

func confirm(f *cmdutil.Factory, prompt string) (bool, error) {
	fmt.Fprint(f.IO.Err, prompt)
	line, err := bufio.NewReader(f.IO.In).ReadString('\n')
	if err != nil && line == "" {
		return false, err
	}
	a := strings.ToLower(strings.TrimSpace(line))
	return a == "y" || a == "yes", nil
}

// watchEvery is how often --wait polls the schedule: DS itself polls its queue every few seconds.
const watchEvery = 2 * time.Second
