package express

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// No SQL Server runs here, so the SQL Server path is tested by its exact
// contract: a database/sql driver that records every statement, its
// argument names, Go types and values, and answers from a script. What the
// recorder sees is what go-mssqldb would be handed.

type recCall struct {
	kind string // "query", "exec", "begin", "commit", "rollback"
	text string
	args []driver.NamedValue
}

type resultSet [][]driver.Value

// answerFunc scripts the server: the result sets of one statement.
type answerFunc func(text string, args []driver.NamedValue) ([]resultSet, error)

type recorder struct {
	mu     sync.Mutex
	calls  []recCall
	answer answerFunc
}

func (r *recorder) add(c recCall) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, c)
}

func (r *recorder) Calls() []recCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recCall(nil), r.calls...)
}

func (r *recorder) Connect(context.Context) (driver.Conn, error) { return &recConn{r}, nil }
func (r *recorder) Driver() driver.Driver                        { return recDriver{} }

type recDriver struct{}

func (recDriver) Open(string) (driver.Conn, error) { return nil, fmt.Errorf("use the connector") }

type recConn struct{ r *recorder }

func (c *recConn) Prepare(string) (driver.Stmt, error) {
	return nil, fmt.Errorf("prepare not scripted")
}
func (c *recConn) Close() error { return nil }
func (c *recConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}
func (c *recConn) BeginTx(_ context.Context, o driver.TxOptions) (driver.Tx, error) {
	c.r.add(recCall{kind: "begin", text: sql.IsolationLevel(o.Isolation).String()})
	return recTx{c.r}, nil
}

// CheckNamedValue accepts every type as it is, as go-mssqldb does for its
// own types (mssql.DateTime1), so the recorder sees the exact Go values.
func (c *recConn) CheckNamedValue(*driver.NamedValue) error { return nil }

// QueryContext answers a batch (statements joined with batchSep) as SQL
// Server does: each statement is answered by the script on its own, with
// the parameters its text names, and the answers come back as one stream
// of result sets, read with NextResultSet.
func (c *recConn) QueryContext(_ context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	c.r.add(recCall{kind: "query", text: q, args: args})
	var all []resultSet
	for _, part := range strings.Split(q, batchSep) {
		partArgs := args
		if part != q {
			partArgs = argsNamedIn(part, args)
		}
		sets, err := c.r.answer(part, partArgs)
		if err != nil {
			return nil, err
		}
		if len(sets) == 0 {
			sets = []resultSet{nil}
		}
		all = append(all, sets...)
	}
	return &recRows{sets: all}, nil
}

var paramRE = regexp.MustCompile(`@([A-Za-z_][A-Za-z0-9_]*)`)

// argsNamedIn are the arguments a statement of a batch names.
func argsNamedIn(text string, args []driver.NamedValue) []driver.NamedValue {
	names := map[string]bool{}
	for _, m := range paramRE.FindAllStringSubmatch(text, -1) {
		names[m[1]] = true
	}
	var out []driver.NamedValue
	for _, a := range args {
		if names[a.Name] {
			out = append(out, a)
		}
	}
	return out
}

// batchParts are a recorded batch's statements.
func batchParts(c recCall) []string { return strings.Split(c.text, batchSep) }

func (c *recConn) ExecContext(_ context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	c.r.add(recCall{kind: "exec", text: q, args: args})
	if _, err := c.r.answer(q, args); err != nil {
		return nil, err
	}
	return driver.RowsAffected(1), nil
}

type recTx struct{ r *recorder }

func (t recTx) Commit() error   { t.r.add(recCall{kind: "commit"}); return nil }
func (t recTx) Rollback() error { t.r.add(recCall{kind: "rollback"}); return nil }

type recRows struct {
	sets []resultSet
	set  int
	row  int
}

// colName marks a result set's header row: named("granted", "user") as a
// set's first row names its columns, as SQL Server does; a set without one
// has columns c0, c1, ...
type colName string

func named(names ...string) []driver.Value {
	out := make([]driver.Value, len(names))
	for i, n := range names {
		out[i] = colName(n)
	}
	return out
}

func hasHeader(s resultSet) bool {
	if len(s) == 0 || len(s[0]) == 0 {
		return false
	}
	_, ok := s[0][0].(colName)
	return ok
}

func (r *recRows) Columns() []string {
	s := r.sets[r.set]
	if hasHeader(s) {
		cols := make([]string, len(s[0]))
		for i, v := range s[0] {
			cols[i] = string(v.(colName))
		}
		return cols
	}
	n := 1
	if len(s) > 0 {
		n = len(s[0])
	}
	cols := make([]string, n)
	for i := range cols {
		cols[i] = fmt.Sprintf("c%d", i)
	}
	return cols
}
func (r *recRows) Close() error { return nil }
func (r *recRows) Next(dest []driver.Value) error {
	s := r.sets[r.set]
	if r.row == 0 && hasHeader(s) {
		r.row = 1
	}
	if r.row >= len(s) {
		return io.EOF
	}
	copy(dest, s[r.row])
	r.row++
	return nil
}
func (r *recRows) HasNextResultSet() bool { return r.set+1 < len(r.sets) }
func (r *recRows) NextResultSet() error {
	if !r.HasNextResultSet() {
		return io.EOF
	}
	r.set, r.row = r.set+1, 0
	return nil
}

// recordingStore is a SQL Server store on the recorder.
func recordingStore(t *testing.T, opts OpenOptions, answer answerFunc) (*Store, *recorder) {
	t.Helper()
	rec := &recorder{answer: answer}
	db := sql.OpenDB(rec)
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return OpenDB(db, DialectSQLServer, opts), rec
}

// discoveryAnswer lists every table and column of needs except those in
// drop ("table" or "table.column"), the procedures in procs, and DS's
// security state (nil: wc_sel_security_state not callable: no second set).
func discoveryAnswer(drop map[string]bool, procs []string, state *int64) []resultSet {
	var cols resultSet
	for _, t := range needs {
		if drop[t.key] {
			continue
		}
		for _, c := range t.columns {
			if !drop[t.key+"."+c.key] {
				cols = append(cols, []driver.Value{t.names[0], c.names[0]})
			}
		}
	}
	for _, p := range procs {
		cols = append(cols, []driver.Value{p, nil})
	}
	sets := []resultSet{cols}
	if state != nil {
		sets = append(sets, resultSet{{*state}})
	}
	return sets
}

func allProcs() []string {
	var out []string
	for _, p := range procNeeds {
		out = append(out, p.name)
	}
	return out
}

func isDiscovery(text string) bool { return strings.HasPrefix(text, "SELECT TABLE_NAME, COLUMN_NAME") }
