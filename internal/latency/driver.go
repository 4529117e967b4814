package latency

import (
	"context"
	"database/sql/driver"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// Link is the simulated network between the client and a database: its
// round trip and what crossed it.
type Link struct {
	rtt atomic.Int64 // nanoseconds
	// ConnectTrips is how many round trips opening a connection costs
	// (0 for a local SQLite file; SQL Server's prelogin, TLS and login are
	// about 4).
	ConnectTrips int

	trace atomic.Pointer[func(query string)]
	// batchOf says which SQL Server batch a statement belongs to (SetBatches).
	batchOf atomic.Pointer[func(ctx context.Context) (uint64, bool)]

	trips, stmts, conns atomic.Int64

	mu     sync.Mutex
	starts []time.Time // when each round trip since Reset began
}

// TripsSince is how many round trips since Reset began after t.
func (l *Link) TripsSince(t time.Time) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	var n int64
	for _, s := range l.starts {
		if s.After(t) {
			n++
		}
	}
	return n
}

func (l *Link) sent(query string) {
	l.stmts.Add(1)
	if tr := l.trace.Load(); tr != nil {
		(*tr)(query)
	}
}

// NewLink returns a link with round trip rtt.
func NewLink(rtt time.Duration) *Link {
	l := &Link{}
	l.rtt.Store(int64(rtt))
	return l
}

// SetRTT changes the round trip.
func (l *Link) SetRTT(rtt time.Duration) { l.rtt.Store(int64(rtt)) }

// Trips is how many round trips crossed the link; Statements how many of
// them carried a statement (query or exec); Conns how many connections
// were opened.
func (l *Link) Trips() int64 { return l.trips.Load() }

// Statements: see Trips.
func (l *Link) Statements() int64 { return l.stmts.Load() }

// Conns: see Trips.
func (l *Link) Conns() int64 { return l.conns.Load() }

// SetTrace has fn told each statement sent; nil stops it.
func (l *Link) SetTrace(fn func(query string)) {
	if fn == nil {
		l.trace.Store(nil)
		return
	}
	l.trace.Store(&fn)
}

// SetBatches models SQL Server's batches on a driver that runs statements
// one by one (SQLite): fn says which batch the code would have sent a
// statement in on SQL Server (express.BatchOf, from the statement's
// context), and the statements of one batch sent one after the other on a
// connection cost one round trip, the first's. A statement outside a batch
// (ok false) is its own round trip, as before. nil stops it.
func (l *Link) SetBatches(fn func(ctx context.Context) (id uint64, ok bool)) {
	if fn == nil {
		l.batchOf.Store(nil)
		return
	}
	l.batchOf.Store(&fn)
}

// Reset zeroes the counters.
func (l *Link) Reset() {
	l.trips.Store(0)
	l.stmts.Store(0)
	l.conns.Store(0)
	l.mu.Lock()
	l.starts = nil
	l.mu.Unlock()
}

