package express

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	mssql "github.com/microsoft/go-mssqldb"

	"github.com/imageinvoker/imageinvoker/pkg/access"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// QueueRequest and QueueResult are the neutral model types, under the
// names this package has always used; Queue speaks the model's.
type (
	QueueRequest = model.QueueRequest
	QueueResult  = model.QueueResult
)

// queueAttempts bounds retries after a lost race (two writers took the same
// schedule_id, a SQL Server deadlock victim, a busy SQLite file).
const queueAttempts = 5

// Queue schedules req.Job on req.Computer to run now ("now" by the database
// server's clock). In one transaction it re-reads the job and refuses when it
// is gone or differs from the menu's, decides it from scratch from what it
// reads there (decideAgain: always, menu or not; model.ErrNotPermitted when
// DS no longer allows it), returns the pending schedule when the same job
// already waits for this computer, and otherwise writes one schedule row.
// Nothing is written on any refusal.
func (s *Store) Queue(ctx context.Context, req model.QueueRequest) (model.QueueResult, error) {
	if req.Job == nil || req.Job.ID == 0 {
		return model.QueueResult{}, errors.New("queue: no job chosen")
	}
	if req.Computer.ID == 0 {
		return model.QueueResult{}, errors.New("queue: no computer identified")
	}
	if req.UserName == "" {
		return model.QueueResult{}, errors.New("queue: no user name to record — sign in first")
	}
	if err := s.ready(ctx); err != nil {
		return model.QueueResult{}, err
	}
	switch s.queueMethod {
	case QueueInsert:
		if s.dialect == DialectSQLServer {
			return model.QueueResult{}, fmt.Errorf("%w: %s", model.ErrQueueUnsupported, InsertOnSQLServer)
		}
	case QueueProcedure:
		if s.dialect != DialectSQLServer {
			return model.QueueResult{}, fmt.Errorf("%w: store.queue procedure calls DS's wc_ins_schedule, which only exists on SQL Server — use store.queue: insert (or auto) with a %s store", model.ErrQueueUnsupported, s.dialect)
		}
		for _, p := range []string{"wc_ins_schedule", "wc_sel_loggedon_users", "wc_ins_loggedon_users", "wc_ins_schedule_info"} {
			if !s.schema.HasProcedure(p) {
				return model.QueueResult{}, &storeError{kind: model.ErrSchema, msg: fmt.Sprintf(
					"queue job: DS's procedure %s cannot be called with this login at %s — GRANT EXECUTE ON %s to it (see the README's grants), or set store.queue: insert", p, s.where, p)}
			}
		}
	default:
		return model.QueueResult{}, fmt.Errorf("%w: store.queue %q — use auto, insert or procedure", model.ErrQueueUnsupported, s.queueMethod)
	}
	for attempt := 1; ; attempt++ {
		res, err := s.queueOnce(ctx, req)
		if err == nil {
			return res, nil
		}
		if attempt == queueAttempts || !isRetryableWrite(err) {
			return model.QueueResult{}, s.classify("queue job", err)
		}
		backoff := time.Duration(attempt) * time.Duration(10+rand.IntN(40)) * time.Millisecond
		select {
		case <-ctx.Done():
			return model.QueueResult{}, s.classify("queue job", ctx.Err())
		case <-time.After(backoff):
		}
	}
}

// txn is a write transaction on either dialect.
type txn struct {
	q        querier
	commit   func() error
	rollback func()
}

