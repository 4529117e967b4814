package access

import (
	"fmt"

	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// permissionNames are the console names of the permissions a scheduling
// decision consults (docs/ds-schema.md, `securitypermission`). The exact DS
// captions are not loaded; these say the same thing in the console's words.
var permissionNames = map[int]string{
	model.RightAdministrative:    "Administrative",
	model.PermScheduleJob:        "Schedule this job",
	model.PermCreateImage:        "Schedule create disk image",
	model.PermDistributeImage:    "Schedule distribute disk image",
	model.PermConfigure:          "Schedule modify configuration",
	model.PermDistributeSoftware: "Schedule distribute software",
	model.PermCapturePersonality: "Schedule capture personality",
	model.PermDistributePersonal: "Schedule distribute personality",
	model.PermBackupRegistry:     "Schedule back up registry",
	model.PermRestoreRegistry:    "Schedule restore registry",
	model.PermCopyFile:           "Schedule copy file",
	model.PermRunScript:          "Schedule run script",
	model.PermScriptedInstall:    "Schedule scripted OS install",
	model.PermShutdown:           "Schedule shutdown",
	model.PermReboot:             "Schedule reboot",
	model.PermLogOff:             "Schedule log off",
	model.PermWakeUp:             "Schedule wake up",
	model.PermGetInventory:       "Schedule get inventory",
}

// PermissionName is the console name of a permission id.
func PermissionName(id int) string { return nameOf(permissionNames, id, "permission") }

var taskTypeNames = map[int]string{
	model.TaskRunScript:       "Run script",
	model.TaskPowerControl:    "Power control",
	model.TaskCopyFile:        "Copy file",
	model.TaskRegistry:        "Back up/restore registry",
	model.TaskModifyConfig:    "Modify configuration",
	model.TaskImage:           "Create/Distribute disk image",
	model.TaskSoftware:        "Distribute software",
	model.TaskScriptedInstall: "Scripted OS install",
	model.TaskPersonality:     "Capture/Distribute personality",
	model.TaskInventory:       "Get inventory",
}

// taskTypeName is the console name of a `task.task_type`.
func taskTypeName(taskType int) string { return nameOf(taskTypeNames, taskType, "task type") }

// nameOf is the console name of id, or what and the number for an id this
// package has no name for (a newer DS may add some).
func nameOf(names map[int]string, id int, what string) string {
	if n, ok := names[id]; ok {
		return n
	}
	return fmt.Sprintf("%s %d", what, id)
}

// detail tells how sure the task → permission mapping is.
type detail uint8

const (
	detailKnown       detail = iota // one permission, from a known type and detail
	detailMissing                   // the per-type detail row is missing: every candidate required
	detailUnknownVal                // the detail row holds a value not known: every candidate required
	detailNotLoaded                 // the detail is never loaded for this type: every candidate required
	detailUnknownTask               // the task type itself is unknown: deny
)

var detailNames = [...]string{
	detailMissing:    "missing",
	detailUnknownVal: "unknown-value",
	detailNotLoaded:  "not-loaded",
}

// taskPermissions is the one mapping from a task to the "Schedule <task>"
// permissions DS checks on the computer (docs/ds-schema.md, rule 6). Where the
// detail that picks one permission is missing, every permission the task
// could need is required: a menu that shows a job DS would refuse is worse
// than one that hides a job the technician could have run.
func taskPermissions(t model.Task) (perms [4]int, n int, d detail) {
	one := func(p int) ([4]int, int, detail) { return [4]int{p}, 1, detailKnown }
	if p, ok := model.TaskPermission[t.Type]; ok {
		return one(p)
	}
	switch t.Type {
	case model.TaskPowerControl:
		all := [4]int{model.PermShutdown, model.PermReboot, model.PermLogOff, model.PermWakeUp}
		if t.PowerType == nil {
			return all, 4, detailMissing
		}
		if p, ok := model.PowerPermission[*t.PowerType]; ok {
			return one(p)
		}
		return all, 4, detailUnknownVal
	case model.TaskRegistry:
		// Whether a 13 backs up or restores is in a detail table not loaded.
		return [4]int{model.PermBackupRegistry, model.PermRestoreRegistry}, 2, detailNotLoaded
	case model.TaskImage:
		if t.CreateImage == nil {
			return [4]int{model.PermCreateImage, model.PermDistributeImage}, 2, detailMissing
		}
		if *t.CreateImage {
			return one(model.PermCreateImage)
		}
		return one(model.PermDistributeImage)
	case model.TaskPersonality:
		// Capture or distribute sits in a detail table not loaded.
		return [4]int{model.PermCapturePersonality, model.PermDistributePersonal}, 2, detailNotLoaded
	}
	return perms, 0, detailUnknownTask
}

// TaskPermissions lists, once each and in order of first use, every
// "Schedule <task>" permission the tasks need on the computer (every
// candidate where a detail is unknown).
func TaskPermissions(tasks []model.Task) []int {
	var out []int
	seen := map[int]bool{}
	for _, t := range tasks {
		perms, n, _ := taskPermissions(t)
		for _, p := range perms[:n] {
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out
}
