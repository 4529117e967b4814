package setup

import (
	"context"
	"errors"

	"github.com/imageinvoker/imageinvoker/internal/backend"
	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/directory"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/internal/flow"
	"github.com/imageinvoker/imageinvoker/pkg/express"
)

// The names today's implementations register under.
const (
	// Express is the eXpress database (SQL Server, or SQLite for the demo
	// and tests): the reader and the scheduler.
	Express = "express"
	// ActiveDirectory signs DOMAIN\user in against AD's domain controllers.
	ActiveDirectory = "ad"
	// ConsoleAccounts signs .\name in against DS's own console accounts,
	// which the store keeps.
	ConsoleAccounts = "ds-accounts"
)

// Registry returns every implementation this binary carries; it is the
// one file that imports them. A new scheduler (say one that queues through
// DS's web service instead of writing the schedule row) or identity source
// is a package implementing flow.Scheduler or flow.IdentitySource, passing
// internal/flow/flowtest's suite, plus its registration in this file: one
// line in Registry,
//
//	r.AddScheduler("dsweb", dsweb.Open)
//
// and, to make Build use it instead of today's, its name in the chosen
// constants below.
func Registry() *backend.Registry { return RegistryWithDirectory(newDirectory) }

// RegistryWithDirectory is Registry with another AD identity source in the
// real one's place: for tests that need the real store and DS console
// accounts with a directory that answers as they choose (a hostile one).
func RegistryWithDirectory(dir func(*config.Config) (flow.IdentitySource, error)) *backend.Registry {
	r := backend.NewRegistry()
	r.AddReader(Express, openExpress)
	r.AddScheduler(Express, expressScheduler)
	r.AddIdentity(ActiveDirectory, dir)
	r.AddStoreIdentity(ConsoleAccounts, consoleAccounts)
	return r
}

// The implementations Build uses, by their registered names: the eXpress
// database reads and queues; AD and DS's console accounts sign in.
const (
	chosenReader          = Express
	chosenScheduler       = Express
	chosenDirectory       = ActiveDirectory
	chosenConsoleAccounts = ConsoleAccounts
)

// The eXpress store is the reader, the scheduler and the keeper of DS
// console accounts; the compiler holds it to all three.
var (
	_ flow.Reader            = (*express.Store)(nil)
	_ flow.Scheduler         = (*express.Store)(nil)
	_ directory.AccountStore = (*express.Store)(nil)
	_ flow.IdentitySource    = directory.Source{}
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
		return nil, &exitcode.Error{Code: exitcode.Usage, Msg: "directory settings: " + err.Error(), Err: err}
	}
	return directory.Source{Client: c}, nil
}

func consoleAccounts(r flow.Reader) (flow.IdentitySource, error) {
	st, ok := r.(directory.AccountStore)
	if !ok {
		return nil, errors.New("this store keeps no DS console accounts; sign in with an AD account (DOMAIN\\user)")
	}
	return directory.ConsoleAccounts{Store: st}, nil
}
