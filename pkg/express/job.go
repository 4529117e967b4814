package express

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// Job loads one job with its tasks and their detail rows.
func (s *Store) Job(ctx context.Context, jobID int64) (*model.Job, error) {
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	job, err := s.loadJob(ctx, s.db, jobID)
	if err != nil {
		return nil, err
	}
	return job, nil
}

// loadJob reads a job on q (the pool or a queue transaction).
func (s *Store) loadJob(ctx context.Context, q querier, jobID int64) (*model.Job, error) {
	args := []any{sql.Named("jobId", jobID)}
	var job *model.Job
	err := s.each(ctx, q, nil, s.q.jobByID, args, func(rows *sql.Rows) error {
		j, err := scanJob(rows)
		job = j
		return err
	})
	if err != nil {
		return nil, s.classify("load job", err)
	}
	if job == nil {
		return nil, fmt.Errorf("%w: job %d no longer exists in Deployment Server — go back to the menu and choose again", model.ErrUnknownJob, jobID)
	}
	jobs := map[int64]*model.Job{jobID: job}
	if err := s.each(ctx, q, nil, s.q.tasksByJob, args, taskCollector(jobs)); err != nil {
		return nil, s.classify("load job tasks", err)
	}
	if err := s.resolveImageTypes(ctx, q, nil, jobs); err != nil {
		return nil, err
	}
	return job, nil
}

func scanJob(rows *sql.Rows) (*model.Job, error) {
	var id, folder nullInt
	var name, desc nullText
	if err := rows.Scan(&id, &name, &folder, &desc); err != nil {
		return nil, err
	}
	return &model.Job{ID: id.V, Name: name.S, FolderID: folder.V, Description: desc.S}, nil
}

// taskCollector appends each task row to its job. Rows arrive ordered by
// job, cond_seq, task_seq. A detail table with two disagreeing rows for one
// task leaves the detail unknown (nil), so access fails closed.
func taskCollector(jobs map[int64]*model.Job) func(*sql.Rows) error {
	return func(rows *sql.Rows) error {
		var jobID, cond, seq, typ, create, power nullInt
		if err := rows.Scan(&jobID, &cond, &seq, &typ, &create, &power); err != nil {
			return err
		}
		job, ok := jobs[jobID.V]
		if !ok {
			return errors.New("task of a job outside the candidate set")
		}
		t := model.Task{CondSeq: int(cond.V), TaskSeq: int(seq.V), Type: int(typ.V), CreateImage: create.ptrBool(), PowerType: power.ptrInt()}
		if n := len(job.Tasks); n > 0 && job.Tasks[n-1].CondSeq == t.CondSeq && job.Tasks[n-1].TaskSeq == t.TaskSeq {
			last := &job.Tasks[n-1]
			if !sameBool(last.CreateImage, t.CreateImage) {
				last.CreateImage = nil
			}
			if !sameInt(last.PowerType, t.PowerType) {
				last.PowerType = nil
			}
			return nil
		}
		job.Tasks = append(job.Tasks, t)
		return nil
	}
}

