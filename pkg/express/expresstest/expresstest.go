// Package expresstest makes real eXpress stores for tests: a temporary
// SQLite file with the fixture schema and optional fixture data, opened the
// way production opens a `sqlite:` store URL.
package expresstest

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/imageinvoker/imageinvoker/pkg/express"
)

// New returns a store on a fresh temporary SQLite file holding the schema
// and the given fixture SQL texts, in order. It is closed when the test ends.
func New(t testing.TB, fixtures ...string) *express.Store {
	t.Helper()
	return Open(t, NewFile(t, fixtures...), express.OpenOptions{})
}

// NewFile creates the database file and returns its path, for tests that
// open several stores on one file (concurrent writers) or pass a store URL.
func NewFile(t testing.TB, fixtures ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "express.db")
	db, err := sql.Open("sqlite", express.SQLiteDSN(path))
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer db.Close()
	ctx := context.Background()
	if err := express.CreateSchema(ctx, db); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	for i, f := range fixtures {
		if err := express.LoadFixture(ctx, db, f); err != nil {
			t.Fatalf("load fixture %d: %v", i+1, err)
		}
	}
	return path
}

// Open opens a store on an existing file as `sqlite:PATH` and closes it
// when the test ends.
func Open(t testing.TB, path string, opts express.OpenOptions) *express.Store {
	t.Helper()
	s, err := express.Open(context.Background(), URL(t, "sqlite:"+path), opts)
	if err != nil {
		t.Fatalf("open store %s: %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// URL is express.ParseURL(raw), which must succeed.
func URL(t testing.TB, raw string) express.URL {
	t.Helper()
	u, err := express.ParseURL(raw)
	if err != nil {
		t.Fatalf("store url: %v", err)
	}
	return u
}

// Fixture returns the text of testdata/express/NAME from the repository,
// wherever the calling test runs.
func Fixture(t testing.TB, name string) string {
	t.Helper()
	return testdata(t, "express", name)
}

// LabFile is a fresh SQLite store file of testdata/preview/lab.sql (the
// lab site the app, flow and console tests share), with extra statements
// applied after it.
func LabFile(t testing.TB, extra ...string) string {
	t.Helper()
	return NewFile(t, append([]string{testdata(t, "preview", "lab.sql")}, extra...)...)
}

// testdata returns the text of testdata/DIR/NAME from the repository.
func testdata(t testing.TB, dir, name string) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("expresstest: cannot locate the repository")
	}
	path := filepath.Join(filepath.Dir(file), "..", "..", "..", "testdata", dir, name)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	return string(b)
}

// Scalar runs q, a query for one value such as a COUNT, on a database the
// test opened directly, and fails the test when it cannot.
func Scalar[T any](t testing.TB, db *sql.DB, q string, args ...any) T {
	t.Helper()
	var v T
	if err := db.QueryRow(q, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

// FileScalar is Scalar on the database file at path, opened directly (not
// through a store) for the one query.
func FileScalar[T any](t testing.TB, path, q string, args ...any) T {
	t.Helper()
	db, err := sql.Open("sqlite", express.SQLiteDSN(path))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return Scalar[T](t, db, q, args...)
}

// Exec runs statements on the database file at path directly, not through a
// store: for tests that change a store's data or layout behind its back.
func Exec(t testing.TB, path string, stmts ...string) {
	t.Helper()
	db, err := sql.Open("sqlite", express.SQLiteDSN(path))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, stmt := range stmts {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
}
