package express

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// Job loads one job with its tasks and their detail rows.
func (s *Store) Job(ctx context.Context, jobID int64) (*model.Job, error) {
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
		return nil, fmt.Errorf("%w: job %d no longer exists in Deployment Server — go back to the menu and choose again", ErrUnknownJob, jobID)
	}
	jobs := map[int64]*model.Job{jobID: job}
	if err := s.each(ctx, q, nil, s.q.tasksByJob, args, taskCollector(jobs)); err != nil {
		return nil, s.classify("load job tasks", err)
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