// begin opens a write transaction. On SQLite it is BEGIN IMMEDIATE on a
// dedicated connection: the write lock is taken before reading the highest
// schedule_id, so two writers can never both read the same one. On SQL
// Server it is SERIALIZABLE: the range locks of the max and pending reads
// make a concurrent writer wait or become a deadlock victim (retried).
func (s *Store) begin(ctx context.Context) (*txn, error) {
	if s.dialect == DialectSQLServer {
		tx, err := s.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelSerializable})
		if err != nil {
			return nil, err
		}
		return &txn{q: tx, commit: tx.Commit, rollback: func() { _ = tx.Rollback() }}, nil
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.exec(ctx, conn, sqliteBeginImmediate, nil); err != nil {
		conn.Close()
		return nil, err
	}
	bg := context.WithoutCancel(ctx)
	t := &txn{q: conn}
	t.rollback = func() {
		if _, err := conn.ExecContext(bg, "ROLLBACK"); err != nil {
			// A connection stuck inside a transaction must not go back to
			// the pool: ErrBadConn from Raw makes database/sql discard it.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		conn.Close()
	}
	t.commit = func() error {
		if _, err := conn.ExecContext(bg, "COMMIT"); err != nil {
			t.rollback()
			return err
		}
		return conn.Close()
	}
	return t, nil
}

func (s *Store) queueOnce(ctx context.Context, req model.QueueRequest) (res model.QueueResult, err error) {
	tx, err := s.begin(ctx)
	if err != nil {
		return res, fmt.Errorf("begin: %w", err)
	}
	done := false
	defer func() {
		if !done {
			tx.rollback()
		}
	}()

	// Everything the decision and the scheduling read, in one batch: none
	// of it depends on another's answer (what the menu said stands in for
	// what is checked after: the job's folder, the computer's group, the
	// principals' links). All inside the transaction.
	rd := newQueueReads()
	if err := s.runBatch(ctx, tx.q, nil, s.queueReadStmts(req, rd)); err != nil {
		return res, err
	}
	now := rd.jobs[req.Job.ID]
	if now == nil {
		return res, fmt.Errorf("%w: job %d no longer exists in Deployment Server — go back to the menu and choose again", model.ErrUnknownJob, req.Job.ID)
	}
	if !rd.imageAnswers(now) {
		if err := s.resolveImageTypes(ctx, tx.q, nil, rd.jobs); err != nil {
			return res, err
		}
	}
	if diff := jobDiff(req.Job, now); diff != "" {
		return res, fmt.Errorf("%w: job %q (id %d) %s — go back to the menu and choose again", model.ErrJobChanged, req.Job.Name, req.Job.ID, diff)
	}
	if !rd.computerFound {
		return res, fmt.Errorf("%w: computer %q (id %d) was deleted from Deployment Server — boot the machine again to re-register it", model.ErrUnknownComputer, req.Computer.Name, req.Computer.ID)
	}
	computer := req.Computer
	computer.GroupID = rd.group // where DS has it now, not where the menu saw it

	if err := s.decideAgain(ctx, tx.q, req, computer, now, rd); err != nil {
		return res, err
	}
	if rd.pending.ID != 0 {
		return model.QueueResult{Schedule: rd.pending, AlreadyQueued: true}, nil
	}

	var id int64
	if s.queueMethod == QueueProcedure {
		id, err = s.scheduleByProcedure(ctx, tx.q, req, rd.runNow)
	} else {
		id, err = s.scheduleByInsert(ctx, tx.q, req, rd.maxSchedule)
	}
	if err != nil {
		return res, err
	}
	sched, err := s.scheduleRow(ctx, tx.q, s.q.scheduleByID, []any{sql.Named("scheduleId", id)})
	if err != nil {
		return res, fmt.Errorf("read back schedule %d: %w", id, err)
	}
	done = true
	if err := tx.commit(); err != nil {
		return res, fmt.Errorf("commit: %w", err)
	}
	return model.QueueResult{Schedule: sched}, nil
}

// queueReads is what the queue transaction's first batch reads.
type queueReads struct {
	jobs          map[int64]*model.Job // the job as it is now (at most one)
	computerFound bool
	group         int64 // the computer's group now
	principals    []model.ConsolePrincipal
	members       []model.Membership
	edges         [][2]int64 // the job's return handlers (with the table)
	folders       map[int64]model.Folder
	groupsOf      int64 // the group whose chain groups holds
	groups        map[int64]model.ComputerGroup
	links         []model.Link
	guess         *linkQuery // the links read, nil when none were
	pending       model.Schedule
	runNow        dbTime  // procedure
	maxSchedule   nullInt // insert
	// images is the menu's job whose image tasks DS was asked about with
	// the reads (where no column tells create from distribute).
	images *model.Job
}

