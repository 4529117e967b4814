package access

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// The fixture: ImageInvoker (1000001) > Windows (1000012) > Lab (1000013) >
// job "Win11 Lab" (2000133, one "distribute image" task); computer PC01
// (5000001) in group "Lab PCs" (12) under "Building A" (3) under All Computers.
const (
	fRoot     = 1000001
	fWindows  = 1000012
	fLab      = 1000013
	jobWin11  = 2000133
	pc01      = 5000001
	gLabPCs   = 12
	gBuilding = 3
	uJdoe     = 14000001
	gTechs    = 15000001
	gStudents = 15000002
	gAdmins   = 15000003
	uJdoe2    = 14000002
)

var (
	pJdoe     = model.Principal{ID: uJdoe, Name: `LAB\jdoe`, Kind: model.ConsoleUser}
	pJdoeBare = model.Principal{ID: uJdoe2, Name: `jdoe`, Kind: model.ConsoleUser}
	pTechs    = model.Principal{ID: gTechs, Name: `LAB\Techs`, Kind: model.ConsoleGroup}
	pStudents = model.Principal{ID: gStudents, Name: `LAB\Students`, Kind: model.ConsoleGroup}
	pAdmins   = model.Principal{ID: gAdmins, Name: `LAB\DS Admins`, Kind: model.ConsoleGroup, Admin: true}
)

func boolp(b bool) *bool { return &b }
func intp(i int) *int    { return &i }

func distribute() model.Task { return model.Task{Type: model.TaskImage, CreateImage: boolp(false)} }

func fixture() *model.Snapshot {
	return &model.Snapshot{
		SecurityOn:   true,
		RootFolderID: fRoot,
		Folders: map[int64]model.Folder{
			fRoot:    {ID: fRoot, Name: "ImageInvoker"},
			fWindows: {ID: fWindows, ParentID: fRoot, Name: "Windows"},
			fLab:     {ID: fLab, ParentID: fWindows, Name: "Lab"},
		},
		Jobs: map[int64]*model.Job{
			jobWin11: {ID: jobWin11, Name: "Win11 Lab", FolderID: fLab, Tasks: []model.Task{distribute()}},
		},
		Computer: model.Computer{ID: pc01, Name: "PC01", GroupID: gLabPCs},
		ComputerGroups: map[int64]model.ComputerGroup{
			gLabPCs:   {ID: gLabPCs, ParentID: gBuilding, Name: "Lab PCs"},
			gBuilding: {ID: gBuilding, Name: "Building A"},
		},
	}
}

func allow(perm int, principal, object int64) model.Link {
	return model.Link{PermissionID: perm, PrincipalID: principal, ObjectID: object, Allow: true}
}

func deny(perm int, principal, object int64) model.Link {
	return model.Link{PermissionID: perm, PrincipalID: principal, ObjectID: object}
}

// techsMayDistribute is what most cases need on the computer side.
var techsMayDistribute = allow(model.PermDistributeImage, gTechs, gLabPCs)

