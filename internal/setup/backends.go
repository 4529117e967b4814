package setup

import (
	"context"
	"errors"
	"strings"

	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/directory"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/internal/flow"
	"github.com/imageinvoker/imageinvoker/pkg/express"
)

// Backends are the implementations Build wires into the flow. Real gives
// this binary's; a test replaces a field (a hostile directory, a reader
// behind a gate) and keeps the others, and internal/setup's conformance
// test runs flowtest's suite on each field of Real.
//
// There is no registry by name: both store schemes (sqlserver://, sqlite:)
// open the one eXpress store, whose express.Open switches on the parsed
// URL's dialect, and the identity sources are chosen by what the user
// types (DOMAIN\user or .\name), not by a name in the config. A new
// scheduler (say one that queues through DS's web service) is a package
// passing internal/flow/flowtest's suite and its function in Real, chosen
// there by the store URL once one names it.
type Backends struct {
	// OpenReader opens the read side of DS for cfg; creds is nil unless
	// the session runs as the technician (store.auth = technician).
	OpenReader func(ctx context.Context, cfg *config.Config, creds *flow.Credentials) (flow.Reader, error)
	// OpenScheduler opens the scheduler of a session whose reader is r. An
	// implementation that is its own reader (the eXpress store) returns r
	// when r is one of its own, so a session holds one connection.
	OpenScheduler func(ctx context.Context, cfg *config.Config, r flow.Reader, creds *flow.Credentials) (flow.Scheduler, error)
	// Directory builds the AD identity source from cfg, once per run: it
	// keeps state across sign-ins (the DC that answered last).
	Directory func(cfg *config.Config) (flow.IdentitySource, error)
	// ConsoleAccounts binds DS's console accounts, which the store keeps,
	// to a session's open reader.
	ConsoleAccounts func(r flow.Reader) (flow.IdentitySource, error)
}

// Builder is Build with these implementations in Real's place: what a
// command test that replaced one of them puts in the command's Options.
func (b Backends) Builder() Builder {
	return func(ctx context.Context, cfg *config.Config, o Options) (*Env, error) {
		o.Backends = &b
		return Build(ctx, cfg, o)
	}
}

// Real returns the implementations this binary carries, wired here.
func Real() Backends {
	return Backends{OpenReader: openExpress, OpenScheduler: expressScheduler, Directory: newDirectory, ConsoleAccounts: consoleAccounts}
}

// The eXpress store is the reader, the scheduler and the keeper of DS
// console accounts; the compiler holds it to all three.
var (
	_ flow.Reader            = (*express.Store)(nil)
	_ flow.Scheduler         = (*express.Store)(nil)
	_ directory.AccountStore = (*express.Store)(nil)
	_ flow.IdentitySource    = (*directory.Client)(nil)
	_ flow.IdentitySource    = directory.ConsoleAccounts{}
)

func expressOptions(cfg *config.Config, creds *flow.Credentials) express.OpenOptions {
	opts := express.OpenOptions{QueueMethod: string(cfg.Store.Queue), Timeout: cfg.Store.Timeout, TLS: cfg.StoreTLS()}
	if creds != nil {
		opts.NTLMUser, opts.NTLMPassword = creds.User, creds.Password
	}
	return opts
}

func openExpress(ctx context.Context, cfg *config.Config, creds *flow.Credentials) (flow.Reader, error) {
	st, err := openStore(ctx, cfg, creds)
	if err != nil {
		return nil, err
	}
	return st, nil
}

func openStore(ctx context.Context, cfg *config.Config, creds *flow.Credentials) (*express.Store, error) {
	u, err := cfg.Store.Location()
	if err != nil {
		return nil, err
	}
	return express.Open(ctx, u, expressOptions(cfg, creds))
}

// expressScheduler queues through the session's own eXpress store when the
// reader is one: the queue's transaction re-reads the job and the
// permissions on the connection the menu came from.
func expressScheduler(ctx context.Context, cfg *config.Config, r flow.Reader, creds *flow.Credentials) (flow.Scheduler, error) {
	if st, ok := r.(*express.Store); ok {
		return st, nil
	}
	st, err := openStore(ctx, cfg, creds)
	if err != nil {
		return nil, err
	}
	return st, nil
}

func newDirectory(cfg *config.Config) (flow.IdentitySource, error) {
	dcfg, err := DirectoryConfig(cfg.Directory)
	if err != nil {
		return nil, err
	}
	c, err := directory.New(dcfg)
	if err != nil {
		// The client's own errors already say "directory settings:".
		msg := err.Error()
		if !strings.HasPrefix(msg, "directory settings: ") {
			msg = "directory settings: " + msg
		}
		return nil, &exitcode.Error{Code: exitcode.Usage, Msg: msg, Err: err}
	}
	return c, nil
}

func consoleAccounts(r flow.Reader) (flow.IdentitySource, error) {
	st, ok := r.(directory.AccountStore)
	if !ok {
		return nil, errors.New("this store keeps no DS console accounts; sign in with an AD account (DOMAIN\\user)")
	}
	return directory.ConsoleAccounts{Store: st}, nil
}