// imageAnswers gives job's image tasks DS's answers asked with the reads,
// when they were asked about exactly those tasks; false when not.
func (rd *queueReads) imageAnswers(job *model.Job) bool {
	if rd.images == nil {
		return false
	}
	asked, now := imageTasks(rd.images), imageTasks(job)
	if len(asked) != len(now) {
		return false
	}
	for i := range asked {
		a, b := rd.images.Tasks[asked[i]], job.Tasks[now[i]]
		if a.CondSeq != b.CondSeq || a.TaskSeq != b.TaskSeq {
			return false
		}
	}
	for i := range asked {
		a, b := rd.images.Tasks[asked[i]], &job.Tasks[now[i]]
		b.CreateImage, b.DetailNote = a.CreateImage, a.DetailNote
	}
	return true
}

// imageTasks are the indexes of j's image tasks.
func imageTasks(j *model.Job) []int {
	var out []int
	for i, t := range j.Tasks {
		if t.Type == model.TaskImage {
			out = append(out, i)
		}
	}
	return out
}

func newQueueReads() *queueReads {
	return &queueReads{jobs: map[int64]*model.Job{}, folders: map[int64]model.Folder{}, groups: map[int64]model.ComputerGroup{}}
}

// queueReadStmts are the queue transaction's reads: the job and its tasks
// now, the computer and its group now, DS's console users and groups, the
// job's return handlers, the folders above the job's folder on the menu,
// the group chain of the computer's group on the menu, the menu
// principals' links, the pending schedule of the same job, and the
// server's time (procedure) or the highest schedule id (insert). What
// stood in for an answer is checked against it (decideAgain), and read
// again when it differs.
func (s *Store) queueReadStmts(req model.QueueRequest, rd *queueReads) []stmt {
	jobArg := sql.Named("jobId", req.Job.ID)
	cid := sql.Named("computerId", req.Computer.ID)
	collectTasks := taskCollector(rd.jobs)
	out := []stmt{
		{op: "load job", text: s.q.jobByID, args: []any{jobArg}, row: func(rows *sql.Rows) error {
			j, err := scanJob(rows)
			if err == nil {
				rd.jobs[j.ID] = j
			}
			return err
		}},
		{op: "load job tasks", text: s.q.tasksByJob, args: []any{jobArg}, row: func(rows *sql.Rows) error {
			if len(rd.jobs) == 0 {
				return nil // the job is gone (its tasks may linger): refused below
			}
			return collectTasks(rows)
		}},
		{op: "check computer", text: s.q.computerExists, args: []any{cid}, row: func(rows *sql.Rows) error {
			var found, group nullInt
			if err := rows.Scan(&found, &group); err != nil {
				return err
			}
			rd.computerFound, rd.group = true, group.V
			return nil
		}},
		s.principalStmt(&rd.principals, &rd.members),
	}
	if s.q.handlersOf != "" {
		text, args := withInList(s.q.handlersOf, "j", []int64{req.Job.ID})
		out = append(out, stmt{op: "load return handlers", text: text, args: args, row: edgeReader(&rd.edges)})
	}
	if req.Job.FolderID > 0 {
		out = append(out, s.folderChainStmts([]int64{req.Job.FolderID}, rd.folders)...)
	}
	if rd.groupsOf = req.Computer.GroupID; rd.groupsOf != 0 {
		out = append(out, s.groupChainStmt(rd.groupsOf, rd.groups))
	}
	if req.Menu != nil && len(req.Menu.Principals) > 0 {
		rd.guess = s.linkQueryFor(req.Computer, req.Menu.Principals, req.Menu.ComputerGroups)
		out = append(out, rd.guess.stmts(&rd.links)...)
	}
	out = append(out, stmt{op: "check pending schedules", text: s.q.pendingSchedule,
		args: []any{cid, jobArg, sql.Named("pendingStatus", pendingStatusLower)}, row: firstSchedule(&rd.pending)})
	if s.queueMethod == QueueProcedure {
		out = append(out, stmt{op: "read server time", text: s.q.runNow, row: func(rows *sql.Rows) error { return rows.Scan(&rd.runNow) }})
	} else {
		out = append(out, stmt{op: "allocate schedule id", text: s.q.maxSchedule,
			args: []any{sql.Named("firstId", model.FirstScheduleID), sql.Named("lastId", model.LastScheduleID)},
			row:  func(rows *sql.Rows) error { return rows.Scan(&rd.maxSchedule) }})
	}
	// DS's answers on the menu job's image tasks, last (procedure calls end
	// a batch); used only if the job's image tasks are still those.
	guess := &model.Job{ID: req.Job.ID, Tasks: append([]model.Task(nil), req.Job.Tasks...)}
	for i := range guess.Tasks {
		guess.Tasks[i].CreateImage, guess.Tasks[i].DetailNote = nil, ""
	}
	if ask := s.imageTypeStmts(map[int64]*model.Job{guess.ID: guess}); len(ask) == 1 {
		rd.images = guess
		out = append(out, ask[0])
	}
	return out
}

