// Package doctor checks a booted environment end to end — configuration,
// DNS, each domain controller's TCP and TLS, the clock, the eXpress database
// and its tables, and whether Deployment Server knows this machine — and
// turns every failure into a sentence with a fix. It never binds to AD and
// never needs a password (except, optionally, to open a store that logs in
// as the technician).
//
// Every outside part is injectable (clock, resolver, dialer, store opener,
// machine reader) so tests can break one thing at a time against a real DC
// and a real database.
package doctor

import (
	"context"
	"crypto/x509"
	"fmt"
	"net"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/directory"
	"github.com/imageinvoker/imageinvoker/internal/flow"
	"github.com/imageinvoker/imageinvoker/pkg/express"
	"github.com/imageinvoker/imageinvoker/pkg/machine"
)

// Status is one check's outcome.
type Status string

// Statuses. Only Fail makes the report not OK.
const (
	OK   Status = "ok"
	Warn Status = "warn"
	Fail Status = "fail"
	Skip Status = "skip"
)

// Check is one line of the checklist.
type Check struct {
	Name   string `json:"name"`
	Status Status `json:"status"`
	Detail string `json:"detail"`
	Fix    string `json:"fix"`
}

// Report is the whole checklist; OK is false when any check failed.
type Report struct {
	// Version is this build (first, as sites send the JSON back), and
	// ConfigSHA256 and Label identify the config file (identity.go).
	Version      string  `json:"version"`
	ConfigSHA256 string  `json:"config_sha256,omitempty"`
	Label        string  `json:"label,omitempty"`
	Checks       []Check `json:"checks"`
	OK           bool    `json:"ok"`
	// Schema is every eXpress table, column and procedure ImageInvoker uses
	// and the name discovery found for it: what an administrator sends back.
	Schema *express.Schema `json:"schema,omitempty"`
}

// Failed lists the names of the failed checks.
func (r *Report) Failed() []string {
	var out []string
	for _, c := range r.Checks {
		if c.Status == Fail {
			out = append(out, c.Name)
		}
	}
	return out
}

// Find returns the first check with this name.
func (r *Report) Find(name string) (Check, bool) {
	for _, c := range r.Checks {
		if c.Name == name {
			return c, true
		}
	}
	return Check{}, false
}

// Store is what doctor needs of the eXpress database; *express.Store is one.
type Store interface {
	flow.Reader
	Now(ctx context.Context) (time.Time, error)
	// Schema is discovery's mapping; with a database that lacks names it
	// returns the mapping and an ErrSchema (the store was opened to diagnose).
	Schema(ctx context.Context) (*express.Schema, error)
	Dialect() string
}

// ConfigSource says which config file was used and how it was found.
type ConfigSource struct {
	File string // "" when no file was found: defaults, environment and flags only
	From string // how File was found, e.g. "named by --config"
	Err  error  // the configuration is invalid; Deps.Config is then nil
}

// Deps are doctor's parts. Zero values get the real ones.
type Deps struct {
	Config *config.Config
	Source ConfigSource
	// Now is this machine's clock (time.Now).
	Now func() time.Time
	// Resolver finds DCs in DNS (net.DefaultResolver).
	Resolver directory.Resolver
	// DNSSkip, when set, skips the DNS check with this reason (the demo's
	// directory runs in this process and has no DNS records).
	DNSSkip string
	// Dial opens TCP connections (a net.Dialer's DialContext).
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// SystemRoots verifies DC certificates when no CA file is configured
	// (x509.SystemCertPool).
	SystemRoots func() (*x509.CertPool, error)
	// OpenStore opens the eXpress database (express.Open on Config's store URL).
	OpenStore func(ctx context.Context) (Store, error)
	// StoreSkip, when set, skips the store checks with this reason (the
	// store logs in as the technician and no password was given).
	StoreSkip string
	// ReadMachine reads this machine (setup.ReadMachine); Override replaces it.
	ReadMachine func() (machine.Identity, []string, error)
	Override    flow.Override
	// Network reads this machine's interfaces, gateways and DNS servers
	// (readNetwork, network.go).
	Network func() (NetInfo, error)
	// Budget bounds the whole run (default: see DefaultBudget).
	Budget time.Duration
}

// DefaultBudget is the overall time doctor may take with cfg: the DC phase
// (DNS, then every DC) and the store phase (open, tables, machine) run side
// by side, each within its own timeouts; the budget is the longer of the
// two plus a margin, a backstop for a part that ignores its deadline.
func DefaultBudget(cfg *config.Config) time.Duration {
	dc := cfg.Directory.Timeout + cfg.Directory.TotalTimeout
	st := storePhaseTimeout(cfg)
	return max(dc, st) + 2*time.Second
}

func storePhaseTimeout(cfg *config.Config) time.Duration {
	// open+ping, the table checks, and the computer lookup: each is bounded
	// by store.timeout; together by three of them.
	return 3 * cfg.Store.Timeout
}

