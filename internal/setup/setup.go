// Package setup turns a configuration into the flow's real dependencies —
// the SQL Server or SQLite store, the AD directory, this machine's reader —
// or, for --demo, into the embedded demo store and demo directory. Every
// front end (run, menu, explain, whoami, the TUI) builds its flow here.
package setup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/demo"
	"github.com/imageinvoker/imageinvoker/internal/directory"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/internal/flow"
	"github.com/imageinvoker/imageinvoker/internal/secret"
	"github.com/imageinvoker/imageinvoker/pkg/machine"
)

// Options choose what to build.
type Options struct {
	// Demo uses the embedded demo store and directory instead of the config's.
	Demo bool
	// NeedDirectory builds the AD client (not needed for previews).
	NeedDirectory bool
	// DemoDir keeps the demo database in this directory after the run (for
	// inspecting what the demo queued); "" uses a temporary one.
	DemoDir string
	Log     *slog.Logger
	// ReadMachine replaces the machine reader; nil reads this machine. The
	// machine command reads once and must look up exactly what it shows.
	ReadMachine func() (machine.Identity, []string, error)
	// Backends replaces the implementations (tests); nil is Real().
	Backends *Backends
	// NoStore builds a flow that signs in without opening a store (whoami).
	NoStore bool
}

// Env is a built flow and what must be closed after it.
type Env struct {
	Flow *flow.Flow
	// Config is the configuration the flow was built from: the caller's,
	// or for --demo a new one with the demo's store and directory (the
	// caller's is left as it was).
	Config *config.Config
	// Demo is set for --demo: the demo machine must be used as the override.
	Demo    bool
	closers []func()
}

// Close releases the demo servers and temp files.
func (e *Env) Close() {
	for i := len(e.closers) - 1; i >= 0; i-- {
		e.closers[i]()
	}
}

// Builder is Build's signature: commands hold one in their Options so
// tests can build the flow their own way.
type Builder func(ctx context.Context, cfg *config.Config, o Options) (*Env, error)

// Build returns the flow for cfg. In demo mode the flow is built from a new
// config, cfg with the embedded demo's store and directory settings
// (demoConfig); env.Config is the config used, either way.
func Build(ctx context.Context, cfg *config.Config, o Options) (*Env, error) {
	env := &Env{Demo: o.Demo, Config: cfg}
	if o.Demo {
		demo, err := demoConfig(ctx, cfg, env, o)
		if err != nil {
			env.Close()
			return nil, err
		}
		cfg, env.Config = demo, demo
	} else if !cfg.Store.Configured() && !o.NoStore {
		return nil, &exitcode.Error{Code: exitcode.Usage,
			Msg:  "no eXpress store configured: set store.url (sqlserver://HOST/INSTANCE?database=eXpress) in the config file",
			Hint: "Or give --store, or try --demo."}
	}
	deps := flow.Deps{Config: cfg, Log: o.Log, ReadMachine: ReadMachine}
	if o.ReadMachine != nil {
		deps.ReadMachine = o.ReadMachine
	}
	if err := choose(cfg, o, &deps, env); err != nil {
		env.Close()
		return nil, err
	}
	env.Flow = flow.New(deps)
	return env, nil
}

// choose fills deps from the implementations.
func choose(cfg *config.Config, o Options, deps *flow.Deps, env *Env) error {
	impl := Real()
	if o.Backends != nil {
		impl = *o.Backends
	}
	if !o.NoStore {
		deps.OpenReader = func(ctx context.Context, creds *flow.Credentials) (flow.Reader, error) {
			return impl.OpenReader(ctx, cfg, creds)
		}
		deps.OpenScheduler = func(ctx context.Context, r flow.Reader, creds *flow.Credentials) (flow.Scheduler, error) {
			return impl.OpenScheduler(ctx, cfg, r, creds)
		}
	}
	deps.ConsoleAccounts = impl.ConsoleAccounts
	// A site that signs in only with DS console accounts needs no AD: with
	// ds_accounts on and no directory configured, AD sign-ins are refused
	// by the flow with a message, and .\name works.
	noAD := cfg.Directory.DSAccounts && !cfg.Directory.Configured()
	if o.NeedDirectory && !noAD {
		var err error
		if deps.Directory, err = impl.Directory(cfg); err != nil {
			return err
		}
	}
	return nil
}

