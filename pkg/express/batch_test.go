package express

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// A batch is cut where its parameters would pass maxBatchParams: a run of
// exactly the limit is one batch, one more parameter starts the next, and
// a group of procedure calls ends its run.
func TestSplitBatchAtTheLimit(t *testing.T) {
	st := func(n int) stmt { return stmt{args: make([]any, n)} }
	group := stmt{args: make([]any, 3), calls: 1}
	sizes := func(runs [][]stmt) string {
		var out []string
		for _, r := range runs {
			var ns []string
			for _, s := range r {
				ns = append(ns, fmt.Sprint(len(s.args)))
			}
			out = append(out, strings.Join(ns, "+"))
		}
		return strings.Join(out, " | ")
	}
	for _, tc := range []struct {
		name  string
		stmts []stmt
		want  string
	}{
		{"exactly the limit", []stmt{st(1000), st(1000)}, "1000+1000"},
		{"one past it", []stmt{st(1000), st(1000), st(1)}, "1000+1000 | 1"},
		{"a statement alone past it", []stmt{st(1), st(2001), st(1)}, "1 | 2001 | 1"},
		{"a group ends its run", []stmt{st(1), group, st(1)}, "1+3 | 1"},
		{"a group past the limit starts a run", []stmt{st(1999), group}, "1999 | 3"},
	} {
		if got := sizes(splitBatch(tc.stmts, 2000)); got != tc.want {
			t.Errorf("%s: runs %s, want %s", tc.name, got, tc.want)
		}
	}
}

// Two statements of one batch share a parameter only with the same value:
// one named alike with another value is refused, never bound to one of
// them.
func TestJoinBatchParameters(t *testing.T) {
	a := stmt{op: "a", text: "SELECT 1 WHERE x = @id;", args: []any{sql.Named("id", int64(7))}}
	same := stmt{op: "b", text: "SELECT 2 WHERE y = @id", args: []any{sql.Named("id", int64(7))}}
	other := stmt{op: "c", text: "SELECT 3 WHERE z = @id", args: []any{sql.Named("id", int64(8))}}
	text, args, err := joinBatch([]stmt{a, same})
	if err != nil || len(args) != 1 || text != "SELECT 1 WHERE x = @id"+batchSep+"SELECT 2 WHERE y = @id" {
		t.Errorf("shared parameter: %q %v %v", text, args, err)
	}
	if _, _, err := joinBatch([]stmt{a, other}); err == nil {
		t.Error("a parameter bound to two values was joined")
	}
	if _, _, err := joinBatch([]stmt{a, {op: "d", text: "SELECT @p1", args: []any{int64(1)}}}); err == nil {
		t.Error("an unnamed parameter was joined")
	}
}

// SQL Server answers a batch with one result set per statement. Fewer sets
// (a statement that answered none), or an error after the first set (an
// error token mid-batch: go-mssqldb returns it from Next), fail the batch:
// no reader is left with a part of its answer taken for the whole.
func TestSendBatchFailsClosed(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		rows *setRows
	}{
		{"fewer result sets", &setRows{sets: [][][]driver.Value{{{int64(1)}}, {{int64(2)}}}}},
		{"an error in the second set", &setRows{sets: [][][]driver.Value{{{int64(1)}}, {{int64(2)}}, {{int64(3)}}}, errIn: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := OpenDB(sql.OpenDB(setConnector{tc.rows}), DialectSQLServer, OpenOptions{})
			defer s.Close()
			var got []int64
			read := func(rows *sql.Rows) error {
				var v int64
				err := rows.Scan(&v)
				got = append(got, v)
				return err
			}
			stmts := []stmt{
				{op: "one", text: "SELECT 1", row: read},
				{op: "two", text: "SELECT 2", row: read},
				{op: "three", text: "SELECT 3", row: read},
			}
			if err := s.runBatch(ctx, s.db, nil, stmts); err == nil {
				t.Errorf("the batch succeeded, having read %v", got)
			}
		})
	}
}

// setConnector answers every query with rows.
type setConnector struct{ rows *setRows }

func (c setConnector) Connect(context.Context) (driver.Conn, error) { return setConn(c), nil }
func (c setConnector) Driver() driver.Driver                        { return recDriver{} }

type setConn setConnector

func (c setConn) Prepare(string) (driver.Stmt, error) { return nil, errors.New("not scripted") }
func (c setConn) Close() error                        { return nil }
func (c setConn) Begin() (driver.Tx, error)           { return nil, errors.New("not scripted") }
func (c setConn) QueryContext(context.Context, string, []driver.NamedValue) (driver.Rows, error) {
	r := *c.rows
	return &r, nil
}

// setRows are result sets of one column; errIn > 0 makes Next fail in that
// set (0-based), as go-mssqldb does on a statement's error token.
type setRows struct {
	sets     [][][]driver.Value
	set, row int
	errIn    int
}

func (r *setRows) Columns() []string { return []string{"v"} }
func (r *setRows) Close() error      { return nil }
func (r *setRows) Next(dest []driver.Value) error {
	if r.errIn > 0 && r.set == r.errIn {
		return errors.New("mid-batch error")
	}
	if r.row >= len(r.sets[r.set]) {
		return io.EOF
	}
	copy(dest, r.sets[r.set][r.row])
	r.row++
	return nil
}
func (r *setRows) HasNextResultSet() bool { return r.set+1 < len(r.sets) }
func (r *setRows) NextResultSet() error {
	if !r.HasNextResultSet() {
		return io.EOF
	}
	r.set, r.row = r.set+1, 0
	return nil
}