// edgeReader reads (job, handler) rows.
func edgeReader(edges *[][2]int64) func(*sql.Rows) error {
	return func(rows *sql.Rows) error {
		var job, handler nullInt
		if err := rows.Scan(&job, &handler); err != nil {
			return err
		}
		if job.Valid && handler.Valid && handler.V != 0 {
			*edges = append(*edges, [2]int64{job.V, handler.V})
		}
		return nil
	}
}

// firstSchedule keeps the first schedule row of a statement.
func firstSchedule(into *model.Schedule) func(*sql.Rows) error {
	return func(rows *sql.Rows) error {
		if into.ID != 0 {
			return nil
		}
		sched, err := scanSchedule(rows)
		*into = sched
		return err
	}
}

func (s *Store) groupChainStmt(group int64, into map[int64]model.ComputerGroup) stmt {
	args := []any{sql.Named("groupId", group), sql.Named("maxDepth", maxTreeDepth)}
	return stmt{op: opGroups, text: s.q.groupChain, args: args, row: nodeReader(func(id, parent int64, name string) {
		into[id] = model.ComputerGroup{ID: id, ParentID: parent, Name: name}
	})}
}

// decideAgain decides the job from scratch inside the queue transaction,
// from what it reads there (rd): DS's console users and groups with their
// Administrative right, the computer's group chain from its group now, the
// folders above the job and its return-handler jobs, and the principals'
// explicit entries. Who asks is req.Identity matched afresh, else the
// menu's principals as they are now; with neither it refuses. Only the
// identity's AD groups come from the sign-in. What rd read for the menu's
// folder, group and principals is used only where it is what the
// decision needs now; anything else is read again, in the transaction.
func (s *Store) decideAgain(ctx context.Context, q querier, req model.QueueRequest, computer model.Computer, job *model.Job, rd *queueReads) error {
	refuse := func(why string) error {
		return fmt.Errorf("%w: job %q (id %d) on %s: %s — nothing was queued; ask your DS administrator, or go back to the menu", model.ErrNotPermitted, job.Name, job.ID, computer.Name, why)
	}
	if req.Identity == nil && req.Menu == nil {
		return refuse("the request says neither who asks nor which menu it came from, so it cannot be decided (fail closed)")
	}
	all, members := rd.principals, rd.members
	snap := &model.Snapshot{Computer: computer, Jobs: map[int64]*model.Job{job.ID: job},
		Folders: rd.folders, ComputerGroups: rd.groups}
	snap.SecurityOn = s.securityOn("auto", len(all) > 0) || (req.Menu != nil && req.Menu.SecurityOn)
	if !snap.SecurityOn {
		return nil
	}
	var err error
	if req.Identity != nil {
		if snap.Principals, _, err = s.match(ctx, q, nil, all, members, *req.Identity); err != nil {
			return err
		}
	} else {
		snap.Principals = samePrincipals(all, req.Menu.Principals)
	}
	if s.schema.RightsSource() != RightsTable {
		if err := s.setAdmins(ctx, q, nil, snap); err != nil {
			return err
		}
	}
	var first *[][2]int64
	if s.q.handlersOf != "" {
		first = &rd.edges
	}
	if snap.HandlerJobs, err = s.loadHandlersFrom(ctx, q, nil, snap.Jobs, first); err != nil {
		return err
	}
	// The folders above the job were read for its folder on the menu, which
	// is its folder now (jobDiff refused a move); handler jobs' are not.
	if len(snap.HandlerJobs) > 0 || job.FolderID <= 0 {
		snap.Folders = map[int64]model.Folder{}
		if err := s.loadFolderChains(ctx, q, snap); err != nil {
			return err
		}
	}
	if computer.GroupID != rd.groupsOf { // moved since the menu
		snap.ComputerGroups = map[int64]model.ComputerGroup{}
		if computer.GroupID != 0 {
			if err := s.runBatch(ctx, q, nil, []stmt{s.groupChainStmt(computer.GroupID, snap.ComputerGroups)}); err != nil {
				return err
			}
		}
	}
	if len(snap.Principals) > 0 {
		want := s.linkQueryFor(computer, snap.Principals, snap.ComputerGroups)
		if rd.guess != nil && rd.guess.same(want) {
			snap.Links = rd.links
		} else if err := s.runBatch(ctx, q, nil, want.stmts(&snap.Links)); err != nil {
			return err
		}
	}
	d := access.New(snap).Decide(job.ID)
	if d.Allowed {
		return nil
	}
	why := "DS no longer allows it"
	if r, denied := d.Denial(); denied {
		why = r.String()
	}
	return refuse(why)
}

