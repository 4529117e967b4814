package menu

import (
	"slices"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/pkg/model"
)

func ptr[T any](v T) *T { return &v }

// One case per task type (and per detail that changes the answer): the
// words, whether the job erases the disk, and why.
func TestEffectsPerTaskType(t *testing.T) {
	cases := []struct {
		name   string
		task   model.Task
		words  string
		erases bool
		why    string
	}{
		{"run script", model.Task{Type: model.TaskRunScript}, "run a script", false, ""},
		{"power reboot", model.Task{Type: model.TaskPowerControl, PowerType: ptr(model.PowerReboot)}, "reboot", false, ""},
		{"power shutdown", model.Task{Type: model.TaskPowerControl, PowerType: ptr(model.PowerShutdown)}, "shut down", false, ""},
		{"power log off", model.Task{Type: model.TaskPowerControl, PowerType: ptr(model.PowerLogOff)}, "log off", false, ""},
		{"power wake up", model.Task{Type: model.TaskPowerControl, PowerType: ptr(model.PowerWakeUp)}, "wake up", false, ""},
		{"power unknown", model.Task{Type: model.TaskPowerControl}, "power control (reboot or shut down)", false, ""},
		{"copy file", model.Task{Type: model.TaskCopyFile}, "copy files to this machine", false, ""},
		{"registry", model.Task{Type: model.TaskRegistry}, "back up or restore the registry", false, ""},
		{"modify config", model.Task{Type: model.TaskModifyConfig}, "change the machine's configuration (name, domain, network)", false, ""},
		{"create image", model.Task{Type: model.TaskImage, CreateImage: ptr(true)}, "create a disk image of this machine", false, ""},
		{"distribute image", model.Task{Type: model.TaskImage, CreateImage: ptr(false)}, "distribute a disk image (ERASES THE DISK)", true, "step 1 distributes a disk image"},
		{"image, detail unknown (fail safe)", model.Task{Type: model.TaskImage}, "distribute a disk image (ERASES THE DISK)", true, "step 1 is an image task whose create/distribute detail is unknown"},
		{"software", model.Task{Type: model.TaskSoftware}, "install software", false, ""},
		{"scripted install", model.Task{Type: model.TaskScriptedInstall}, "scripted OS install (ERASES THE DISK)", true, "step 1 installs an operating system"},
		{"personality", model.Task{Type: model.TaskPersonality}, "capture or restore user settings (personality)", false, ""},
		{"inventory", model.Task{Type: model.TaskInventory}, "collect inventory", false, ""},
		{"unknown type", model.Task{Type: 99}, "task of type 99", false, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fx := Entry{Job: &model.Job{Tasks: []model.Task{tc.task}}}.Effects()
			if !slices.Equal(fx.Steps, []string{tc.words}) {
				t.Errorf("steps %q, want %q", fx.Steps, tc.words)
			}
			if fx.ErasesDisk != tc.erases {
				t.Errorf("ErasesDisk %v, want %v", fx.ErasesDisk, tc.erases)
			}
			why := strings.Join(fx.Why, "; ")
			if tc.why == "" && why != "" || !strings.Contains(why, tc.why) {
				t.Errorf("why %q, want %q", why, tc.why)
			}
		})
	}
}

// The marker alone makes a job erase the disk, whatever its tasks; it adds
// a step and a reason. Without tasks or marker nothing is erased.
func TestEffectsMarker(t *testing.T) {
	script := &model.Job{Tasks: []model.Task{{Type: model.TaskRunScript}, {Type: model.TaskPowerControl, PowerType: ptr(model.PowerShutdown)}}}
	cases := []struct {
		name   string
		e      Entry
		steps  int
		erases bool
	}{
		{"script, no marker", Entry{Job: script}, 2, false},
		{"script, marked", Entry{Job: script, MarkedErases: true}, 3, true},
		{"no job, marked", Entry{MarkedErases: true}, 1, true},
		{"no job, no marker", Entry{}, 0, false},
	}
	for _, tc := range cases {
		fx := tc.e.Effects()
		if len(fx.Steps) != tc.steps || fx.ErasesDisk != tc.erases || (len(fx.Why) > 0) != tc.erases {
			t.Errorf("%s: %+v; want %d steps, erases %v", tc.name, fx, tc.steps, tc.erases)
		}
		if tc.e.MarkedErases && !strings.Contains(strings.Join(fx.Why, " "), "erases tag") {
			t.Errorf("%s: why %q does not name the marker", tc.name, fx.Why)
		}
	}
}

// Build reads the marker into the entry, and JobEffects reads it from a
// job's description with the menu's tag: both say the same.
func TestEffectsFromBuildAndJob(t *testing.T) {
	j := &model.Job{ID: 7, Name: "Wipe", Description: "Overwrites the disk [lab: erases] [lab]", Tasks: []model.Task{{Type: model.TaskRunScript}}}
	s := &model.Snapshot{Jobs: map[int64]*model.Job{7: j}}
	m := Build(s, allBut(), Options{Tag: "[lab]"})
	e, ok := m.Find("7")
	if !ok {
		t.Fatal("job 7 not on the menu")
	}
	if !e.Effects().ErasesDisk {
		t.Error("Build: the marked job does not erase the disk")
	}
	if !JobEffects(j, "[lab]").ErasesDisk {
		t.Error("JobEffects: the marked job does not erase the disk")
	}
	if JobEffects(j, "").ErasesDisk {
		t.Error("JobEffects: another tool's tag counted as the marker")
	}
}