func TestRules(t *testing.T) {
	type want struct {
		allowed bool
		rules   []string // Rule of each reason, in order
		level   int64    // ObjectID of the first reason (the "Schedule this job" walk)
		who     string   // Principal of the first reason
	}
	tests := []struct {
		name       string
		principals []model.Principal
		links      []model.Link
		tasks      []model.Task // replaces the job's tasks when non-nil
		mutate     func(*model.Snapshot)
		want       want
	}{
		{
			name:       "explicit allow on the parent folder",
			principals: []model.Principal{pJdoe, pTechs},
			links:      []model.Link{allow(66, gTechs, fWindows), techsMayDistribute},
			want:       want{true, []string{"explicit", "explicit"}, fWindows, `LAB\Techs`},
		},
		{
			name:       "explicit deny on the job itself",
			principals: []model.Principal{pJdoe, pTechs},
			links:      []model.Link{deny(66, gTechs, jobWin11), allow(66, gTechs, fRoot), techsMayDistribute},
			want:       want{false, []string{"explicit", "explicit"}, jobWin11, `LAB\Techs`},
		},
		{
			name:       "no entry anywhere denies",
			principals: []model.Principal{pJdoe, pTechs},
			want:       want{false, []string{"default-deny", "default-deny"}, jobWin11, ""},
		},
		{
			name:       "nearest level decides: near deny beats far allow",
			principals: []model.Principal{pJdoe, pTechs},
			links:      []model.Link{allow(66, gTechs, fRoot), deny(66, gTechs, fLab), techsMayDistribute},
			want:       want{false, []string{"explicit", "explicit"}, fLab, `LAB\Techs`},
		},
		{
			name:       "nearest level decides: near allow beats far deny",
			principals: []model.Principal{pJdoe, pTechs},
			links:      []model.Link{deny(66, gTechs, fRoot), allow(66, gTechs, fLab), techsMayDistribute},
			want:       want{true, []string{"explicit", "explicit"}, fLab, `LAB\Techs`},
		},
		{
			name:       "nearest level decides even against the user's own farther entry",
			principals: []model.Principal{pJdoe, pTechs},
			links:      []model.Link{allow(66, uJdoe, fRoot), deny(66, gTechs, fWindows), techsMayDistribute},
			want:       want{false, []string{"explicit", "explicit"}, fWindows, `LAB\Techs`},
		},
		{
			name:       "user allow beats group deny at the same level",
			principals: []model.Principal{pJdoe, pStudents},
			links:      []model.Link{allow(66, uJdoe, fWindows), deny(66, gStudents, fWindows), allow(40, uJdoe, pc01)},
			want:       want{true, []string{"user-beats-group", "explicit"}, fWindows, `LAB\jdoe`},
		},
		{
			name:       "user deny beats group allow at the same level",
			principals: []model.Principal{pJdoe, pTechs},
			links:      []model.Link{deny(66, uJdoe, fWindows), allow(66, gTechs, fWindows), techsMayDistribute},
			want:       want{false, []string{"user-beats-group", "explicit"}, fWindows, `LAB\jdoe`},
		},
		{
			name:       "among groups deny beats allow",
			principals: []model.Principal{pJdoe, pTechs, pStudents},
			links:      []model.Link{allow(66, gTechs, fLab), deny(66, gStudents, fLab), techsMayDistribute},
			want:       want{false, []string{"deny-beats-allow", "explicit"}, fLab, `LAB\Students`},
		},
		{
			name:       "two matched console users: deny beats allow",
			principals: []model.Principal{pJdoe, pJdoeBare, pTechs},
			links:      []model.Link{allow(66, uJdoe, fLab), deny(66, uJdoe2, fLab), allow(66, gTechs, fLab), techsMayDistribute},
			want:       want{false, []string{"deny-beats-allow", "explicit"}, fLab, `jdoe`},
		},
		{
			name:       "administrative right through a group beats every deny",
			principals: []model.Principal{pJdoe, pStudents, pAdmins},
			links:      []model.Link{deny(66, uJdoe, jobWin11), deny(66, gStudents, jobWin11), deny(40, uJdoe, pc01)},
			want:       want{true, []string{"administrative"}, 0, `LAB\DS Admins`},
		},
		{
			name:       "administrative right held by the user",
			principals: []model.Principal{{ID: uJdoe, Name: `LAB\jdoe`, Kind: model.ConsoleUser, Admin: true}},
			tasks:      []model.Task{{Type: 99}},
			want:       want{true, []string{"administrative"}, 0, `LAB\jdoe`},
		},
		{
			name:       "console security off allows without any entry",
			principals: []model.Principal{pJdoe},
			links:      []model.Link{deny(66, uJdoe, jobWin11)},
			mutate:     func(s *model.Snapshot) { s.SecurityOn = false },
			want:       want{true, []string{"security-off"}, 0, ""},
		},
		{
			name:       "links of principals that did not match are ignored",
			principals: []model.Principal{pJdoe},
			links:      []model.Link{allow(66, gTechs, fWindows), techsMayDistribute},
			want:       want{false, []string{"default-deny", "default-deny"}, jobWin11, ""},
		},
		{
			name:       "job without tasks needs only Schedule this job",
			principals: []model.Principal{pTechs},
			links:      []model.Link{allow(66, gTechs, fRoot)},
			tasks:      []model.Task{},
			want:       want{true, []string{"explicit"}, fRoot, `LAB\Techs`},
		},
		{
			name:       "task permission denied on the computer",
			principals: []model.Principal{pTechs},
			links:      []model.Link{allow(66, gTechs, fRoot), deny(40, gTechs, gLabPCs), allow(40, gTechs, -1)},
			want:       want{false, []string{"explicit", "explicit"}, fRoot, `LAB\Techs`},
		},
		{
			name:       "image task without its detail row needs create and distribute: one missing",
			principals: []model.Principal{pTechs},
			links:      []model.Link{allow(66, gTechs, fRoot), techsMayDistribute},
			tasks:      []model.Task{{Type: model.TaskImage}},
			want:       want{false, []string{"explicit", "default-deny", "explicit", "missing-detail"}, fRoot, `LAB\Techs`},
		},
		{
			name:       "image task without its detail row needs create and distribute: both held",
			principals: []model.Principal{pTechs},
			links:      []model.Link{allow(66, gTechs, fRoot), techsMayDistribute, allow(39, gTechs, -1)},
			tasks:      []model.Task{{Type: model.TaskImage}},
			want:       want{true, []string{"explicit", "explicit", "explicit", "missing-detail"}, fRoot, `LAB\Techs`},
		},
		{
			name:       "power task without its detail row needs all four power permissions",
			principals: []model.Principal{pTechs},
			links:      []model.Link{allow(66, gTechs, fRoot), allow(51, gTechs, gLabPCs)},
			tasks:      []model.Task{{Type: model.TaskPowerControl}},
			want:       want{false, []string{"explicit", "default-deny", "explicit", "default-deny", "default-deny", "missing-detail"}, fRoot, `LAB\Techs`},
		},
		{
			name:       "power task with an unknown power type needs all four",
			principals: []model.Principal{pTechs},
			links: []model.Link{allow(66, gTechs, fRoot), allow(50, gTechs, -1), allow(51, gTechs, -1),
				allow(52, gTechs, -1), allow(53, gTechs, -1)},
			tasks: []model.Task{{Type: model.TaskPowerControl, PowerType: intp(7)}},
			want:  want{true, []string{"explicit", "explicit", "explicit", "explicit", "explicit", "missing-detail"}, fRoot, `LAB\Techs`},
		},
		{
			name:       "reboot task needs reboot only",
			principals: []model.Principal{pTechs},
			links:      []model.Link{allow(66, gTechs, fRoot), allow(51, gTechs, gLabPCs)},
			tasks:      []model.Task{{Type: model.TaskPowerControl, PowerType: intp(model.PowerReboot)}},
			want:       want{true, []string{"explicit", "explicit"}, fRoot, `LAB\Techs`},
		},
		{
			name:       "unknown task type denies even when everything else allows",
			principals: []model.Principal{pTechs},
			links:      []model.Link{allow(66, gTechs, fRoot), techsMayDistribute},
			tasks:      []model.Task{distribute(), {Type: 99}},
			want:       want{false, []string{"explicit", "explicit", "unknown-task"}, fRoot, `LAB\Techs`},
		},
		{
			name:       "same permission needed by two tasks is explained once",
			principals: []model.Principal{pTechs},
			links:      []model.Link{allow(66, gTechs, fRoot), techsMayDistribute},
			tasks:      []model.Task{distribute(), distribute()},
			want:       want{true, []string{"explicit", "explicit"}, fRoot, `LAB\Techs`},
		},
		{
			name:       "All Computers is the last level of the computer walk",
			principals: []model.Principal{pTechs},
			links:      []model.Link{allow(66, gTechs, fRoot), allow(40, gTechs, model.AllComputersGroupID)},
			want:       want{true, []string{"explicit", "explicit"}, fRoot, `LAB\Techs`},
		},
		{
			name:       "computer in no group goes straight to All Computers",
			principals: []model.Principal{pTechs},
			links:      []model.Link{allow(66, gTechs, fRoot), allow(40, gTechs, model.AllComputersGroupID)},
			mutate:     func(s *model.Snapshot) { s.Computer.GroupID = 0 },
			want:       want{true, []string{"explicit", "explicit"}, fRoot, `LAB\Techs`},
		},
		{
			name:       "New Computers without a row hangs under All Computers",
			principals: []model.Principal{pTechs},
			links:      []model.Link{allow(66, gTechs, fRoot), allow(40, gTechs, model.AllComputersGroupID)},
			mutate:     func(s *model.Snapshot) { s.Computer.GroupID = model.NewComputersGroupID },
			want:       want{true, []string{"explicit", "explicit"}, fRoot, `LAB\Techs`},
		},
		{
			name:       "the computer's own entry beats its groups'",
			principals: []model.Principal{pTechs},
			links:      []model.Link{allow(66, gTechs, fRoot), deny(40, gTechs, pc01), techsMayDistribute},
			want:       want{false, []string{"explicit", "explicit"}, fRoot, `LAB\Techs`},
		},
		{
			name:       "unknown computer: a task cannot be checked",
			principals: []model.Principal{pTechs},
			links:      []model.Link{allow(66, gTechs, fRoot), allow(40, gTechs, model.AllComputersGroupID)},
			mutate:     func(s *model.Snapshot) { s.Computer = model.Computer{} },
			want:       want{false, []string{"explicit", "unknown-computer"}, fRoot, `LAB\Techs`},
		},
		{
			name:       "unknown computer: a job without tasks still runs on 66",
			principals: []model.Principal{pTechs},
			links:      []model.Link{allow(66, gTechs, fRoot)},
			tasks:      []model.Task{},
			mutate:     func(s *model.Snapshot) { s.Computer = model.Computer{} },
			want:       want{true, []string{"explicit"}, fRoot, `LAB\Techs`},
		},
		{
			name:       "cycle in the folder tree fails closed",
			principals: []model.Principal{pTechs},
			links:      []model.Link{allow(66, gTechs, fRoot), techsMayDistribute},
			mutate: func(s *model.Snapshot) {
				s.Folders[fWindows] = model.Folder{ID: fWindows, ParentID: fLab, Name: "Windows"}
			},
			want: want{false, []string{"cycle", "explicit"}, fLab, ""},
		},
		{
			name:       "entry below a cycle still decides",
			principals: []model.Principal{pTechs},
			links:      []model.Link{allow(66, gTechs, fLab), techsMayDistribute},
			mutate: func(s *model.Snapshot) {
				s.Folders[fWindows] = model.Folder{ID: fWindows, ParentID: fLab, Name: "Windows"}
			},
			want: want{true, []string{"explicit", "explicit"}, fLab, `LAB\Techs`},
		},
		{
			name:       "cycle in the computer group tree fails closed",
			principals: []model.Principal{pTechs},
			links:      []model.Link{allow(66, gTechs, fRoot), allow(40, gTechs, model.AllComputersGroupID)},
			mutate: func(s *model.Snapshot) {
				s.ComputerGroups[gBuilding] = model.ComputerGroup{ID: gBuilding, ParentID: gLabPCs, Name: "Building A"}
			},
			want: want{false, []string{"explicit", "cycle"}, fRoot, `LAB\Techs`},
		},
		{
			name:       "tree deeper than 64 levels fails closed",
			principals: []model.Principal{pTechs},
			links:      []model.Link{allow(66, gTechs, 1000500), techsMayDistribute},
			mutate:     func(s *model.Snapshot) { deepChain(s, 71) },
			want:       want{false, []string{"too-deep", "explicit"}, 1000500 + 70 - 63, ""},
		},
		{
			name:       "entry on the 64th level still decides",
			principals: []model.Principal{pTechs},
			links:      []model.Link{allow(66, gTechs, 1000500), techsMayDistribute},
			mutate:     func(s *model.Snapshot) { deepChain(s, 63) },
			want:       want{true, []string{"explicit", "explicit"}, 1000500, `LAB\Techs`},
		},
		{
			name:       "entry on the 65th level is too deep",
			principals: []model.Principal{pTechs},
			links:      []model.Link{allow(66, gTechs, 1000500), techsMayDistribute},
			mutate:     func(s *model.Snapshot) { deepChain(s, 64) },
			want:       want{false, []string{"too-deep", "explicit"}, 1000500, ""},
		},
		{
			name:       "folder not loaded: its own entry still decides",
			principals: []model.Principal{pTechs},
			links:      []model.Link{allow(66, gTechs, 1000099), techsMayDistribute},
			mutate:     func(s *model.Snapshot) { s.Jobs[jobWin11].FolderID = 1000099 },
			want:       want{true, []string{"explicit", "explicit"}, 1000099, `LAB\Techs`},
		},
		{
			name:       "folder not loaded and no entry on it fails closed",
			principals: []model.Principal{pTechs},
			links:      []model.Link{allow(66, gTechs, fRoot), techsMayDistribute},
			mutate:     func(s *model.Snapshot) { s.Jobs[jobWin11].FolderID = 1000099 },
			want:       want{false, []string{"unknown-parent", "explicit"}, 1000099, ""},
		},
		{
			name:       "computer group not loaded fails closed",
			principals: []model.Principal{pTechs},
			links:      []model.Link{allow(66, gTechs, fRoot), allow(40, gTechs, model.AllComputersGroupID)},
			mutate:     func(s *model.Snapshot) { s.Computer.GroupID = 77 },
			want:       want{false, []string{"explicit", "unknown-parent"}, fRoot, `LAB\Techs`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fixture()
			s.Principals = tt.principals
			s.Links = tt.links
			if tt.tasks != nil {
				s.Jobs[jobWin11].Tasks = tt.tasks
			}
			if tt.mutate != nil {
				tt.mutate(s)
			}
			e := New(s)
			d := e.Decide(jobWin11)
			var rules []string
			for _, r := range d.Reasons {
				rules = append(rules, r.Rule)
			}
			if d.Allowed != tt.want.allowed || !slices.Equal(rules, tt.want.rules) {
				t.Fatalf("Decide = allowed %v rules %q, want allowed %v rules %q\n%s",
					d.Allowed, rules, tt.want.allowed, tt.want.rules, explain(d))
			}
			if got := e.Allowed(jobWin11); got != d.Allowed {
				t.Errorf("Allowed = %v, Decide says %v", got, d.Allowed)
			}
			first := d.Reasons[0]
			if first.ObjectID != tt.want.level || first.Principal != tt.want.who {
				t.Errorf("first reason decided at object %d by %q, want %d by %q\n%s",
					first.ObjectID, first.Principal, tt.want.level, tt.want.who, explain(d))
			}
			for _, r := range d.Reasons {
				s := r.String()
				prefix := map[bool]string{true: "Allowed: ", false: "Denied: "}[r.Allow]
				if !strings.HasPrefix(s, prefix) || strings.Contains(s, "rule \"") || strings.Count(s, ".") < 1 {
					t.Errorf("reason %q reads %q", r.Rule, s)
				}
			}
		})
	}
}