// samePrincipals are the menu's matched principals as DS has them now: one
// deleted since drops out, the Administrative right is the one read now.
func samePrincipals(all []model.ConsolePrincipal, menu []model.Principal) []model.Principal {
	want := map[int64]bool{}
	for _, p := range menu {
		want[p.ID] = true
	}
	var out []model.Principal
	seen := map[int64]int{}
	for _, p := range all {
		if !want[p.ID] {
			continue
		}
		if i, ok := seen[p.ID]; ok {
			out[i].Admin = out[i].Admin || p.Admin
			continue
		}
		seen[p.ID] = len(out)
		out = append(out, model.Principal{ID: p.ID, Name: p.Display(), Kind: p.Kind, Admin: p.Admin})
	}
	return out
}

// loadFolderChains reads the folders above the snapshot's jobs and
// handler jobs (All Jobs ends each walk; a folder not found refuses).
func (s *Store) loadFolderChains(ctx context.Context, q querier, snap *model.Snapshot) error {
	var start []int64
	for _, jobs := range []map[int64]*model.Job{snap.Jobs, snap.HandlerJobs} {
		for _, j := range jobs {
			if j.FolderID > 0 {
				start = append(start, j.FolderID)
			}
		}
	}
	if len(start) == 0 {
		return nil
	}
	return s.runBatch(ctx, q, nil, s.folderChainStmts(start, snap.Folders))
}

