package access

import (
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// All Jobs (-10) is the virtual root of the job tree (DS's Folder::Load(-10):
// the folder AllJobs, parent 0): an entry on it decides every job without a
// nearer entry, at the top level or deep in folders, as All Computers does
// for computers; a nearer entry beats it; explain names it.
func TestAllJobs(t *testing.T) {
	const topJob = 2000200 // a tagged job at the top level (no folder)
	build := func(links ...model.Link) *Evaluator {
		s := fixture()
		s.Principals = []model.Principal{pJdoe, pTechs}
		s.Jobs[topJob] = &model.Job{ID: topJob, Name: "Top", Tasks: []model.Task{distribute()}}
		s.Links = append(links, techsMayDistribute)
		return New(s)
	}
	for _, tt := range []struct {
		name     string
		links    []model.Link
		win11    bool
		top      bool
		level    int64 // where the walk for Win11 Lab decided
		sentence string
	}{
		{"allow on All Jobs", []model.Link{allow(model.PermScheduleJob, gTechs, model.AllJobsFolderID)}, true, true, model.AllJobsFolderID,
			`console group "LAB\Techs" is allowed "Schedule this job" on All Jobs, the nearest level with an entry for job "Win11 Lab"`},
		{"deny on All Jobs", []model.Link{deny(model.PermScheduleJob, uJdoe, model.AllJobsFolderID)}, false, false, model.AllJobsFolderID,
			`console user "LAB\jdoe" is denied "Schedule this job" on All Jobs`},
		{"a folder beats All Jobs", []model.Link{deny(model.PermScheduleJob, gTechs, model.AllJobsFolderID), allow(model.PermScheduleJob, gTechs, fRoot)}, true, false, fRoot,
			`allowed "Schedule this job" on job folder "ImageInvoker"`},
		{"nothing anywhere", nil, false, false, jobWin11, "any job folder above it or All Jobs"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := build(tt.links...)
			if got := e.Allowed(jobWin11); got != tt.win11 {
				t.Errorf("Win11 Lab allowed = %v, want %v", got, tt.win11)
			}
			if got := e.Allowed(topJob); got != tt.top {
				t.Errorf("top-level job allowed = %v, want %v", got, tt.top)
			}
			for _, id := range []int64{jobWin11, topJob} {
				if d := e.Decide(id); d.Allowed != e.Allowed(id) {
					t.Errorf("job %d: Decide %v, Allowed %v", id, d.Allowed, e.Allowed(id))
				}
			}
			r := e.Decide(jobWin11).Reasons[0]
			if r.ObjectID != tt.level {
				t.Errorf("decided at %d, want %d", r.ObjectID, tt.level)
			}
			if s := r.String(); !strings.Contains(s, tt.sentence) {
				t.Errorf("explanation %q lacks %q", s, tt.sentence)
			}
		})
	}
}
