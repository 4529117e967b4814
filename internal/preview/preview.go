// Package preview is what the administrator's what-if commands (menu,
// explain) share: load the menu an identity would get on a machine, with no
// password and without queueing anything.
package preview

import (
	"context"
	"fmt"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/demo"
	"github.com/imageinvoker/imageinvoker/internal/flow"
	"github.com/imageinvoker/imageinvoker/internal/setup"
	"github.com/spf13/cobra"
)

// Flags are the flags the preview commands share.
type Flags struct {
	Machine  cmdutil.MachineFlags
	Identity cmdutil.IdentityFlags
	Demo     bool
	JSON     bool
}

// AddFlags registers the shared flags on cmd.
func (o *Flags) AddFlags(cmd *cobra.Command) {
	fs := cmd.Flags()
	o.Machine.Add(fs)
	o.Identity.Add(fs)
	fs.BoolVar(&o.Demo, "demo", false, "use the embedded demo eXpress database (machine "+demo.ComputerName+" unless --mac etc. say otherwise)")
	fs.BoolVar(&o.JSON, "json", false, "print JSON on stdout")
	config.AddGroups(fs, config.GroupSite|config.GroupStore|config.GroupMenu)
}

// Result is a loaded preview.
type Result struct {
	Menu   *flow.Menu
	Config *config.Config
	env    *setup.Env
	sess   *flow.Session
}

// Session is the preview's open store session.
func (r *Result) Session() *flow.Session { return r.sess }

// Flow is the preview's flow.
func (r *Result) Flow() *flow.Flow { return r.env.Flow }

// close releases the store and the demo.
func (r *Result) close() {
	_ = r.sess.Close()
	r.env.Close()
}

// Show loads the menu for the identity and machine the flags name, under
// cfg, hands it to show and closes it; the what-if warning goes to io.Err.
func Show(ctx context.Context, io *cmdutil.IOStreams, cfg *config.Config, o *Flags, show func(*Result) error) error {
	res, err := load(ctx, io, cfg, o)
	if err != nil {
		return err
	}
	defer res.close()
	return show(res)
}

func load(ctx context.Context, io *cmdutil.IOStreams, cfg *config.Config, o *Flags) (*Result, error) {
	id, err := o.Identity.Identity()
	if err != nil {
		return nil, err
	}
	if cfg.Store.ConsoleSecurity == config.SecurityOff {
		// Kept for administrators (what would the menu be without console
		// security?); the console and `run` refuse off (config.EnforcePolicy).
		fmt.Fprintln(io.Err, "WHAT-IF: console security is off for this preview (store.console_security: off): every job on the menu is allowed. "+
			"The console and `imageinvoker run` refuse off.")
	}
	env, err := setup.Build(ctx, cfg, setup.Options{Demo: o.Demo})
	if err != nil {
		return nil, err
	}
	m, err := env.Flow.Identify(o.Machine.Target(o.Demo))
	if err != nil {
		env.Close()
		return nil, err
	}
	sess, err := env.Flow.Preview(ctx, id)
	if err != nil {
		env.Close()
		return nil, err
	}
	mm, err := env.Flow.LoadMenu(ctx, sess, m)
	if err != nil {
		_ = sess.Close()
		env.Close()
		return nil, err
	}
	return &Result{Menu: mm, Config: cfg, env: env, sess: sess}, nil
}