// folderChainStmts read the folders above the folders start into into.
func (s *Store) folderChainStmts(start []int64, into map[int64]model.Folder) []stmt {
	start = append([]int64(nil), start...)
	slices.Sort(start)
	start = dedupeInts(start)
	var out []stmt
	for i, part := range chunks(start, maxInList) {
		prefix := "f"
		if i > 0 {
			prefix = fmt.Sprintf("f%d_", i)
		}
		text, args := withInListAs(s.q.folderChain, "f", prefix, part)
		out = append(out, stmt{op: "load job folders", text: text, args: append(args, sql.Named("maxDepth", maxTreeDepth)), row: nodeReader(func(id, parent int64, name string) {
			into[id] = model.Folder{ID: id, ParentID: parent, Name: name}
		})})
	}
	return out
}

func (s *Store) scheduleByInsert(ctx context.Context, q querier, req model.QueueRequest, max nullInt) (int64, error) {
	id := model.FirstScheduleID
	if max.Valid {
		id = max.V + 1
	}
	if id > model.LastScheduleID {
		return 0, fmt.Errorf("allocate schedule id: the DS schedule id range is full (%d) — delete old schedules in the DS console", model.LastScheduleID)
	}
	_, err := s.exec(ctx, q, s.q.insertSchedule, []any{
		sql.Named("scheduleId", id), sql.Named("computerId", req.Computer.ID), sql.Named("jobId", req.Job.ID),
		sql.Named("userName", req.UserName), sql.Named("userFullName", req.UserFullName),
	})
	if err != nil {
		return 0, fmt.Errorf("insert schedule: %w", err)
	}
	return id, nil
}

// scheduleByProcedure schedules the way DS's own console does
// (docs/ds-schema.md, "Scheduling"): wc_ins_schedule with its seven
// arguments, the new id from column 0 of its first result set (its RETURN
// value is something else), then the technician recorded as the
// schedule's logged-on user. All inside the caller's transaction.
func (s *Store) scheduleByProcedure(ctx context.Context, q querier, req model.QueueRequest, now dbTime) (int64, error) {
	if !now.Valid {
		return 0, errors.New("read server time: the database returned no time")
	}
	id, err := s.queryScalar(ctx, q, s.q.execSchedule, procedureArgs(req, now.T))
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return 0, errors.New("wc_ins_schedule returned no schedule id — set store.queue: insert and tell your ImageInvoker contact (send `imageinvoker doctor` output)")
		}
		return 0, fmt.Errorf("wc_ins_schedule: %w", err)
	}
	if !id.Valid || id.V < model.FirstScheduleID || id.V > model.LastScheduleID {
		return 0, fmt.Errorf("wc_ins_schedule returned %d, not a schedule id — set store.queue: insert and tell your ImageInvoker contact", id.V)
	}
	user, err := s.loggedOnUser(ctx, q, req)
	if err != nil {
		return 0, err
	}
	if _, err := s.exec(ctx, q, s.q.scheduleInfo, []any{sql.Named("schedule_id", int32(id.V)), sql.Named("user_id", int32(user))}); err != nil {
		return 0, fmt.Errorf("wc_ins_schedule_info: %w", err)
	}
	return id.V, nil
}

// loggedOnUser is DS's id for the technician's `DOMAIN\user`: the existing
// one (wc_sel_loggedon_users), or a new one (wc_ins_loggedon_users). Whether
// the insert answers with the id is not known, so the select follows it
// when it does not.
func (s *Store) loggedOnUser(ctx context.Context, q querier, req model.QueueRequest) (int64, error) {
	sel := func() (int64, bool, error) {
		id, err := s.queryScalar(ctx, q, s.q.selLoggedOn, []any{sql.Named("user_name", req.UserName)})
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !id.Valid) {
			return 0, false, nil
		}
		if err != nil {
			return 0, false, fmt.Errorf("wc_sel_loggedon_users: %w", err)
		}
		return id.V, true, nil
	}
	if id, ok, err := sel(); ok || err != nil {
		return id, err
	}
	id, err := s.queryScalar(ctx, q, s.q.insLoggedOn, []any{sql.Named("user_name", req.UserName), sql.Named("full_name", req.UserFullName)})
	switch {
	case err == nil && id.Valid:
		return id.V, nil
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return 0, fmt.Errorf("wc_ins_loggedon_users: %w", err)
	}
	uid, ok, err := sel()
	if err == nil && !ok {
		err = errors.New("wc_ins_loggedon_users did not create the logged-on user")
	}
	return uid, err
}