// Run runs every check and returns the checklist. It returns within the
// budget even when a part hangs; a phase that has not finished by then is
// reported as failed.
func Run(ctx context.Context, d Deps) *Report {
	r := newReport(d)
	r.Checks = append(r.Checks, networkCheck(d), configCheck(d.Source))
	if d.Config == nil {
		for _, name := range []string{"dns", "dc", "store", "store tables", "clock", "latency", "machine"} {
			r.Checks = append(r.Checks, Check{Name: name, Status: Skip, Detail: "skipped: the configuration is invalid (see config above)"})
		}
		return r.finish()
	}
	r.Checks = append(r.Checks, includeChecks(d.Config)...)
	r.Checks = append(r.Checks, caFileChecks(d)...)
	d = d.withDefaults()
	budget := d.Budget
	if budget <= 0 {
		budget = DefaultBudget(d.Config)
	}
	ctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()

	// Buffered: a phase abandoned at the budget can still hand in its
	// result and end, touching nothing the report reads.
	dcCh, storeCh := make(chan dcPhases, 1), make(chan storePhase, 1)
	go func() { dcCh <- runDCPhase(ctx, d) }()
	go func() { storeCh <- runStorePhase(ctx, d) }()
	dcs, dcOK := wait(ctx, dcCh)
	st, storeOK := wait(ctx, storeCh)
	late := Check{Status: Fail, Detail: "did not finish within doctor's time budget of " + budget.String(),
		Fix: "Something ignored its timeout: check the network, then run doctor again"}
	ref := bestReference(dcs, st)
	if dcOK {
		r.Checks = append(r.Checks, dcs.checks(d, ref)...)
	} else {
		late.Name = "dc"
		r.Checks = append(r.Checks, late)
	}
	if storeOK {
		store, _ := d.Config.Store.Location()
		sqlCauses(&st.store, store)
		r.Checks = append(r.Checks, st.storeChecks()...)
		if d.StoreSkip != "" && store.Dialect == express.DialectSQLServer {
			// No login, but what needs none is still checked.
			r.Checks = append(r.Checks, reachCheck(ctx, d))
		}
		r.Schema = st.schema
	} else {
		late.Name = "store"
		r.Checks = append(r.Checks, late)
	}
	r.Checks = append(r.Checks, clockCheck(d, dcs, st), latencyCheck(d.Config, dcs, st))
	if storeOK {
		r.Checks = append(r.Checks, st.machine)
		if st.menuRoot.Name != "" {
			r.Checks = append(r.Checks, st.menuRoot)
		}
	} else {
		r.Checks = append(r.Checks, Check{Name: "machine", Status: Skip, Detail: "skipped: the store did not answer in time"})
	}
	return r.finish()
}

// wait takes a phase's result; it gives up when ctx ends, after a short
// grace so a phase that is about to report its own timeout still can.
func wait[T any](ctx context.Context, ch <-chan T) (T, bool) {
	select {
	case v := <-ch:
		return v, true
	case <-ctx.Done():
	}
	select {
	case v := <-ch:
		return v, true
	case <-time.After(200 * time.Millisecond):
		var zero T
		return zero, false
	}
}

func (r *Report) finish() *Report {
	r.OK = len(r.Failed()) == 0
	return r
}

func (d Deps) withDefaults() Deps {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Resolver == nil {
		d.Resolver = net.DefaultResolver
	}
	if d.Dial == nil {
		var nd net.Dialer
		d.Dial = nd.DialContext
	}
	if d.SystemRoots == nil {
		d.SystemRoots = x509.SystemCertPool
	}
	if d.OpenStore == nil {
		cfg := d.Config
		d.OpenStore = func(ctx context.Context) (Store, error) {
			u, err := cfg.Store.Location()
			if err != nil {
				return nil, err
			}
			s, err := express.Open(ctx, u, express.OpenOptions{QueueMethod: string(cfg.Store.Queue), Timeout: cfg.Store.Timeout, TLS: cfg.StoreTLS(), Diagnose: true})
			if err != nil {
				return nil, err
			}
			return s, nil
		}
	}
	return d
}

func configCheck(src ConfigSource) Check {
	c := Check{Name: "config", Status: OK}
	switch {
	case src.Err != nil:
		c.Status = Fail
		c.Detail = src.Err.Error()
		c.Fix = "Correct the setting named above (flags and IMAGEINVOKER_* variables count too); a file named with --config or IMAGEINVOKER_CONFIG must exist"
		if src.File != "" {
			c.Fix = "Correct the setting named above in " + src.File + "; `imageinvoker config check " + src.File + "` checks the file offline"
		}
	case src.File == "":
		c.Detail = "no config file: defaults, IMAGEINVOKER_* variables and flags"
	default:
		c.Detail = src.File
		if src.From != "" {
			c.Detail += " (" + src.From + ")"
		}
	}
	return c
}

// includeChecks are the central file's and the site's lines, shown when the
// config uses them (include:, sites:), so a plain config's checklist stays
// as it was.
func includeChecks(cfg *config.Config) []Check {
	var out []Check
	if c := cfg.Central; c != nil {
		ch := Check{Name: "central config", Status: OK}
		if c.Loaded {
			ch.Detail = fmt.Sprintf("%s: %d lines, read in %s; its settings apply under the boot media's file", c.Ref, c.Lines, c.Took.Round(time.Millisecond))
		} else {
			ch.Status = Warn
			ch.Detail = c.Ref + " not loaded: " + c.Err + "; the boot media's own settings apply alone"
			ch.Fix = "Make it reachable from this machine (the share mapped, the server up, include_ca_file holding the CA that signed its certificate, this machine's clock right); `imageinvoker config show` shows what applies"
		}
		out = append(out, ch)
	}
	if len(cfg.Sites) == 0 && cfg.Site == "" {
		return out
	}
	ch := Check{Name: "site", Status: OK}
	switch {
	case cfg.Site != "":
		ch.Detail = cfg.Site + ": " + cfg.SiteReason
	default:
		ch.Status = Warn
		ch.Detail = cfg.SiteReason
		ch.Fix = "Add this machine's subnet to the subnets of its site (sites: in the config file); `imageinvoker config show --ip ADDR` shows the site an address gets"
	}
	return append(out, ch)
}