func sameBool(a, b *bool) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
func sameInt(a, b *int) bool   { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

// jobDiff says how the job in the database differs from the one on the
// menu, or "" when it is the same job. Name, folder, description (tags and
// friendly names live there) and every task with its detail must match:
// the technician confirmed exactly that job.
func jobDiff(menu, now *model.Job) string {
	switch {
	case menu.Name != now.Name:
		return fmt.Sprintf("renamed from %q to %q", menu.Name, now.Name)
	case menu.FolderID != now.FolderID:
		return "moved to another folder"
	case menu.Description != now.Description:
		return "description changed"
	case len(menu.Tasks) != len(now.Tasks):
		return fmt.Sprintf("now has %d tasks instead of %d", len(now.Tasks), len(menu.Tasks))
	}
	for i := range menu.Tasks {
		a, b := menu.Tasks[i], now.Tasks[i]
		if a.CondSeq != b.CondSeq || a.TaskSeq != b.TaskSeq || a.Type != b.Type ||
			!sameBool(a.CreateImage, b.CreateImage) || !sameInt(a.PowerType, b.PowerType) {
			return fmt.Sprintf("task %d changed", i+1)
		}
	}
	return ""
}

// imageRef is one image task whose create/distribute DS is asked about.
type imageRef struct {
	job  *model.Job
	task int // index into job.Tasks
}

// Notes put on image tasks whose create/distribute stays unknown (access
// then requires both permissions and explain says why).
const (
	noteImageNoSource = "this eXpress database shows no create/distribute column for image tasks, and DS's wc_sel_inage_task_type cannot be called here"
	noteImageNoAnswer = "DS's wc_sel_inage_task_type gave no answer for it"
)

// resolveImageTypes fills CreateImage for image tasks when image_task has no
// known create/distribute column. On SQL Server it asks DS itself: one
// wc_sel_inage_task_type per task, sent as one batch of up to maxInList
// tasks (one round trip per batch), each answering with its own result set.
// Where that cannot be done the detail stays unknown, with a note.
func (s *Store) resolveImageTypes(ctx context.Context, q querier, n *int, jobs map[int64]*model.Job) error {
	return s.runBatch(ctx, q, n, s.imageTypeStmts(jobs))
}

// imageTypeStmts are resolveImageTypes' procedure calls, one group per
// maxInList image tasks (each group ends a batch: Snapshot sends the first
// with its links); none when the column is known or DS cannot be asked
// (then the tasks get their note here).
func (s *Store) imageTypeStmts(jobs map[int64]*model.Job) []stmt {
	if s.schema.ident("image_task.create_image") != "" {
		return nil
	}
	var refs []imageRef
	for _, j := range jobs {
		for i, t := range j.Tasks {
			if t.Type == model.TaskImage {
				refs = append(refs, imageRef{j, i})
			}
		}
	}
	if len(refs) == 0 {
		return nil
	}
	sort.Slice(refs, func(a, b int) bool {
		ta, tb := refs[a].job.Tasks[refs[a].task], refs[b].job.Tasks[refs[b].task]
		if refs[a].job.ID != refs[b].job.ID {
			return refs[a].job.ID < refs[b].job.ID
		}
		if ta.CondSeq != tb.CondSeq {
			return ta.CondSeq < tb.CondSeq
		}
		return ta.TaskSeq < tb.TaskSeq
	})
	if s.dialect != DialectSQLServer || !s.schema.HasProcedure("wc_sel_inage_task_type") {
		for _, r := range refs {
			r.job.Tasks[r.task].DetailNote = noteImageNoSource
		}
		return nil
	}
	var out []stmt
	for _, part := range chunks(refs, maxInList) {
		out = append(out, s.imageTypeGroup(part))
	}
	return out
}

func (s *Store) imageTypeGroup(part []imageRef) stmt {
	for _, r := range part {
		r.job.Tasks[r.task].DetailNote = noteImageNoAnswer
	}
	last := -1
	return execGroup("ask DS for image task types", s.q.imageTypeExec, "", len(part),
		func(i int) []any {
			t := part[i].job.Tasks[part[i].task]
			return []any{part[i].job.ID, t.CondSeq, t.TaskSeq}
		},
		func(i int, v nullInt) {
			if i == last {
				return // the first row of each answer
			}
			last = i
			if v.Valid && (v.V == 0 || v.V == 1) {
				t := &part[i].job.Tasks[part[i].task]
				t.CreateImage, t.DetailNote = v.ptrBool(), ""
			}
		})
}

// execBatchCol sends count EXECs of one procedure as one batch, one round
// trip: template is an EXEC whose per-call parameters are written
// @<letter><i> and filled by fmt with i (once per parameter), argsOf gives
// call i's values in that order, bound as @<letter><i> with the letters of
// the template. Each call answers with its own result set; the column
// named col ("" for column 0, as DS's client reads results by name) of its
// first row goes to answer (a set without a row is skipped, a missing set
// ends the reading). extra are parameters shared by every call.
func (s *Store) execBatchCol(ctx context.Context, q querier, n *int, op, template, col string, count int,
	argsOf func(i int) []any, answer func(i int, v nullInt), extra ...any) error {
	last := -1
	return s.execBatchRows(ctx, q, n, op, template, col, count, argsOf, func(i int, v nullInt) {
		if i != last {
			last = i
			answer(i, v)
		}
	}, extra...)
}

// execBatchRows is execBatchCol handing every row of each answer to answer.
func (s *Store) execBatchRows(ctx context.Context, q querier, n *int, op, template, col string, count int,
	argsOf func(i int) []any, answer func(i int, v nullInt), extra ...any) error {
	return s.runBatch(ctx, q, n, []stmt{execGroup(op, template, col, count, argsOf, answer, extra...)})
}

// execGroup is count EXECs of one procedure as one statement of a batch
// (see execBatchCol): every row of call i's answer, its column col, goes to
// answer.
func execGroup(op, template, col string, count int, argsOf func(i int) []any, answer func(i int, v nullInt), extra ...any) stmt {
	letters := paramLetters(template)
	var text strings.Builder
	args := append([]any(nil), extra...)
	for i := 0; i < count; i++ {
		if i > 0 {
			text.WriteByte('\n')
		}
		idx := make([]any, len(letters))
		for k := range idx {
			idx[k] = i
		}
		fmt.Fprintf(&text, template, idx...)
		for k, v := range argsOf(i) {
			args = append(args, sql.Named(fmt.Sprintf("%s%d", letters[k], i), v))
		}
	}
	return stmt{op: op, text: text.String(), args: args, calls: count, call: func(i int, rows *sql.Rows) error {
		v, err := scanColumn(rows, col)
		if err == nil {
			answer(i, v)
		}
		return err
	}}
}

// paramLetters are the per-call parameter prefixes of a batch template, in
// order: "@j%d ... @c%d" gives j, c.
func paramLetters(template string) []string {
	var out []string
	for _, m := range perCallParamRE.FindAllStringSubmatch(template, -1) {
		out = append(out, m[1])
	}
	return out
}

var perCallParamRE = regexp.MustCompile(`@([a-z]+)%d`)