// procedureArgs are wc_ins_schedule's seven arguments for "run now, once"
// (docs/ds-schema.md): @userId is the matched console user or -1, no
// deferral, start = the database server's time minus one minute with
// seconds and milliseconds zeroed (the caller reads it), no recurrence with
// @recurType 2 (days), as DS's SDK passes them. Types follow the procedure:
// int, int, int, bigint, datetime, bigint, int.
func procedureArgs(req model.QueueRequest, serverMinusMinute time.Time) []any {
	user := req.ConsoleUserID
	if user <= 0 {
		user = -1
	}
	t := serverMinusMinute
	start := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), 0, 0, t.Location())
	return []any{
		sql.Named("jobId", int32(req.Job.ID)),
		sql.Named("computerId", int32(req.Computer.ID)),
		sql.Named("userId", int32(user)),
		sql.Named("deferMins", int64(0)),
		sql.Named("startTime", mssql.DateTime1(start)),
		sql.Named("recur", int64(0)),
		sql.Named("recurType", int32(2)),
	}
}

// Schedule reads one schedule row (for watching DS pick the job up).
func (s *Store) Schedule(ctx context.Context, scheduleID int64) (model.Schedule, error) {
	if err := s.ready(ctx); err != nil {
		return model.Schedule{}, err
	}
	sched, err := s.scheduleRow(ctx, s.db, s.q.scheduleByID, []any{sql.Named("scheduleId", scheduleID)})
	if errors.Is(err, sql.ErrNoRows) {
		return model.Schedule{}, fmt.Errorf("%w: schedule %d does not exist (deleted in the DS console?)", model.ErrUnknownSchedule, scheduleID)
	}
	if err != nil {
		return model.Schedule{}, s.classify("read schedule", err)
	}
	return sched, nil
}

// PendingSchedules lists the schedules DS has not picked up yet for a
// computer, of any job, so the console can warn before queueing another.
func (s *Store) PendingSchedules(ctx context.Context, computerID int64) ([]model.Schedule, error) {
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	var out []model.Schedule
	args := []any{sql.Named("computerId", computerID), sql.Named("pendingStatus", pendingStatusLower)}
	err := s.each(ctx, s.db, nil, s.q.pendingForComputer, args, func(rows *sql.Rows) error {
		sched, err := scanSchedule(rows)
		if err == nil {
			out = append(out, sched)
		}
		return err
	})
	if err != nil {
		return nil, s.classify("list pending schedules", err)
	}
	return out, nil
}

// scheduleRow reads the first schedule row of a query; sql.ErrNoRows when none.
func (s *Store) scheduleRow(ctx context.Context, q querier, text string, args []any) (model.Schedule, error) {
	var sched model.Schedule
	err := s.each(ctx, q, nil, text, args, func(rows *sql.Rows) error {
		if sched.ID != 0 {
			return nil
		}
		var err error
		sched, err = scanSchedule(rows)
		return err
	})
	if err == nil && sched.ID == 0 {
		err = sql.ErrNoRows
	}
	return sched, err
}

// scanSchedule reads one row of rawScheduleColumns.
func scanSchedule(rows *sql.Rows) (model.Schedule, error) {
	var id, computer, job, code nullInt
	var start dbTime
	var status, user, full nullText
	if err := rows.Scan(&id, &computer, &job, &start, &status, &code, &user, &full); err != nil {
		return model.Schedule{}, err
	}
	sched := model.Schedule{ID: id.V, ComputerID: computer.V, JobID: job.V, Status: status.S, StatusCode: code.ptrInt(), UserName: user.S, UserFullName: full.S}
	if start.Valid {
		sched.StartTime = start.T.Format(scheduleTimeLayout)
	}
	return sched, nil
}
