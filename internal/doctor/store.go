package doctor

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/flow"
	"github.com/imageinvoker/imageinvoker/pkg/express"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// storePhase is what the store phase found.
type storePhase struct {
	store   Check
	tables  Check
	machine Check
	// menuRoot is set once the tables are there (menuroot.go).
	menuRoot Check
	// dbSkew is the database server's clock minus this machine's.
	dbSkew   time.Duration
	dbTimeOK bool
	// rtt is the quickest of a few reads of the server's time: one SQL
	// round trip (latency.go).
	rtt     time.Duration
	dialect string
	// schema is what discovery found, for the report's mapping.
	schema *express.Schema
}

func (s storePhase) storeChecks() []Check { return []Check{s.store, s.tables} }

// Tables the machine lookup reads; when one is missing the lookup can only
// fail for the same reason, so it is skipped rather than failed twice.
var machineTables = map[string]bool{"computer": true, "nics": true}

func runStorePhase(ctx context.Context, d Deps) storePhase {
	ph := storePhase{
		store:   Check{Name: "store"},
		tables:  Check{Name: "store tables", Status: Skip, Detail: "skipped: no store to check (see store)"},
		machine: Check{Name: "machine", Status: Skip, Detail: "skipped: needs the store (see store)"},
	}
	cfg := d.Config
	where, _ := cfg.Store.Location()
	switch {
	case d.StoreSkip != "":
		ph.store.Status, ph.store.Detail = Skip, "skipped: "+d.StoreSkip
		return ph
	case !cfg.Store.Configured():
		ph.store.Status, ph.store.Detail = Fail, "no eXpress store configured"
		ph.store.Fix = "Give --store sqlserver://HOST/INSTANCE?database=eXpress (store.url in the config file), or try --demo"
		return ph
	}
	ctx, cancel := context.WithTimeout(ctx, storePhaseTimeout(cfg))
	defer cancel()
	st, err := d.OpenStore(ctx)
	if err != nil {
		ph.store.Status = Fail
		ph.store.Detail, ph.store.Fix = splitFix(err.Error())
		if ph.store.Fix == "" {
			ph.store.Fix = "Check store.url (--store), that SQL Server accepts TCP connections (TCP/IP enabled, port, firewall) and that this machine has a network address"
		}
		storeTLS(ctx, cfg, &ph.store, false)
		return ph
	}
	defer st.Close()
	ph.dialect = st.Dialect()
	ph.store.Status, ph.store.Detail = OK, "connected to "+where.Short()
	if st.Dialect() == express.DialectSQLServer {
		ph.store.Detail += "; the login works"
		storeTLS(ctx, cfg, &ph.store, true)
	}
	// Which database on the server (a SQLite store is its file, named
	// above), in DS's own words where it answers.
	if di, ok := st.(interface {
		DatabaseInfo(context.Context) (string, []string, error)
	}); ok && st.Dialect() == express.DialectSQLServer {
		if name, info, err := di.DatabaseInfo(ctx); err == nil && name != "" {
			ph.store.Detail += "; database " + name
			if len(info) > 0 {
				ph.store.Detail += " (wc_sel_database_info: " + strings.Join(info, ", ") + ")"
			}
		}
	}
	// DS hands out schedule ids with its own counter: insert would race it.
	if st.Dialect() == express.DialectSQLServer && cfg.Store.Queue == config.QueueInsert {
		ph.store.Status = Fail
		ph.store.Detail, ph.store.Fix = splitFix(express.InsertOnSQLServer)
	}
	dsAccountCheck(ctx, cfg, st, &ph.store)
	sent := time.Now()
	if t, err := st.Now(ctx); err == nil {
		ph.dbSkew, ph.dbTimeOK = t.Sub(d.Now()), true
		ph.rtt = storeRoundTrip(ctx, st, time.Since(sent))
	}
	missing := ph.checkTables(ctx, st)
	if len(missing) > 0 {
		for _, t := range missing {
			if machineTables[t] {
				ph.machine.Detail = "skipped: the store lacks the " + t + " table (see store tables)"
				return ph
			}
		}
	}
	ph.machine = machineCheck(ctx, d, st)
	ph.menuRoot = menuRootCheck(ctx, d, st)
	return ph
}

