package menu

import (
	"strconv"

	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// Effects is what a job does to the machine it is queued for, decided here
// once for every front end (the console's screens, run's prompt, every
// --json): they only render it.
type Effects struct {
	// Steps are the job's tasks in plain words, in order; a job marked
	// `[imageinvoker: erases]` ends with a step that says so.
	Steps []string
	// ErasesDisk is true when a task erases the disk (a distributed image,
	// an image task whose create/distribute detail is unknown — fail safe —
	// or a scripted OS install) or the description carries the marker.
	ErasesDisk bool
	// Why says, one sentence each, what makes it erase the disk; empty when
	// it does not.
	Why []string
}

// markedStep is the step a job marked `[imageinvoker: erases]` adds.
const markedStep = "destroy data on this machine (marked so by your DS administrator)"

// Effects says what the entry's job does: its tasks and the erase marker.
func (e Entry) Effects() Effects {
	var tasks []model.Task
	if e.Job != nil {
		tasks = e.Job.Tasks
	}
	return describe(tasks, e.MarkedErases)
}

// JobEffects says what a job does when it is not on a menu (explain): its
// tasks and the erase marker in its description, with the menu's tag (blank
// means DefaultTag).
func JobEffects(j *model.Job, tag string) Effects {
	if j == nil {
		return Effects{}
	}
	return describe(j.Tasks, markedErases(j.Description, tag))
}

func describe(tasks []model.Task, marked bool) Effects {
	var fx Effects
	for i, t := range tasks {
		words, why := describeTask(t)
		fx.Steps = append(fx.Steps, words)
		if why != "" {
			fx.ErasesDisk = true
			fx.Why = append(fx.Why, "step "+strconv.Itoa(i+1)+" "+why)
		}
	}
	if marked {
		fx.Steps = append(fx.Steps, markedStep)
		fx.ErasesDisk = true
		fx.Why = append(fx.Why, "your DS administrator marked it as erasing (the erases tag in its description)")
	}
	return fx
}

// taskWords are the tasks that always do the same, in plain words.
var taskWords = map[int]string{
	model.TaskRunScript:    "run a script",
	model.TaskCopyFile:     "copy files to this machine",
	model.TaskRegistry:     "back up or restore the registry",
	model.TaskModifyConfig: "change the machine's configuration (name, domain, network)",
	model.TaskSoftware:     "install software",
	model.TaskPersonality:  "capture or restore user settings (personality)",
	model.TaskInventory:    "collect inventory",
}

// powerWords are what a power-control task does, by its power type.
var powerWords = map[int]string{
	model.PowerReboot:   "reboot",
	model.PowerShutdown: "shut down",
	model.PowerLogOff:   "log off",
	model.PowerWakeUp:   "wake up",
}

// describeTask is one task in words and, when it erases the disk, why.
func describeTask(t model.Task) (words, erasesWhy string) {
	if w, ok := taskWords[t.Type]; ok {
		return w, ""
	}
	switch t.Type {
	case model.TaskPowerControl:
		if t.PowerType != nil {
			if w, ok := powerWords[*t.PowerType]; ok {
				return w, ""
			}
		}
		return "power control (reboot or shut down)", ""
	case model.TaskImage:
		switch {
		case t.CreateImage != nil && *t.CreateImage:
			return "create a disk image of this machine", ""
		case t.CreateImage == nil:
			return "distribute a disk image (ERASES THE DISK)", "is an image task whose create/distribute detail is unknown: taken as distributing an image"
		}
		return "distribute a disk image (ERASES THE DISK)", "distributes a disk image"
	case model.TaskScriptedInstall:
		return "scripted OS install (ERASES THE DISK)", "installs an operating system"
	}
	return "task of type " + strconv.Itoa(t.Type), ""
}
