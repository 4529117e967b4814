package express

import (
	"context"
	"database/sql"
	_ "embed"
	"fmt"
	"strings"
)

//go:embed schema.sql
var schemaSQL string

// CreateSchema creates the eXpress tables ImageInvoker uses (SQLite
// fixtures and the embedded demo store; never run against a real DS).
func CreateSchema(ctx context.Context, db *sql.DB) error {
	if err := LoadFixture(ctx, db, schemaSQL); err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	return nil
}

// LoadFixture runs the statements of a .sql fixture in one transaction, so
// a broken fixture leaves nothing behind.
func LoadFixture(ctx context.Context, db *sql.DB, sqlText string) error {
	stmts := SplitStatements(sqlText)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("load fixture: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	for i, st := range stmts {
		if _, err := tx.ExecContext(ctx, st); err != nil {
			return fmt.Errorf("load fixture: statement %d (%s): %w", i+1, firstLine(st), err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("load fixture: %w", err)
	}
	return nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 60 {
		s = s[:60] + "..."
	}
	return s
}

// SplitStatements splits SQL text on semicolons outside quotes and `--`
// comments. Fixtures are plain DDL and INSERTs; no procedural blocks.
func SplitStatements(text string) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if st := strings.TrimSpace(cur.String()); st != "" {
			out = append(out, st)
		}
		cur.Reset()
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '-' && i+1 < len(text) && text[i+1] == '-':
			for i < len(text) && text[i] != '\n' {
				i++
			}
			cur.WriteByte('\n')
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(text) {
				if text[j] == c {
					if j+1 < len(text) && text[j+1] == c { // doubled quote
						j += 2
						continue
					}
					break
				}
				j++
			}
			if j >= len(text) {
				j = len(text) - 1
			}
			cur.WriteString(text[i : j+1])
			i = j
		case c == ';':
			flush()
		default:
			cur.WriteByte(c)
		}
	}
	flush()
	return out
}