// checkTables fills the tables check from schema discovery and returns the
// tables that lack something the client needs.
func (ph *storePhase) checkTables(ctx context.Context, st Store) []string {
	c := &ph.tables
	sc, err := st.Schema(ctx)
	ph.schema = sc
	if sc == nil {
		c.Status = Fail
		c.Detail, c.Fix = splitFix(err.Error())
		return []string{"computer"}
	}
	var bad []string
	for _, m := range sc.Missing {
		t, _, _ := strings.Cut(m, ".")
		bad = append(bad, t)
	}
	var optional []string
	cols := 0
	for _, t := range sc.Tables {
		if t.Name == "" && t.Optional {
			optional = append(optional, t.Key)
		}
		for _, col := range t.Columns {
			cols++
			if col.Name == "" && col.Optional && t.Name != "" {
				optional = append(optional, t.Name+"."+col.Key)
			}
		}
	}
	switch {
	case len(sc.Missing) > 0:
		c.Status = Fail
		c.Detail = "the database lacks what ImageInvoker needs: " + sc.MissingText()
		c.Fix = "Point store.url at the DS 6.9 eXpress database (?database=eXpress) and let the login read these tables (SELECT); if it is one, send this report (doctor --json) to your ImageInvoker contact: the schema mapping below shows what was found"
	case len(optional) > 0:
		c.Status = Warn
		c.Detail = fmt.Sprintf("all %d tables and %d columns ImageInvoker needs were found; not found (optional): %s", len(sc.Tables)-countOptionalTables(sc), cols, strings.Join(optional, ", "))
		c.Fix = "Nothing to do for a menu; the schema mapping below says what each missing name costs"
	default:
		c.Status, c.Detail = OK, fmt.Sprintf("all %d tables and %d columns ImageInvoker uses were found", len(sc.Tables), cols)
	}
	// DS's own "security off" decides, but with console users or groups
	// present it deserves a person's look.
	if w := sc.Security.Warning; w != "" && c.Status != Fail {
		c.Status = Warn
		c.Detail += "; " + w
		c.Fix = "Switch console security on in the DS console (Tools > Security) if it should be; ImageInvoker follows DS's answer"
	}
	return dedupe(bad)
}

func countOptionalTables(sc *express.Schema) int {
	n := 0
	for _, t := range sc.Tables {
		if t.Name == "" && t.Optional {
			n++
		}
	}
	return n
}

func machineCheck(ctx context.Context, d Deps, st Store) Check {
	c := Check{Name: "machine"}
	cfg := *d.Config
	// doctor reports; it does not wait for DS to register the machine.
	cfg.Machine.WaitRegistration = 0
	fl := flow.New(flow.Deps{Config: &cfg, ReadMachine: d.ReadMachine})
	m, err := fl.Identify(d.Override)
	if err != nil {
		c.Status, c.Detail = Fail, "cannot read this machine's identifiers: "+err.Error()
		c.Fix = "Name the machine with --mac, --serial, --uuid or --computer-id"
		return c
	}
	err = fl.FindComputer(ctx, st, m)
	switch {
	case err == nil:
		c.Status = OK
		c.Detail = fmt.Sprintf("this machine (%s) is DS computer %s (id %d)", m.Describe(), m.Computer.Name, m.Computer.ID)
	case errors.Is(err, model.ErrUnknownComputer):
		c.Status = Fail
		c.Detail = "not known to Deployment Server; this machine has " + m.Describe() +
			" (looked up by " + cfg.Machine.Match.Join(", ") + ")"
		if len(m.Warnings) > 0 {
			c.Detail += "; could not read: " + strings.Join(m.Warnings, "; ")
		}
		c.Fix = "Boot it into DS automation once so DS registers it (it appears under New Computers), or have your DS administrator add it with one of these identifiers; machine.match (--match) chooses which identifiers are tried"
	case errors.Is(err, model.ErrAmbiguousComputer):
		c.Status = Fail
		c.Detail, c.Fix = splitFix(err.Error())
	default:
		c.Status = Fail
		c.Detail, c.Fix = splitFix(err.Error())
		if c.Fix == "" {
			c.Fix = "See the store checks above"
		}
	}
	return c
}

// splitFix splits the store's "what happened — what to do" sentences.
func splitFix(msg string) (detail, fix string) {
	if i := strings.LastIndex(msg, " — "); i > 0 {
		f := strings.TrimSpace(msg[i+len(" — "):])
		return msg[:i], strings.ToUpper(f[:1]) + f[1:]
	}
	return msg, ""
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
