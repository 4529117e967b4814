package express

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strings"
	"sync/atomic"
)

// A batch is statements that do not depend on each other's answers. SQL
// Server is sent them as one batch — their texts joined with batchSep, their
// parameters bound once — and answers with one result set per statement,
// read in order with NextResultSet: one round trip. SQLite (the embedded
// store and the tests) runs the same texts one by one, each its own
// statement; a statement sent that way carries its batch in the context
// (BatchOf), so a latency model can charge what SQL Server would.
//
// Each SELECT answers exactly one result set, so the answers cannot shift.
// DS's procedures (EXEC) may answer none: a group of calls (execGroup) goes
// last in its batch, where a call answering no set ends the reading.
type stmt struct {
	op   string // what it reads, for error sentences ("load job folders")
	text string
	args []any // sql.NamedArg only: a batch binds them by name
	row  func(*sql.Rows) error
	// calls > 0 makes it a group of DS procedure calls (execGroup): each
	// call answers its own result set, handed to call with the call's
	// index; a call without a set ends the group's reading. A group ends
	// its batch, so what it leaves unanswered cannot shift another's rows.
	calls int
	call  func(i int, rows *sql.Rows) error
}

// batchSep joins a batch's statements. No statement text contains it.
const batchSep = ";\n\n"

// maxBatchParams bounds the parameters of one SQL Server batch (its limit
// is 2,100); a batch that would carry more is sent as several.
const maxBatchParams = 2000

type batchKey struct{}

var batchSeq atomic.Uint64

// BatchOf says which SQL Server batch a statement sent with ctx belongs to
// when the store runs it on its own (SQLite): statements with one id would
// be one round trip on SQL Server. ok is false outside a batch.
func BatchOf(ctx context.Context) (id uint64, ok bool) {
	id, ok = ctx.Value(batchKey{}).(uint64)
	return id, ok
}

// runBatch sends stmts as few batches as the parameter limit allows and
// hands each statement's rows to its reader, in order. n counts the
// statements (Snapshot.Statements).
func (s *Store) runBatch(ctx context.Context, q querier, n *int, stmts []stmt) error {
	for _, part := range splitBatch(stmts, maxBatchParams) {
		if err := s.sendBatch(ctx, q, n, part); err != nil {
			return err
		}
	}
	return nil
}

// splitBatch cuts stmts into runs whose parameters stay within max (a
// statement alone may exceed it: it is sent alone, as before batching); a
// group of procedure calls ends its run.
func splitBatch(stmts []stmt, max int) [][]stmt {
	var out [][]stmt
	start, count := 0, 0
	for i, st := range stmts {
		if i > start && count+len(st.args) > max {
			out = append(out, stmts[start:i])
			start, count = i, 0
		}
		count += len(st.args)
		if st.calls > 0 {
			out = append(out, stmts[start:i+1])
			start, count = i+1, 0
		}
	}
	if start < len(stmts) {
		out = append(out, stmts[start:])
	}
	return out
}

func (s *Store) sendBatch(ctx context.Context, q querier, n *int, part []stmt) error {
	if s.dialect != DialectSQLServer {
		ctx = context.WithValue(ctx, batchKey{}, batchSeq.Add(1))
		for _, st := range part {
			if st.calls > 0 {
				return fmt.Errorf("express: %s: DS's procedures are called on SQL Server only", st.op)
			}
			if err := s.each(ctx, q, n, st.text, st.args, st.row); err != nil {
				return s.classify(st.op, err)
			}
		}
		return nil
	}
	text, args, err := joinBatch(part)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	s.statements.Add(int64(len(part)))
	if n != nil {
		*n += len(part)
	}
	rows, err := q.QueryContext(ctx, text, args...)
	if err != nil {
		return s.classify(part[0].op, err)
	}
	defer rows.Close()
	for i, st := range part {
		if st.calls > 0 { // last in its batch (splitBatch)
			for c := 0; c < st.calls; c++ {
				if (i > 0 || c > 0) && !rows.NextResultSet() {
					break
				}
				for rows.Next() {
					if err := st.call(c, rows); err != nil {
						return s.classify(st.op, err)
					}
				}
			}
			return s.classify(st.op, rows.Err())
		}
		if i > 0 && !rows.NextResultSet() {
			if err := rows.Err(); err != nil {
				return s.classify(st.op, err)
			}
			return s.classify(st.op, fmt.Errorf("the server answered %d result sets to a batch of %d statements", i, len(part)))
		}
		for rows.Next() {
			if err := st.row(rows); err != nil {
				return s.classify(st.op, err)
			}
		}
		if err := rows.Err(); err != nil {
			return s.classify(st.op, err)
		}
	}
	return nil
}

// joinBatch is the text and parameters of one SQL Server batch. Statements
// may share a parameter only with the same value.
func joinBatch(part []stmt) (string, []any, error) {
	if len(part) == 1 {
		return part[0].text, part[0].args, nil
	}
	texts := make([]string, len(part))
	var args []any
	seen := map[string]any{}
	for i, st := range part {
		texts[i] = strings.TrimSuffix(st.text, ";")
		for _, a := range st.args {
			na, ok := a.(sql.NamedArg)
			if !ok {
				return "", nil, fmt.Errorf("express: batch statement %q has an unnamed parameter", st.op)
			}
			if v, dup := seen[na.Name]; dup {
				if !reflect.DeepEqual(v, na.Value) {
					return "", nil, fmt.Errorf("express: batch parameter @%s bound to %v and %v", na.Name, v, na.Value)
				}
				continue
			}
			seen[na.Name] = na.Value
			args = append(args, na)
		}
	}
	return strings.Join(texts, batchSep), args, nil
}