// deepChain puts the job at the bottom of n folders 1000500 (top) … 1000500+n-1,
// so the top folder is level n of the walk (the job is level 0).
func deepChain(s *model.Snapshot, n int64) {
	top := int64(1000500)
	s.Folders[top] = model.Folder{ID: top, Name: "deep top"}
	for i := int64(1); i < n; i++ {
		s.Folders[top+i] = model.Folder{ID: top + i, ParentID: top + i - 1, Name: fmt.Sprint("level ", i)}
	}
	s.Jobs[jobWin11].FolderID = top + n - 1
}

func explain(d Decision) string {
	var b strings.Builder
	for _, r := range d.Reasons {
		fmt.Fprintf(&b, "  %s\n", r)
	}
	return b.String()
}

// TestTaskPermissions checks the task → permission table of docs/ds-schema.md
// by behaviour: with every computer permission allowed but one, a job is
// denied exactly when its task needs that one.
func TestTaskPermissions(t *testing.T) {
	computerPerms := []int{39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 64}
	tests := []struct {
		name string
		task model.Task
		need []int
	}{
		{"run script", model.Task{Type: 10}, []int{48}},
		{"power reboot", model.Task{Type: 11, PowerType: intp(1)}, []int{51}},
		{"power shutdown", model.Task{Type: 11, PowerType: intp(2)}, []int{50}},
		{"power log off", model.Task{Type: 11, PowerType: intp(8)}, []int{52}},
		{"power wake up", model.Task{Type: 11, PowerType: intp(64)}, []int{53}},
		{"power without detail", model.Task{Type: 11}, []int{50, 51, 52, 53}},
		{"power with unknown action", model.Task{Type: 11, PowerType: intp(3)}, []int{50, 51, 52, 53}},
		{"copy file", model.Task{Type: 12}, []int{47}},
		{"registry", model.Task{Type: 13}, []int{45, 46}},
		{"modify configuration", model.Task{Type: 14}, []int{41}},
		{"create image", model.Task{Type: 15, CreateImage: boolp(true)}, []int{39}},
		{"distribute image", model.Task{Type: 15, CreateImage: boolp(false)}, []int{40}},
		{"image without detail", model.Task{Type: 15}, []int{39, 40}},
		{"distribute software", model.Task{Type: 16}, []int{42}},
		{"scripted install", model.Task{Type: 17}, []int{49}},
		{"personality", model.Task{Type: 18}, []int{43, 44}},
		{"inventory", model.Task{Type: 19}, []int{64}},
	}
	for _, tt := range tests {
		for _, missing := range computerPerms {
			t.Run(fmt.Sprintf("%s/without %d", tt.name, missing), func(t *testing.T) {
				s := fixture()
				s.Principals = []model.Principal{pTechs}
				s.Links = []model.Link{allow(66, gTechs, fLab)}
				for _, p := range computerPerms {
					if p != missing {
						s.Links = append(s.Links, allow(p, gTechs, gBuilding))
					}
				}
				s.Jobs[jobWin11].Tasks = []model.Task{tt.task}
				want := !slices.Contains(tt.need, missing)
				e := New(s)
				if got := e.Allowed(jobWin11); got != want {
					t.Errorf("Allowed = %v, want %v (task needs %v)\n%s", got, want, tt.need, explain(e.Decide(jobWin11)))
				}
			})
		}
	}
}

