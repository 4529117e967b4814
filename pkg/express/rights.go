package express

import (
	"context"
	"database/sql"

	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// How the store learns who holds the Administrative right (docs/ds-schema.md,
// "Rights"): from a visible rights table (securityprivilegelink, or the
// older securityrightlink reading), else from DS's own
// wc_sel_security_right on SQL Server, else not at all: then nobody holds
// it and access decides by permissions alone (fail closed).
const (
	RightsTable     = "table"
	RightsProcedure = "wc_sel_security_right"
	RightsUnknown   = "unknown"
)

// noteRightsUnknown is put on every snapshot of a database where the right
// cannot be read (explain shows it).
const noteRightsUnknown = "this eXpress database shows no rights table (securityprivilegelink) and DS's wc_sel_security_right cannot be called here, so nobody counts as holding the Administrative right: permissions alone decide (see `imageinvoker doctor`)"

// RightsSource says how the Administrative right is read: RightsTable,
// RightsProcedure or RightsUnknown.
func (sc *Schema) RightsSource() string {
	switch {
	case sc.ident("rights") != "":
		return RightsTable
	case sc.Dialect == DialectSQLServer && sc.HasProcedure("wc_sel_security_right"):
		return RightsProcedure
	}
	return RightsUnknown
}

// admins reads which of the principals hold the Administrative right, on q
// (the pool or a queue transaction). note is set when nothing can tell.
func (s *Store) admins(ctx context.Context, q querier, n *int, principals []model.Principal) (map[int64]bool, string, error) {
	out := map[int64]bool{}
	if len(principals) == 0 {
		return out, "", nil
	}
	ids := make([]int64, len(principals))
	for i, p := range principals {
		ids[i] = p.ID
	}
	switch s.schema.RightsSource() {
	case RightsTable:
		for _, part := range chunks(ids, maxInList) {
			text, args := withInList(s.q.adminRights, "pr", part)
			err := s.each(ctx, q, n, text, append(args, sql.Named("adminRight", model.RightAdministrative)), func(rows *sql.Rows) error {
				v, err := scanScalar(rows)
				if err == nil && v.Valid {
					out[v.V] = true
				}
				return err
			})
			if err != nil {
				return nil, "", s.classify("read rights", err)
			}
		}
	case RightsProcedure:
		for _, part := range chunks(ids, maxInList) {
			err := s.execBatchCol(ctx, q, n, "ask DS for the Administrative right", s.q.askRight, "granted", len(part),
				func(i int) []any { return []any{int32(part[i])} },
				func(i int, v nullInt) {
					if v.Valid && v.V != 0 {
						out[part[i]] = true
					}
				},
				sql.Named("adminRight", int32(model.RightAdministrative)), sql.Named("selectResults", int32(1)))
			if err != nil {
				return nil, "", err
			}
		}
	default:
		return out, noteRightsUnknown, nil
	}
	return out, "", nil
}
