package express

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// Question is one permission question for DS: may the console user hold
// Permission on ObjectID (a job for "Schedule this job", the computer for a
// task permission)?
type Question struct {
	Permission int
	ObjectID   int64
}

// askBatch bounds the questions sent in one round trip: two parameters a
// question plus two stays below SQL Server's 2,100-parameter limit.
var askBatch = 500

// rawAskDS is DS's own permission decision (docs/ds-schema.md,
// "Procedures"): one EXEC a question, all of a batch sent at once, each
// answering with its own result set of one row that DS's client reads by
// column name: granted (non-zero = allowed), permission, object, user.
const rawAskDS = `EXEC {wc_sel_security_permission} @userId = @u, @permission = @p%d, @objectId = @o%d, @selectResults = @r;`

// AskDS asks DS's wc_sel_security_permission each question for one console
// user, in batches of up to 500 questions (one round trip each). An answer
// is nil where DS gave none. progress, when set, sees the count answered
// after each batch. It needs SQL Server and a login that may execute the
// procedure.
func (s *Store) AskDS(ctx context.Context, consoleUserID int64, qs []Question, progress func(done, total int)) (answers []*bool, roundTrips int, err error) {
	if err := s.ready(ctx); err != nil {
		return nil, 0, err
	}
	if s.dialect != DialectSQLServer {
		return nil, 0, fmt.Errorf("%w: DS's own permission procedure exists only in a SQL Server eXpress database", model.ErrQueueUnsupported)
	}
	if !s.schema.HasProcedure("wc_sel_security_permission") {
		return nil, 0, &storeError{kind: model.ErrSchema, msg: fmt.Sprintf(
			"DS's procedure wc_sel_security_permission cannot be called with this login at %s — GRANT EXECUTE ON wc_sel_security_permission to it for this check", s.where)}
	}
	text := expand(s.schema, rawAskDS)
	answers = make([]*bool, len(qs))
	for start := 0; start < len(qs); start += askBatch {
		part := qs[start:min(start+askBatch, len(qs))]
		if err := s.askBatch(ctx, text, consoleUserID, part, answers[start:]); err != nil {
			return answers, roundTrips, err
		}
		roundTrips++
		if progress != nil {
			progress(start+len(part), len(qs))
		}
	}
	return answers, roundTrips, nil
}

func (s *Store) askBatch(ctx context.Context, text string, user int64, part []Question, answers []*bool) error {
	return s.execBatchCol(ctx, s.db, nil, "ask DS for permissions", text, "granted", len(part),
		func(i int) []any { return []any{int32(part[i].Permission), int32(part[i].ObjectID)} },
		func(i int, v nullInt) {
			if v.Valid {
				answers[i] = v.ptrBool()
			}
		},
		sql.Named("u", int32(user)), sql.Named("r", int32(1)))
}