func TestUnknownJob(t *testing.T) {
	s := fixture()
	s.SecurityOn = false
	e := New(s)
	d := e.Decide(2999999)
	if e.Allowed(2999999) || d.Allowed || len(d.Reasons) != 1 || d.Reasons[0].Rule != "unknown-job" {
		t.Fatalf("unknown job: Allowed %v, Decide %+v", e.Allowed(2999999), d)
	}
	if want := "Denied: job id 2999999 is not among the jobs loaded for this menu."; d.Reasons[0].String() != want {
		t.Errorf("got %q, want %q", d.Reasons[0].String(), want)
	}
}

func TestReasonSentences(t *testing.T) {
	tests := []struct {
		name   string
		links  []model.Link
		tasks  []model.Task
		mutate func(*model.Snapshot)
		want   []string
	}{
		{
			name:  "group allowed on a folder, task allowed on All Computers",
			links: []model.Link{allow(66, gTechs, fWindows), allow(40, gTechs, -1)},
			want: []string{
				`Allowed: console group "LAB\Techs" is allowed "Schedule this job" on job folder "Windows" (id 1000012), the nearest level with an entry for job "Win11 Lab" (id 2000133).`,
				`Allowed: console group "LAB\Techs" is allowed "Schedule distribute disk image" on All Computers, the nearest level with an entry for computer "PC01" (id 5000001).`,
			},
		},
		{
			name:  "user beats group, group deny beats group allow",
			links: []model.Link{allow(66, uJdoe, jobWin11), deny(66, gStudents, jobWin11), allow(40, gTechs, pc01), deny(40, gStudents, pc01)},
			want: []string{
				`Allowed: console user "LAB\jdoe" is allowed "Schedule this job" on job "Win11 Lab" (id 2000133) itself; the user's own entry beats console group "LAB\Students", which is denied there.`,
				`Denied: console group "LAB\Students" is denied "Schedule distribute disk image" on computer "PC01" (id 5000001) itself; deny beats allow, and console group "LAB\Techs" is allowed there.`,
			},
		},
		{
			name:  "nothing anywhere, image detail missing",
			tasks: []model.Task{{Type: 15}},
			want: []string{
				`Denied: neither the user nor any of the user's groups has an entry for "Schedule this job" on job "Win11 Lab" (id 2000133), any job folder above it or All Jobs, and no entry means deny.`,
				`Denied: neither the user nor any of the user's groups has an entry for "Schedule create disk image" on computer "PC01" (id 5000001), any computer group above it or All Computers, and no entry means deny.`,
				`Denied: neither the user nor any of the user's groups has an entry for "Schedule distribute disk image" on computer "PC01" (id 5000001), any computer group above it or All Computers, and no entry means deny.`,
				`Denied: task 1 (Create/Distribute disk image) of job "Win11 Lab" (id 2000133) has no detail row saying which, so it needs every permission it could need on the computer: "Schedule create disk image", "Schedule distribute disk image", and not all of them are allowed.`,
			},
		},
		{
			name:  "unknown task, folder not loaded",
			links: []model.Link{allow(66, gTechs, fRoot)},
			tasks: []model.Task{{Type: 42}},
			mutate: func(s *model.Snapshot) {
				delete(s.Folders, fWindows)
			},
			want: []string{
				`Denied: job folder id 1000012 above job "Win11 Lab" (id 2000133) has no entry for "Schedule this job" and was not loaded, so the levels above it cannot be checked (fail closed).`,
				`Denied: task 1 of job "Win11 Lab" (id 2000133) has task type 42, which ImageInvoker does not know, so it cannot tell which permission DS would check (fail closed).`,
			},
		},
		{
			name:   "security off",
			mutate: func(s *model.Snapshot) { s.SecurityOn = false },
			want: []string{
				`Allowed: console security is switched off in Deployment Server, so every job is allowed, job "Win11 Lab" (id 2000133) included.`,
			},
		},
		{
			name:   "administrator",
			mutate: func(s *model.Snapshot) { s.Principals = append(s.Principals, pAdmins) },
			want: []string{
				`Allowed: console group "LAB\DS Admins" holds the Administrative right, which allows everything and cannot be denied, job "Win11 Lab" (id 2000133) included.`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fixture()
			s.Principals = []model.Principal{pJdoe, pTechs, pStudents}
			s.Links = tt.links
			if tt.tasks != nil {
				s.Jobs[jobWin11].Tasks = tt.tasks
			}
			if tt.mutate != nil {
				tt.mutate(s)
			}
			var got []string
			for _, r := range New(s).Decide(jobWin11).Reasons {
				got = append(got, r.String())
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
}

func TestDenial(t *testing.T) {
	s := fixture()
	s.Principals = []model.Principal{pTechs}
	s.Links = []model.Link{allow(66, gTechs, fRoot)}
	d := New(s).Decide(jobWin11)
	r, ok := d.Denial()
	if !ok || r.Permission != model.PermDistributeImage || r.Rule != "default-deny" {
		t.Fatalf("Denial() = %+v, %v; want the default deny of permission 40", r, ok)
	}
	s.Links = append(s.Links, techsMayDistribute)
	if r, ok := New(s).Decide(jobWin11).Denial(); ok {
		t.Errorf("allowed decision has a denial: %s", r)
	}
}

func TestPermissionName(t *testing.T) {
	tests := []struct {
		id   int
		want string
	}{
		{66, "Schedule this job"},
		{39, "Schedule create disk image"},
		{53, "Schedule wake up"},
		{64, "Schedule get inventory"},
		{7, "permission 7"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := PermissionName(tt.id); got != tt.want {
				t.Errorf("PermissionName(%d) = %q, want %q", tt.id, got, tt.want)
			}
		})
	}
	for _, id := range model.SchedulePermissionIDs {
		if strings.HasPrefix(PermissionName(id), "permission ") {
			t.Errorf("permission %d the store loads has no name", id)
		}
	}
}

func TestNilSnapshot(t *testing.T) {
	e := New(nil)
	if e.Allowed(jobWin11) || e.Decide(jobWin11).Allowed {
		t.Error("a nil snapshot allowed a job")
	}
}

func TestReasonJSON(t *testing.T) {
	s := fixture()
	s.Principals = []model.Principal{pJdoe, pStudents}
	s.Links = []model.Link{allow(66, uJdoe, fWindows), deny(66, gStudents, fWindows)}
	s.Jobs[jobWin11].Tasks = nil
	b, err := json.Marshal(New(s).Decide(jobWin11))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"job_id":2000133,"allowed":true,"reasons":[{"rule":"user-beats-group","permission":66,` +
		`"permission_name":"Schedule this job","object_kind":"job folder","object_id":1000012,"object_name":"Windows",` +
		`"principal":"LAB\\jdoe","allow":true,"overruled":"LAB\\Students","target_kind":"job","target_id":2000133,` +
		`"target_name":"Win11 Lab","principal_kind":"user","overruled_kind":"group","text":"Allowed: console user \"LAB\\jdoe\" ` +
		`is allowed \"Schedule this job\" on job folder \"Windows\" (id 1000012), the nearest level with an entry for ` +
		`job \"Win11 Lab\" (id 2000133); the user's own entry beats console group \"LAB\\Students\", which is denied there."}]}`
	if string(b) != want {
		t.Errorf("JSON\n%s\nwant\n%s", b, want)
	}
}
