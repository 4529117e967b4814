package flow

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/pkg/access"
	"github.com/imageinvoker/imageinvoker/pkg/menu"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// Menu is a built menu for one computer and one identity.
type Menu struct {
	Computer model.Computer
	Snapshot *model.Snapshot
	Eval     *access.Evaluator
	Menu     *menu.Menu
	Took     time.Duration
}

// LoadMenu finds the computer if needed, loads the snapshot, decides and builds the menu.
func (f *Flow) LoadMenu(ctx context.Context, s *Session, m *Machine) (*Menu, error) {
	start := time.Now()
	if err := f.FindComputer(ctx, s.Reader, m); err != nil {
		return nil, err
	}
	cfg := f.d.Config
	sctx, cancel := context.WithTimeout(ctx, cfg.Store.Timeout)
	defer cancel()
	snap, err := s.Reader.Snapshot(sctx, *m.Computer, s.Identity, f.snapshotOptions())
	if err != nil {
		return nil, f.storeError(err, m)
	}
	ev := access.New(snap)
	mn := menu.Build(snap, ev.Allowed, menu.Options{Tag: cfg.Menu.Tag, FolderNames: cfg.Menu.FolderNames, Flat: cfg.Menu.Flat})
	took := time.Since(start)
	f.log.Info("menu built", "computer", m.Computer.Name, "jobs", mn.Count, "statements", snap.Statements, "ms", took.Milliseconds())
	return &Menu{Computer: *m.Computer, Snapshot: snap, Eval: ev, Menu: mn, Took: took}, nil
}

// Choose finds a job on the menu by id or menu path. A job that exists but
// is not on this user's menu is refused as not permitted, with the reason.
func (f *Flow) Choose(mm *Menu, ref string) (menu.Entry, error) {
	switch all := mm.Menu.FindAll(ref); {
	case len(all) == 1:
		return all[0], nil
	case len(all) > 1:
		// Two jobs with one path (DS allows duplicate names in a folder):
		// a script must never queue one it merely guessed.
		var ids []string
		for _, e := range all {
			ids = append(ids, fmt.Sprintf("%d (%s)", e.ID, e.FullPath()))
		}
		return menu.Entry{}, exitcode.New(exitcode.Usage,
			"the menu path %q is ambiguous: it matches %d jobs: %s. Give the job id instead.", ref, len(all), strings.Join(ids, ", "))
	}
	if id, err := strconv.ParseInt(strings.TrimSpace(ref), 10, 64); err == nil {
		if _, known := mm.Snapshot.Jobs[id]; known {
			why := ""
			if r, denied := mm.Eval.Decide(id).Denial(); denied {
				why = " " + r.String()
			}
			return menu.Entry{}, exitcode.New(exitcode.NotPermitted,
				"job %d is not on your menu for %s.%s Ask your DS administrator; `imageinvoker explain --job %d` shows every rule.",
				id, mm.Computer.Name, why, id)
		}
	}
	return menu.Entry{}, exitcode.New(exitcode.NotPermitted,
		"no job %q on your menu for %s. Run `imageinvoker menu` to list the jobs you may schedule here.", ref, mm.Computer.Name)
}

// ExplainJob decides one job for the menu's identity and computer, with
// every rule. A job that exists in DS but is not a boot-menu candidate (not
// under the root folder, not tagged) is decided too, so an administrator
// sees both why it is missing from the menu and what its permissions say.
func (f *Flow) ExplainJob(ctx context.Context, s *Session, mm *Menu, jobID int64) (j *model.Job, d access.Decision, onMenu bool, err error) {
	if j = mm.Snapshot.Jobs[jobID]; j != nil {
		_, onMenu = mm.Menu.Find(strconv.FormatInt(jobID, 10))
		return j, mm.Eval.Decide(jobID), onMenu, nil
	}
	ctx, cancel := context.WithTimeout(ctx, f.d.Config.Store.Timeout)
	defer cancel()
	j, err = s.Reader.Job(ctx, jobID)
	if err != nil {
		if errors.Is(err, model.ErrUnknownJob) {
			return nil, d, false, exitcode.Wrap(exitcode.UnknownJob, err, "there is no job %d in Deployment Server. `imageinvoker menu` lists the jobs on the menu.", jobID)
		}
		return nil, d, false, f.storeError(err, nil)
	}
	// Decide it as if it were on the menu: the snapshot holds every folder,
	// so its chain is known; only the job itself is added, to a copy.
	snap := *mm.Snapshot
	snap.Jobs = map[int64]*model.Job{jobID: j}
	return j, access.New(&snap).Decide(jobID), false, nil
}
