package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/imageinvoker/imageinvoker/pkg/express"

	_ "modernc.org/sqlite" // the embedded store's driver ("sqlite")
)

// NewStore creates dir/demo-express.db — the eXpress schema plus the demo
// dataset — and returns its store URL (`sqlite:PATH`) for express.Open. An
// existing file is replaced: the demo always starts from the same story.
func NewStore(ctx context.Context, dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create demo store directory: %w", err)
	}
	path := filepath.Join(dir, StoreFile)
	for _, p := range []string{path, path + "-journal", path + "-wal", path + "-shm"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("replace demo store: %w", err)
		}
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return "", fmt.Errorf("open demo store: %w", err)
	}
	defer db.Close()
	if err := express.CreateSchema(ctx, db); err != nil {
		return "", fmt.Errorf("create demo schema: %w", err)
	}
	if err := CreateDataset(ctx, db); err != nil {
		return "", err
	}
	if err := db.Close(); err != nil {
		return "", fmt.Errorf("close demo store: %w", err)
	}
	return "sqlite:" + path, nil
}

// CreateDataset fills an empty eXpress schema with the demo data in one
// transaction. It uses only portable INSERTs with named parameters, so the
// same data can seed a SQL Server test database.
func CreateDataset(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("create demo dataset: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	for _, t := range datasetTables() {
		if err := insertRows(ctx, tx, t); err != nil {
			return fmt.Errorf("create demo dataset: %s: %w", t.name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("create demo dataset: %w", err)
	}
	return nil
}

func insertRows(ctx context.Context, tx *sql.Tx, t table) error {
	params := make([]string, len(t.cols))
	for i := range t.cols {
		params[i] = fmt.Sprintf("@p%d", i)
	}
	// Table and column names are the dataset's constants, never input.
	q := "INSERT INTO " + t.name + "(" + strings.Join(t.cols, ", ") + ") VALUES(" + strings.Join(params, ", ") + ")"
	stmt, err := tx.PrepareContext(ctx, q)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, r := range t.rows {
		if len(r) != len(t.cols) {
			return fmt.Errorf("row %v has %d values for %d columns", r, len(r), len(t.cols))
		}
		args := make([]any, len(r))
		for i, v := range r {
			args[i] = sql.Named(fmt.Sprintf("p%d", i), v)
		}
		if _, err := stmt.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("row %v: %w", r, err)
		}
	}
	return nil
}
