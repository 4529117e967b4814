package express

import (
	"context"
	"database/sql"
)

// TableCheck is one table the client needs, with whether it is present and
// readable with every column the client uses.
type TableCheck struct {
	Table string
	OK    bool
	Err   error
}

// CheckSchema tries each table the client needs (for `doctor`). A missing
// table or column gives an ErrSchema; a dead connection ErrUnreachable.
func (s *Store) CheckSchema(ctx context.Context) []TableCheck {
	out := make([]TableCheck, 0, len(s.q.tableChecks))
	for _, t := range s.q.tableChecks {
		err := s.each(ctx, s.db, nil, t.query, nil, func(*sql.Rows) error { return nil })
		out = append(out, TableCheck{Table: t.table, OK: err == nil, Err: s.classify("check table "+t.table, err)})
	}
	return out
}
