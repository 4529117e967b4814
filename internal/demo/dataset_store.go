package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"

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
