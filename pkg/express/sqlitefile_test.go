package express

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// A locked, read-only or full SQLite store is named as such, not as a
// network problem with SQL Server. Each error is a real one from SQLite.
func TestSQLiteFileProblemsAreNamed(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "express.db")
	setup, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := setup.Exec("CREATE TABLE t (x BLOB)"); err != nil {
		t.Fatal(err)
	}
	setup.Close()
	// Diagnose: the file holds only the test table, not the eXpress schema.
	st, err := Open(context.Background(), mustParse(t, "sqlite:"+path), OpenOptions{Diagnose: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	write := func(dsn string, prep ...string) error {
		db, err := sql.Open("sqlite", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		db.SetMaxOpenConns(1)
		for _, p := range prep {
			if _, err := db.Exec(p); err != nil {
				t.Fatalf("%s: %v", p, err)
			}
		}
		_, err = db.Exec("INSERT INTO t VALUES (zeroblob(200000))")
		return err
	}
	holder, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	tx, err := holder.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec("INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	locked := write(path)
	_ = tx.Rollback()

	cases := []struct {
		name string
		err  error
		want string
	}{
		{"locked", locked, "is locked by another program"},
		{"read-only", write("file:" + path + "?mode=ro"), "is read-only"},
		{"full", write(path, "PRAGMA max_page_count = 2"), "is full"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.err == nil {
				t.Fatal("SQLite did not fail")
			}
			got := st.classify("queue", tc.err)
			if !strings.Contains(got.Error(), tc.want) || !strings.Contains(got.Error(), path) ||
				strings.Contains(got.Error(), "SQL Server") || !errors.Is(got, model.ErrStoreUnreachable) {
				t.Errorf("classify(%v) = %v; want %q naming the file", tc.err, got, tc.want)
			}
		})
	}

	// A folder where the file should be: SQLite cannot open it.
	sub := filepath.Join(dir, "folder.db")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	_, err = Open(context.Background(), mustParse(t, "sqlite:"+sub), OpenOptions{})
	if err == nil || strings.Contains(err.Error(), "SQL Server") || !strings.Contains(err.Error(), "SQLite store file") {
		t.Errorf("open a folder: %v", err)
	}
}
