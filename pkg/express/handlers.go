package express

import (
	"context"
	"database/sql"
	"slices"

	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// maxHandlerLevels bounds the return-handler walk. Each level is a set of
// jobs never seen before, so only a chain of that many distinct jobs
// reaches it; the jobs left unread then refuse (fail closed).
const maxHandlerLevels = 64

// notLoadedHandler is put among a job's handlers when the walk stopped
// before reading them: no job has id 0, so access refuses the job.
const notLoadedHandler int64 = 0

// handlerJobs sets Handlers on every loaded job from the (job, handler)
// pairs read with the candidates, and returns the loaded jobs reachable from
// the candidates that are not candidates themselves. A handler that was not
// loaded does not exist: access refuses its job.
func handlerJobs(candidates, loaded map[int64]*model.Job, edges [][2]int64) map[int64]*model.Job {
	for _, e := range edges {
		if j := loaded[e[0]]; j != nil && !slices.Contains(j.Handlers, e[1]) {
			j.Handlers = append(j.Handlers, e[1])
		}
	}
	out := map[int64]*model.Job{}
	var queue []*model.Job
	for _, j := range candidates {
		queue = append(queue, j)
	}
	for len(queue) > 0 {
		j := queue[0]
		queue = queue[1:]
		for _, h := range j.Handlers {
			hj := loaded[h]
			if hj == nil || candidates[h] != nil || out[h] != nil {
				continue
			}
			out[h] = hj
			queue = append(queue, hj)
		}
	}
	return out
}

// loadHandlers fills Handlers of jobs (and of every job reached through
// them) and returns the reached jobs that are not in jobs: DS's
// Schedule::Add demands the job's own permissions on each (docs/ds-schema.md,
// "Return handlers"). It reads by id, one level at a time (the queue, and
// DS's procedure where the table is not visible). Handler jobs that no
// longer exist are left out, so access refuses the job.
func (s *Store) loadHandlers(ctx context.Context, q querier, n *int, jobs map[int64]*model.Job) (map[int64]*model.Job, error) {
	return s.loadHandlersFrom(ctx, q, n, jobs, nil)
}

// loadHandlersFrom is loadHandlers with the first level's (job, handler)
// pairs already read (first not nil: the queue reads them with its batch).
func (s *Store) loadHandlersFrom(ctx context.Context, q querier, n *int, jobs map[int64]*model.Job, first *[][2]int64) (map[int64]*model.Job, error) {
	extra := map[int64]*model.Job{}
	find := func(id int64) *model.Job {
		if j := jobs[id]; j != nil {
			return j
		}
		return extra[id]
	}
	frontier := make([]int64, 0, len(jobs))
	for id := range jobs {
		frontier = append(frontier, id)
	}
	slices.Sort(frontier)
	seen := map[int64]bool{}
	for _, id := range frontier {
		seen[id] = true
	}
	for level := 0; len(frontier) > 0; level++ {
		if level == maxHandlerLevels {
			for _, id := range frontier {
				if j := find(id); j != nil {
					j.Handlers = append(j.Handlers, notLoadedHandler)
				}
			}
			break
		}
		var edges [][2]int64
		var err error
		if level == 0 && first != nil {
			edges = *first
		} else if edges, err = s.handlerEdges(ctx, q, n, frontier); err != nil {
			return nil, err
		}
		var next []int64
		for _, e := range edges {
			j := find(e[0])
			if j == nil || slices.Contains(j.Handlers, e[1]) {
				continue
			}
			j.Handlers = append(j.Handlers, e[1])
			if !seen[e[1]] {
				seen[e[1]] = true
				next = append(next, e[1])
			}
		}
		if len(next) == 0 {
			break
		}
		slices.Sort(next)
		loaded, err := s.loadJobsByID(ctx, q, n, next)
		if err != nil {
			return nil, err
		}
		frontier = frontier[:0]
		for _, id := range next {
			if j := loaded[id]; j != nil {
				extra[id] = j
				frontier = append(frontier, id)
			}
		}
	}
	return extra, nil
}

// handlerEdges reads (job, handler) pairs for the frontier jobs: from
// task_return_handlers where visible, else from DS's
// wc_sel_return_handler_jobs (one EXEC a job, batched).
func (s *Store) handlerEdges(ctx context.Context, q querier, n *int, ids []int64) ([][2]int64, error) {
	var edges [][2]int64
	collect := func(rows *sql.Rows) error {
		var job, handler nullInt
		if err := rows.Scan(&job, &handler); err != nil {
			return err
		}
		if job.Valid && handler.Valid && handler.V != 0 {
			edges = append(edges, [2]int64{job.V, handler.V})
		}
		return nil
	}
	switch {
	case s.q.handlersOf != "":
		for _, part := range chunks(ids, maxInList) {
			text, args := withInList(s.q.handlersOf, "j", part)
			if err := s.each(ctx, q, n, text, args, collect); err != nil {
				return nil, s.classify("load return handlers", err)
			}
		}
	case s.q.askHandlers != "":
		for _, part := range chunks(ids, maxInList) {
			err := s.execBatchRows(ctx, q, n, "ask DS for return-handler jobs", s.q.askHandlers, "job", len(part),
				func(i int) []any { return []any{int32(part[i])} },
				func(i int, v nullInt) {
					if v.Valid && v.V != 0 {
						edges = append(edges, [2]int64{part[i], v.V})
					}
				})
			if err != nil {
				return nil, err
			}
		}
	}
	// Discovery refuses a database with neither, so nothing else is left.
	return edges, nil
}

// loadJobsByID reads jobs with their tasks (handler jobs: any folder).
func (s *Store) loadJobsByID(ctx context.Context, q querier, n *int, ids []int64) (map[int64]*model.Job, error) {
	out := map[int64]*model.Job{}
	for _, part := range chunks(ids, maxInList) {
		text, args := withInList(s.q.jobsByIDs, "j", part)
		err := s.each(ctx, q, n, text, args, func(rows *sql.Rows) error {
			j, err := scanJob(rows)
			if err == nil {
				out[j.ID] = j
			}
			return err
		})
		if err != nil {
			return nil, s.classify("load return-handler jobs", err)
		}
	}
	if len(out) == 0 {
		return out, nil
	}
	for _, part := range chunks(ids, maxInList) {
		text, args := withInList(s.q.tasksByJobIDs, "j", part)
		if err := s.each(ctx, q, n, text, args, taskCollector(out)); err != nil {
			return nil, s.classify("load return-handler job tasks", err)
		}
	}
	if err := s.resolveImageTypes(ctx, q, n, out); err != nil {
		return nil, err
	}
	return out, nil
}