// trip waits one round trip, or until ctx ends.
func (l *Link) trip(ctx context.Context) error {
	l.trips.Add(1)
	l.mu.Lock()
	l.starts = append(l.starts, time.Now())
	l.mu.Unlock()
	d := time.Duration(l.rtt.Load())
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Connector returns a connector opening base's connections to name
// across l.
func (l *Link) Connector(base driver.Driver, name string) driver.Connector {
	return &connector{l: l, base: base, name: name}
}

type connector struct {
	l    *Link
	base driver.Driver
	name string
}

func (c *connector) Connect(ctx context.Context) (driver.Conn, error) {
	c.l.conns.Add(1)
	for i := 0; i < c.l.ConnectTrips; i++ {
		if err := c.l.trip(ctx); err != nil {
			return nil, err
		}
	}
	bc, err := c.base.Open(c.name)
	if err != nil {
		return nil, err
	}
	return &conn{l: c.l, base: bc}, nil
}

func (c *connector) Driver() driver.Driver { return c.base }

// conn forwards to the base connection, one round trip per batch sent.
type conn struct {
	l    *Link
	base driver.Conn
	// batch is the SQL Server batch the last statement on this connection
	// belonged to (0: none).
	batch uint64
}

// statement charges one statement: a round trip unless it continues the
// SQL Server batch of the statement before it on this connection.
func (c *conn) statement(ctx context.Context, query string) error {
	c.l.sent(query)
	var id uint64
	if fn := c.l.batchOf.Load(); fn != nil {
		if b, ok := (*fn)(ctx); ok {
			id = b
		}
	}
	if id != 0 && id == c.batch {
		return ctx.Err()
	}
	c.batch = id
	return c.l.trip(ctx)
}

func (c *conn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	var st driver.Stmt
	var err error
	if p, ok := c.base.(driver.ConnPrepareContext); ok {
		st, err = p.PrepareContext(ctx, query)
	} else {
		st, err = c.base.Prepare(query)
	}
	if err != nil {
		return nil, err
	}
	// Preparing sends nothing of its own: go-mssqldb sends the statement
	// with its parameters when it runs (sp_executesql).
	return &stmt{c: c, base: st, query: query}, nil
}

func (c *conn) Close() error { return c.base.Close() }

func (c *conn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	c.batch = 0
	if err := c.l.trip(ctx); err != nil {
		return nil, err
	}
	var tx driver.Tx
	var err error
	b, ok := c.base.(driver.ConnBeginTx)
	if !ok {
		return nil, errors.New("latency: the wrapped driver has no BeginTx")
	}
	if tx, err = b.BeginTx(ctx, opts); err != nil {
		return nil, err
	}
	return &txWrap{l: c.l, base: tx}, nil
}

func (c *conn) Ping(ctx context.Context) error {
	c.batch = 0
	if err := c.l.trip(ctx); err != nil {
		return err
	}
	if p, ok := c.base.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	e, ok := c.base.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	if err := c.statement(ctx, query); err != nil {
		return nil, err
	}
	return e.ExecContext(ctx, query, args)
}

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	q, ok := c.base.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	if err := c.statement(ctx, query); err != nil {
		return nil, err
	}
	r, err := q.QueryContext(ctx, query, args)
	if err != nil {
		return nil, err
	}
	return wrapRows(c.l, r), nil
}

func (c *conn) CheckNamedValue(nv *driver.NamedValue) error {
	if ch, ok := c.base.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

func (c *conn) ResetSession(ctx context.Context) error {
	if r, ok := c.base.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *conn) IsValid() bool {
	if v, ok := c.base.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

type stmt struct {
	c     *conn
	base  driver.Stmt
	query string
}

func (s *stmt) Close() error  { return s.base.Close() }
func (s *stmt) NumInput() int { return s.base.NumInput() }

// Exec and Query are the old interface, which database/sql calls only
// when the context ones are missing; they go through those.
func (s *stmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), named(args))
}

func (s *stmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), named(args))
}

func named(args []driver.Value) []driver.NamedValue {
	out := make([]driver.NamedValue, len(args))
	for i, v := range args {
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return out
}

func (s *stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	if err := s.c.statement(ctx, s.query); err != nil {
		return nil, err
	}
	if e, ok := s.base.(driver.StmtExecContext); ok {
		return e.ExecContext(ctx, args)
	}
	return nil, driver.ErrSkip
}

func (s *stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	if err := s.c.statement(ctx, s.query); err != nil {
		return nil, err
	}
	q, ok := s.base.(driver.StmtQueryContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	r, err := q.QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	return wrapRows(s.c.l, r), nil
}

func (s *stmt) CheckNamedValue(nv *driver.NamedValue) error {
	if ch, ok := s.base.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

type txWrap struct {
	l    *Link
	base driver.Tx
}

func (t *txWrap) Commit() error {
	_ = t.l.trip(context.Background())
	return t.base.Commit()
}

func (t *txWrap) Rollback() error {
	_ = t.l.trip(context.Background())
	return t.base.Rollback()
}

// rows forwards a result. A further result set of the same batch
// (NextResultSet) costs no round trip: the server streams a batch's
// result sets in one answer (TDS), so only the batch is a round trip.
type rows struct {
	driver.Rows
	l *Link
}

type rowsNext struct {
	*rows
	n driver.RowsNextResultSet
}

func wrapRows(l *Link, r driver.Rows) driver.Rows {
	w := &rows{Rows: r, l: l}
	if n, ok := r.(driver.RowsNextResultSet); ok {
		return &rowsNext{rows: w, n: n}
	}
	return w
}

func (r *rowsNext) HasNextResultSet() bool { return r.n.HasNextResultSet() }

func (r *rowsNext) NextResultSet() error { return r.n.NextResultSet() }
