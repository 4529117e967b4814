package access

import (
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// DS's Schedule::Add demands on every job a job's tasks start on a return
// code (transitively) the same permissions as on the job: a handler that
// may not be scheduled here refuses the job, whether it is a candidate or a
// job outside the menu root (checked, not shown); a cycle ends; a handler
// that was not loaded refuses (fail closed); explain names the handler.
func TestReturnHandlers(t *testing.T) {
	const (
		fOther   = 1000010 // outside the menu root
		jobChem  = 2000134 // a candidate
		jobFlash = 2000140 // outside the root: a handler only
		jobWipe  = 2000141 // outside the root: a handler only, needs "Schedule scripted install"
	)
	build := func(win11, chem []int64, links ...model.Link) *Evaluator {
		s := fixture()
		s.Principals = []model.Principal{pJdoe, pTechs}
		s.Folders[fOther] = model.Folder{ID: fOther, Name: "Other"}
		s.Jobs[jobWin11].Handlers = win11
		s.Jobs[jobChem] = &model.Job{ID: jobChem, Name: "Win11 Chemistry", FolderID: fLab, Tasks: []model.Task{distribute()}, Handlers: chem}
		s.HandlerJobs = map[int64]*model.Job{
			jobFlash: {ID: jobFlash, Name: "BIOS flash", FolderID: fOther, Tasks: []model.Task{distribute()}},
			jobWipe:  {ID: jobWipe, Name: "Disk wipe", FolderID: fOther, Tasks: []model.Task{{Type: model.TaskScriptedInstall}}},
		}
		s.Links = append(links, techsMayDistribute, allow(model.PermScheduleJob, gTechs, fLab))
		return New(s)
	}
	mayFlash := allow(model.PermScheduleJob, gTechs, fOther)
	for _, tt := range []struct {
		name       string
		win11      []int64
		chem       []int64
		links      []model.Link
		allowed    bool
		rule, text string // the first refusing reason
	}{
		{"no handlers", nil, nil, nil, true, "", ""},
		{"handler allowed outside the root", []int64{jobFlash}, nil, []model.Link{mayFlash}, true, "", ""},
		{"handler forbidden", []int64{jobFlash}, nil, nil, false, "return-handler",
			`job "Win11 Lab" (id 2000133) starts job "BIOS flash" (id 2000140) on a return code, and DS demands the same permissions on it, but for it neither the user`},
		{"handler's task forbidden on this computer", []int64{jobWipe}, nil, []model.Link{mayFlash}, false, "return-handler",
			`starts job "Disk wipe" (id 2000141) on a return code`},
		{"through another candidate", []int64{jobChem}, []int64{jobFlash}, nil, false, "return-handler", `job "BIOS flash"`},
		{"cycle, all allowed", []int64{jobChem}, []int64{jobWin11}, nil, true, "", ""},
		{"cycle through a forbidden job", []int64{jobChem}, []int64{jobWin11, jobFlash}, nil, false, "return-handler", `job "BIOS flash"`},
		{"handler not loaded", []int64{2000999}, nil, nil, false, "unknown-handler", "job id 2000999 on a return code, which does not exist"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := build(tt.win11, tt.chem, tt.links...)
			if got := e.Allowed(jobWin11); got != tt.allowed {
				t.Errorf("Allowed = %v, want %v", got, tt.allowed)
			}
			d := e.Decide(jobWin11)
			if d.Allowed != tt.allowed {
				t.Errorf("Decide = %v, want %v: %+v", d.Allowed, tt.allowed, d.Reasons)
			}
			r, denied := d.Denial()
			if denied != (tt.rule != "") || (denied && (r.Rule != tt.rule || !strings.Contains(r.String(), tt.text))) {
				t.Errorf("denial %v: %s (%s), want %s containing %q", denied, r.String(), r.Rule, tt.rule, tt.text)
			}
			if _, shown := e.s.Jobs[jobFlash]; shown {
				t.Error("a handler job became a menu candidate")
			}
		})
	}
}
