// Package express reads and writes the Deployment Server 6.9 eXpress
// database: the computer, the menu snapshot, jobs and schedules. The same
// SQL text runs on SQL Server (production, go-mssqldb) and SQLite (the
// embedded demo store and tests, modernc.org/sqlite); see queries.go.
package express

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	mssql "github.com/microsoft/go-mssqldb"
	// NTLM lets the technician's own DOMAIN\user open the SQL session from
	// any OS, so boot media carries no shared SQL secret.
	_ "github.com/microsoft/go-mssqldb/integratedauth/ntlm"
	"github.com/microsoft/go-mssqldb/msdsn"
	_ "modernc.org/sqlite"

	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// OpenOptions tune how the store talks to the database.
type OpenOptions struct {
	// QueueMethod is "auto" (default: "procedure" on SQL Server, "insert" on
	// SQLite), "procedure" (DS's wc_ins_schedule) or "insert".
	QueueMethod string
	Timeout     time.Duration // per statement/step; default 15s
	// NTLM: when set (store.auth = technician), log in to SQL Server as this
	// DOMAIN\user with this password.
	NTLMUser, NTLMPassword string
	// TLS verifies the SQL Server's certificate (store.ca_file,
	// store.tls_fingerprint); the session is encrypted unless the URL says
	// otherwise (InsecureTLS).
	TLS TLSOptions
	// Diagnose opens a database that lacks names the client needs instead of
	// refusing it, so `doctor` can show what discovery found; every other
	// step still refuses it.
	Diagnose bool
}

const defaultTimeout = 15 * time.Second

// Store is an open eXpress database.
type Store struct {
	db      *sql.DB
	dialect string
	// schema and q are set by the first Schema call (discovery), under schemaMu.
	schemaMu    sync.Mutex
	schema      *Schema
	q           *queries
	timeout     time.Duration
	queueMethod string
	diagnose    bool
	where       string   // host:port or file, for error sentences
	secrets     []string // never shown in an error
	statements  atomic.Int64
	pre         prefetchSlot // Prefetch's answer, until Snapshot takes it
}

// Open connects to the store at u (ParseURL): SQL Server or a SQLite file.
// It checks the connection before returning, so an unreachable server
// fails here.
func Open(ctx context.Context, u URL, opts OpenOptions) (*Store, error) {
	switch u.Dialect {
	case DialectSQLite:
		return openSQLite(ctx, u.file, u.Path, opts)
	case DialectSQLServer:
		return openSQLServer(ctx, u, opts)
	}
	return nil, errors.New("no store url: set store.url")
}

// SQLiteDSN is the modernc DSN for a store file: concurrent writers wait up
// to 5s for the lock instead of failing, and WAL lets readers go on while a
// technician's queue transaction writes.
func SQLiteDSN(path string) string {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)"
}

