package express

import (
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// maxInList bounds one generated IN list. SQL Server refuses more than 2,100
// parameters in one statement; a statement may carry two lists plus a few
// named parameters, so 500 per list stays far below it. A var so tests can
// force batching with small data.
var maxInList = 500

// inList returns a placeholder list @name0,@name1,... and the bound values.
// The names are generated here, never taken from input; values are bound.
func inList[T any](name string, vals []T) (string, []any) {
	var b strings.Builder
	args := make([]any, len(vals))
	for i, v := range vals {
		if i > 0 {
			b.WriteByte(',')
		}
		p := name + strconv.Itoa(i)
		b.WriteString("@" + p)
		args[i] = sql.Named(p, v)
	}
	return b.String(), args
}

// withInList expands the {in:name} marker of a statement.
func withInList[T any](text, name string, vals []T) (string, []any) {
	return withInListAs(text, name, name, vals)
}

// withInListAs expands the {in:marker} marker with parameters named
// prefix0, prefix1, ... (statements sent in one batch need distinct names).
func withInListAs[T any](text, marker, prefix string, vals []T) (string, []any) {
	list, args := inList(prefix, vals)
	return strings.Replace(text, "{in:"+marker+"}", list, 1), args
}

// chunks splits vals into runs of at most size.
func chunks[T any](vals []T, size int) [][]T {
	if size <= 0 {
		size = 1
	}
	var out [][]T
	for len(vals) > size {
		out = append(out, vals[:size:size])
		vals = vals[size:]
	}
	if len(vals) > 0 {
		out = append(out, vals)
	}
	return out
}

// nullInt scans an integer column whatever the server's type for it: INT,
// BIGINT, BIT (bool) or a number kept as text. DS column types are partly
// UNVERIFIED (allow and create_image may be BIT), so the store is lenient
// about representation and strict about meaning.
type nullInt struct {
	V     int64
	Valid bool
}

func (n *nullInt) Scan(src any) error {
	n.V, n.Valid = 0, true
	switch v := textAsString(src).(type) {
	case nil:
		n.Valid = false
	case int64:
		n.V = v
	case int32:
		n.V = int64(v)
	case int:
		n.V = int64(v)
	case float64:
		n.V = int64(v)
	case bool:
		if v {
			n.V = 1
		}
	case string:
		i, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return fmt.Errorf("cannot read %q as an integer", v)
		}
		n.V = i
	default:
		return fmt.Errorf("cannot read %T as an integer", src)
	}
	return nil
}

func (n nullInt) ptrInt() *int {
	if !n.Valid {
		return nil
	}
	v := int(n.V)
	return &v
}

func (n nullInt) ptrBool() *bool {
	if !n.Valid {
		return nil
	}
	v := n.V != 0
	return &v
}

// textAsString turns the []byte a driver may give for a text column into a
// string, so the Scan methods read text one way.
func textAsString(src any) any {
	if b, ok := src.([]byte); ok {
		return string(b)
	}
	return src
}

// nullText scans text, trimming the padding SQL Server adds to CHAR columns.
type nullText struct {
	S     string
	Valid bool
}

func (t *nullText) Scan(src any) error {
	var ns sql.NullString
	if err := ns.Scan(src); err != nil {
		return err
	}
	t.S, t.Valid = strings.TrimRight(ns.String, " "), ns.Valid
	return nil
}

// dbTime scans a DATETIME column: SQL Server and modernc give time.Time for
// declared DATETIME columns, SQLite expressions give text.
type dbTime struct {
	T     time.Time
	Valid bool
}

var timeLayouts = []string{
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	time.RFC3339Nano,
	"2006-01-02",
}

func (t *dbTime) Scan(src any) error {
	t.T, t.Valid = time.Time{}, true
	switch v := textAsString(src).(type) {
	case nil:
		t.Valid = false
	case time.Time:
		t.T = v
	case string:
		return t.parse(v)
	default:
		return fmt.Errorf("cannot read %T as a time", src)
	}
	return nil
}

func (t *dbTime) parse(s string) error {
	for _, l := range timeLayouts {
		if v, err := time.Parse(l, s); err == nil {
			t.T = v
			return nil
		}
	}
	return fmt.Errorf("cannot read %q as a time", s)
}

// scheduleTimeLayout is how a start time is shown in model.Schedule.
const scheduleTimeLayout = "2006-01-02 15:04:05"

// rowValues reads the current row whatever its column count, with the
// column names: DS's procedures may answer with more columns than the
// client reads, and DS's own client ignores the others.
func rowValues(rows *sql.Rows) ([]string, []any, error) {
	cols, err := rows.Columns()
	if err != nil {
		return nil, nil, err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		return nil, nil, err
	}
	return cols, vals, nil
}

// scanScalar reads the current row as DS's ExpressDatabase.ExecuteScalar
// does: column 0, whatever the column count.
func scanScalar(rows *sql.Rows) (nullInt, error) {
	return scanColumn(rows, "")
}

// scanColumn reads one integer column of the current row by name (case-
// insensitive), as DS's client reads procedure answers; "" is column 0. A
// row without that column reads as NULL (no answer).
func scanColumn(rows *sql.Rows, name string) (nullInt, error) {
	cols, vals, err := rowValues(rows)
	if err != nil {
		return nullInt{}, err
	}
	var v nullInt
	for i, c := range cols {
		if (name == "" && i == 0) || (name != "" && strings.EqualFold(strings.TrimSpace(c), name)) {
			err := v.Scan(vals[i])
			return v, err
		}
	}
	return v, nil
}