// DirectoryConfig maps the config file's directory section to the client's,
// reading each domain's bind_password_file.
func DirectoryConfig(d config.DirectoryConfig) (directory.Config, error) {
	out := directory.Config{
		DCs: d.DCs, Domain: d.Domain, DNSDomain: d.DNSDomain, BaseDN: d.BaseDN, CAFile: d.CAFile,
		AllowPlain: d.AllowPlain, Timeout: d.Timeout, TotalTimeout: d.TotalTimeout,
	}
	for _, dom := range d.Domains {
		dd := directory.Domain{NetBIOS: dom.NetBIOS, DNS: dom.DNS, BaseDN: dom.BaseDN, DCs: dom.DCs, CAFile: dom.CAFile, BindUser: dom.BindUser}
		if dom.BindPasswordFile != "" {
			pw, err := secret.Read(secret.Options{File: dom.BindPasswordFile})
			if err != nil {
				return out, exitcode.Wrap(exitcode.Usage, err, "directory.domains (%s) bind_password_file: %s", dom.NetBIOS, err.Error())
			}
			dd.BindPassword = pw
		}
		out.Domains = append(out.Domains, dd)
	}
	return out, nil
}

// demoConfig starts the embedded demo's store (and, with NeedDirectory,
// its directory) and returns a copy of cfg that uses them; cfg is left
// alone. What it started is closed with env.
func demoConfig(ctx context.Context, cfg *config.Config, env *Env, o Options) (*config.Config, error) {
	dir := o.DemoDir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "imageinvoker-demo-")
		if err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
		env.closers = append(env.closers, func() { _ = os.RemoveAll(tmp) })
		dir = tmp
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, exitcode.Wrap(exitcode.Usage, err, "cannot create the demo directory %s: %v. Pick a writable directory.", dir, err)
	}
	url, err := demo.NewStore(ctx, dir)
	if err != nil {
		return nil, exitcode.Wrap(exitcode.Usage, err, "cannot create the demo database in %s: %v. Pick a writable directory.", dir, err)
	}
	out := cfg.Clone()
	out.Store.URL, out.Store.Auth, out.Store.Queue = url, config.AuthURL, config.QueueInsert
	if !o.NeedDirectory {
		return out, nil
	}
	d, err := demo.StartDirectory(ctx)
	if err != nil {
		return nil, fmt.Errorf("demo directory: %w", err)
	}
	env.closers = append(env.closers, func() { _ = d.Close() })
	caFile := dir + string(os.PathSeparator) + "demo-ca.pem"
	if err := os.WriteFile(caFile, d.CAPEM(), 0o600); err != nil {
		return nil, fmt.Errorf("demo directory CA: %w", err)
	}
	out.Directory = config.DirectoryConfig{
		DCs: []string{d.URL()}, Domain: demo.Domain, DNSDomain: demo.DNSDomain, BaseDN: demo.BaseDN, CAFile: caFile,
		DSAccounts: true, // the demo has a DS console account (.\kiosk)
		Timeout:    cfg.Directory.Timeout, TotalTimeout: cfg.Directory.TotalTimeout,
	}
	return out, nil
}

// DemoOverride is the demo machine's identity, used unless flags name another.
func DemoOverride() flow.Override {
	return flow.Override{MACs: []string{demo.ComputerMAC}}
}

// ReadMachine reads this machine; what could not be read (no DMI table in a
// container, no permission) becomes warnings, not a failure, because the MACs
// alone usually find the machine.
func ReadMachine() (machine.Identity, []string, error) {
	id, err := machine.Read()
	var pe *machine.PartialError
	if errors.As(err, &pe) {
		return id, pe.Warnings(), nil
	}
	return id, nil, err
}