// openSQLite opens the file (ParseURL's Path) with the options path (the
// URL after sqlite:) carries.
func openSQLite(ctx context.Context, path, file string, opts OpenOptions) (*Store, error) {
	// SQLite would create a missing file and then fail later with "no such
	// table"; a typo in the path deserves its own sentence.
	if file != ":memory:" {
		if _, err := os.Stat(file); err != nil {
			return nil, &storeError{kind: model.ErrStoreUnreachable, cause: err, msg: fmt.Sprintf(
				"cannot open the eXpress database file %s: %v — check store.url", file, err)}
		}
	}
	db, err := sql.Open("sqlite", SQLiteDSN(path))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", file, err)
	}
	s := OpenDB(db, DialectSQLite, opts)
	s.where = file
	if err := s.open(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func openSQLServer(ctx context.Context, loc URL, opts OpenOptions) (*Store, error) {
	var secrets []string
	if u, err := url.Parse(loc.text()); err == nil && u.User != nil {
		if p, ok := u.User.Password(); ok && p != "" {
			secrets = append(secrets, p, url.QueryEscape(p), url.PathEscape(p))
		}
	}
	if opts.NTLMPassword != "" {
		secrets = append(secrets, opts.NTLMPassword)
	}
	cfg, err := msdsn.Parse(loc.text())
	if err != nil {
		msg := err.Error()
		for _, sec := range secrets {
			if sec != "" {
				msg = strings.ReplaceAll(msg, sec, "***")
			}
		}
		return nil, fmt.Errorf("store url %s: %s — fix store.url", loc.Redacted(), msg)
	}
	if cfg.Password != "" {
		secrets = append(secrets, cfg.Password)
	}
	if err := secureTLS(&cfg, opts.TLS); err != nil {
		return nil, &storeError{kind: model.ErrStoreUnreachable, msg: "cannot connect to the eXpress database securely: " + err.Error()}
	}
	if opts.NTLMUser != "" {
		if !strings.Contains(opts.NTLMUser, `\`) {
			return nil, fmt.Errorf("sql login as %q: NTLM needs DOMAIN\\user — set directory.domain so the user name is qualified", opts.NTLMUser)
		}
		cfg.User = opts.NTLMUser
		cfg.Password = opts.NTLMPassword
		if cfg.Parameters == nil {
			cfg.Parameters = map[string]string{}
		}
		cfg.Parameters["authenticator"] = "ntlm"
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	if cfg.DialTimeout == 0 || cfg.DialTimeout > timeout {
		cfg.DialTimeout = timeout
	}
	// go-mssqldb ignores the context while it waits for the prelogin and
	// login answers: a server that accepts TCP and stays silent would hang
	// the console forever. A per-read deadline bounds every wait instead.
	if cfg.ConnTimeout == 0 || cfg.ConnTimeout > timeout {
		cfg.ConnTimeout = timeout
	}
	db := sql.OpenDB(mssql.NewConnectorConfig(cfg))
	s := OpenDB(db, DialectSQLServer, opts)
	s.secrets = secrets
	s.where = serverAddress(cfg)
	if err := s.open(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Location is where the store is: host:port (and instance) or the file.
func (s *Store) Location() string { return s.where }

func serverAddress(cfg msdsn.Config) string {
	host := cfg.Host
	if cfg.Instance != "" {
		host += `\` + cfg.Instance
	}
	port := cfg.Port
	if port == 0 && cfg.Instance == "" {
		port = 1433
	}
	if port == 0 {
		return host
	}
	return net.JoinHostPort(host, strconv.FormatUint(port, 10))
}

// open checks the connection and discovers the schema, so an unreachable
// server or a database without the DS layout fails at open, before any menu.
func (s *Store) open(ctx context.Context) error {
	if err := s.ping(ctx); err != nil {
		return err
	}
	err := s.ready(ctx)
	if s.diagnose && errors.Is(err, model.ErrSchema) {
		return nil
	}
	return err
}

// OpenDB wraps an open database (tests, the embedded demo). dialect is
// "sqlite" or "sqlserver"; anything else is treated as sqlite. Discovery
// runs on first use.
func OpenDB(db *sql.DB, dialect string, opts OpenOptions) *Store {
	if _, ok := dialectExprs[dialect]; !ok {
		dialect = DialectSQLite
	}
	s := &Store{
		db:          db,
		dialect:     dialect,
		timeout:     opts.Timeout,
		queueMethod: opts.QueueMethod,
		diagnose:    opts.Diagnose,
		where:       dialect + " database",
	}
	if s.timeout <= 0 {
		s.timeout = defaultTimeout
	}
	if s.queueMethod == "" || s.queueMethod == QueueAuto {
		s.queueMethod = QueueInsert
		if dialect == DialectSQLServer {
			s.queueMethod = QueueProcedure
		}
	}
	if opts.NTLMPassword != "" {
		s.secrets = append(s.secrets, opts.NTLMPassword)
	}
	return s
}

func (s *Store) ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if err := s.db.PingContext(ctx); err != nil {
		return s.connectError(err)
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// DB is the underlying database (fixtures, tests).
func (s *Store) DB() *sql.DB { return s.db }

// Queue methods (store.queue).
const (
	QueueAuto      = "auto"
	QueueInsert    = "insert"
	QueueProcedure = "procedure"
)

// InsertOnSQLServer is why store.queue insert is refused on SQL Server.
const InsertOnSQLServer = "store.queue insert is refused on SQL Server: it would take the highest schedule_id plus one, while DS hands out ids with its own counter (sel_next_system_id), so the two may collide — use store.queue: procedure (or auto), which schedules through DS's wc_ins_schedule"

// QueueMethod is the method Queue uses ("insert" or "procedure").
func (s *Store) QueueMethod() string { return s.queueMethod }

// Dialect is "sqlite" or "sqlserver".
func (s *Store) Dialect() string { return s.dialect }

// Statements is how many SQL statements this store has sent so far; tests
// and benchmarks compare it before and after a step.
func (s *Store) Statements() int64 { return s.statements.Load() }

// Now is the database server's clock. The boot machine's clock is not to be
// trusted (BIOS time, WinPE's default time zone). On SQL Server it is the
// server's local wall clock (GETDATE(), what DS compares start_time with),
// returned with a UTC location; on SQLite it is UTC.
func (s *Store) Now(ctx context.Context) (time.Time, error) {
	var t dbTime
	if err := s.queryRow(ctx, s.db, "SELECT "+dialectExprs[s.dialect]["now"], nil).Scan(&t); err != nil {
		return time.Time{}, s.classify("read server time", err)
	}
	if !t.Valid {
		return time.Time{}, errors.New("read server time: the database returned no time")
	}
	return t.T, nil
}

// querier is what a statement runs on: the pool, a transaction or a conn.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// row is a sql.Row-like result whose Scan also releases the statement's
// timeout context.
type row struct {
	rows   *sql.Rows
	err    error
	cancel context.CancelFunc
}

func (r *row) Scan(dest ...any) error {
	defer r.cancel()
	if r.err != nil {
		return r.err
	}
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := r.rows.Scan(dest...); err != nil {
		return err
	}
	return r.rows.Close()
}

// queryScalar reads a procedure's answer as DS's ExpressDatabase.ExecuteScalar
// does: column 0 of row 0 of the first result set, whatever the column
// count; sql.ErrNoRows when there is no row.
func (s *Store) queryScalar(ctx context.Context, q querier, text string, args []any) (nullInt, error) {
	var v nullInt
	found := false
	err := s.each(ctx, q, nil, text, args, func(rows *sql.Rows) error {
		if found {
			return nil
		}
		found = true
		var err error
		v, err = scanScalar(rows)
		return err
	})
	if err == nil && !found {
		err = sql.ErrNoRows
	}
	return v, err
}

func (s *Store) queryRow(ctx context.Context, q querier, text string, args []any) *row {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	s.statements.Add(1)
	rows, err := q.QueryContext(ctx, text, args...)
	return &row{rows: rows, err: err, cancel: cancel}
}

// each runs a query and calls fn for every row, under the per-statement
// timeout; n counts the statement for Snapshot.Statements when not nil.
func (s *Store) each(ctx context.Context, q querier, n *int, text string, args []any, fn func(*sql.Rows) error) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	s.statements.Add(1)
	if n != nil {
		*n++
	}
	rows, err := q.QueryContext(ctx, text, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (s *Store) exec(ctx context.Context, q querier, text string, args []any) (sql.Result, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	s.statements.Add(1)
	return q.ExecContext(ctx, text, args...)
}

// DatabaseInfo names the database the store reads (DS's ODBC data source
// may name one other than eXpress) and, where DS's wc_sel_database_info can
// be called, what its first row says, as "column=value" (DS text: show it
// through termsafe). For doctor.
func (s *Store) DatabaseInfo(ctx context.Context) (name string, info []string, err error) {
	if err := s.ready(ctx); err != nil && !s.diagnose {
		return "", nil, err
	}
	if s.dialect != DialectSQLServer {
		return s.where, nil, nil
	}
	var n nullText
	if err := s.queryRow(ctx, s.db, "SELECT DB_NAME()", nil).Scan(&n); err != nil {
		return "", nil, s.classify("read the database name", err)
	}
	if s.schema == nil || !s.schema.HasProcedure("wc_sel_database_info") {
		return n.S, nil, nil
	}
	err = s.each(ctx, s.db, nil, "EXEC wc_sel_database_info", nil, func(rows *sql.Rows) error {
		if info != nil {
			return nil
		}
		cols, vals, err := rowValues(rows)
		if err != nil {
			return err
		}
		info = []string{}
		for i, c := range cols {
			v := vals[i]
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			if v == nil {
				v = "NULL"
			}
			info = append(info, fmt.Sprintf("%s=%v", c, v))
		}
		return nil
	})
	if err != nil {
		return n.S, nil, s.classify("ask DS for its database info", err)
	}
	return n.S, info, nil
}
