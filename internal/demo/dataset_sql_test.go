package demo

import (
	"context"
	"database/sql"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/imageinvoker/imageinvoker/pkg/express"
	"github.com/imageinvoker/imageinvoker/pkg/express/expresstest"
)

var update = flag.Bool("update", false, "rewrite testdata/demo/express.sql from the Go dataset")

var fixturePath = filepath.Join("..", "..", "testdata", "demo", "express.sql")

// TestDatasetSQLFixture keeps the reviewable SQL copy equal to the Go dataset
// and proves it loads to the same rows.
func TestDatasetSQLFixture(t *testing.T) {
	text := DatasetSQL()
	if *update {
		if err := os.MkdirAll(filepath.Dir(fixturePath), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(fixturePath, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	onDisk, err := os.ReadFile(fixturePath)
	if err != nil {
		t.Fatalf("%v — run go test ./internal/demo -run TestDatasetSQLFixture -update", err)
	}
	if string(onDisk) != text {
		t.Fatalf("%s is out of date — run go test ./internal/demo -run TestDatasetSQLFixture -update", fixturePath)
	}

	ctx := context.Background()
	fromGo := openDataset(t)
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "fixture.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := express.CreateSchema(ctx, db); err != nil {
		t.Fatal(err)
	}
	if err := express.LoadFixture(ctx, db, string(onDisk)); err != nil {
		t.Fatalf("load %s: %v", fixturePath, err)
	}
	for _, tb := range datasetTables() {
		t.Run(tb.name, func(t *testing.T) {
			q := "SELECT COUNT(*) FROM " + tb.name
			if a, b := expresstest.Scalar[int](t, fromGo, q), expresstest.Scalar[int](t, db, q); a != b || a != len(tb.rows) {
				t.Errorf("%s: Go dataset %d rows, fixture %d, want %d", tb.name, a, b, len(tb.rows))
			}
		})
	}
}
