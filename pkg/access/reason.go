package access

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// Reason is one rule that decided part of a Decision.
//
// Rule is one of: "security-off", "administrative", "explicit",
// "user-beats-group", "deny-beats-allow", "default-deny", "cycle",
// "too-deep", "unknown-parent", "unknown-computer", "missing-detail",
// "unknown-task", "unknown-job", "return-handler", "unknown-handler".
type Reason struct {
	Rule           string `json:"rule"`
	Permission     int    `json:"permission,omitempty"`
	PermissionName string `json:"permission_name,omitempty"`
	// Object is the level that decided ("job", "job folder", "computer",
	// "computer group", "All Computers"), or where the walk stopped.
	ObjectKind string `json:"object_kind,omitempty"`
	ObjectID   int64  `json:"object_id,omitempty"`
	ObjectName string `json:"object_name,omitempty"`
	// Principal is the console user or group whose entry decided ("" when none).
	Principal     string              `json:"principal,omitempty"`
	PrincipalKind model.PrincipalKind `json:"-"`
	Allow         bool                `json:"allow"`
	// Overruled is the entry at the same level that lost (user-beats-group,
	// deny-beats-allow).
	Overruled     string              `json:"overruled,omitempty"`
	OverruledKind model.PrincipalKind `json:"-"`
	// Target is what was asked about: the job, or the computer for a task permission.
	TargetKind string `json:"target_kind,omitempty"`
	TargetID   int64  `json:"target_id,omitempty"`
	TargetName string `json:"target_name,omitempty"`
	// Task (1-based position in the job's tasks) and TaskType for
	// "missing-detail" and "unknown-task"; Required lists the permissions a
	// missing detail made necessary, Detail says why ("missing",
	// "unknown-value", "not-loaded") and DetailValue is the unknown value.
	Task     int    `json:"task,omitempty"`
	TaskType int    `json:"task_type,omitempty"`
	Required []int  `json:"required,omitempty"`
	Detail   string `json:"detail,omitempty"`
	// DetailNote is the store's word on why the detail is unknown (an image
	// task whose create/distribute DS could not be asked about).
	DetailNote  string `json:"detail_note,omitempty"`
	DetailValue int    `json:"detail_value,omitempty"`
	// HandlerJob is a job the target starts on a return code
	// ("return-handler", "unknown-handler"); Cause is the sentence that
	// refused it, when it was refused.
	HandlerJobID   int64  `json:"handler_job_id,omitempty"`
	HandlerJobName string `json:"handler_job_name,omitempty"`
	Cause          string `json:"cause,omitempty"`
}

// String is the reason as one sentence for a technician or an administrator.
func (r Reason) String() string {
	verdict := "Denied: "
	if r.Allow {
		verdict = "Allowed: "
	}
	return verdict + r.sentence()
}

// MarshalJSON adds the principal kinds by name and the sentence itself, so a
// script's `explain --json` carries what a technician would read.
func (r Reason) MarshalJSON() ([]byte, error) {
	type plain Reason
	kind := func(k model.PrincipalKind, name string) string {
		if name == "" {
			return ""
		}
		return k.String()
	}
	return json.Marshal(struct {
		plain
		PrincipalKind string `json:"principal_kind,omitempty"`
		OverruledKind string `json:"overruled_kind,omitempty"`
		Text          string `json:"text"`
	}{plain(r), kind(r.PrincipalKind, r.Principal), kind(r.OverruledKind, r.Overruled), r.String()})
}

func (r Reason) sentence() string {
	perm := quote(r.PermissionName)
	switch r.Rule {
	case "security-off":
		return fmt.Sprintf("console security is switched off in Deployment Server, so every job is allowed, %s included.", r.target())
	case "administrative":
		return fmt.Sprintf("%s holds the Administrative right, which allows everything and cannot be denied, %s included.",
			principal(r.PrincipalKind, r.Principal), r.target())
	case "unknown-job":
		return fmt.Sprintf("job id %d is not among the jobs loaded for this menu.", r.TargetID)
	case "explicit", "user-beats-group", "deny-beats-allow":
		s := fmt.Sprintf("%s is %s %s on %s", principal(r.PrincipalKind, r.Principal), allowed(r.Allow), perm, r.object())
		if r.ObjectKind == r.TargetKind && r.ObjectID == r.TargetID {
			s += " itself"
		} else {
			s += ", the nearest level with an entry for " + r.target()
		}
		switch r.Rule {
		case "user-beats-group":
			s += fmt.Sprintf("; the user's own entry beats %s, which is %s there", principal(r.OverruledKind, r.Overruled), allowed(!r.Allow))
		case "deny-beats-allow":
			s += fmt.Sprintf("; deny beats allow, and %s is allowed there", principal(r.OverruledKind, r.Overruled))
		}
		return s + "."
	case "default-deny":
		where := ", any job folder above it or All Jobs"
		if r.TargetKind == kindComputer.String() {
			where = ", any computer group above it or All Computers"
		}
		return fmt.Sprintf("neither the user nor any of the user's groups has an entry for %s on %s%s, and no entry means deny.",
			perm, r.target(), where)
	case "cycle":
		return fmt.Sprintf("the parents above %s loop back to %s, so %s cannot be resolved (fail closed).", r.target(), r.object(), perm)
	case "too-deep":
		return fmt.Sprintf("%s is more than %d levels below the top with no entry for %s on the way, which is deeper than DS allows (fail closed).",
			r.target(), maxLevels, perm)
	case "unknown-parent":
		return fmt.Sprintf("%s above %s has no entry for %s and was not loaded, so the levels above it cannot be checked (fail closed).",
			r.object(), r.target(), perm)
	case "return-handler":
		h := describe(kindJob.String(), r.HandlerJobID, r.HandlerJobName)
		if r.Allow {
			return fmt.Sprintf("%s starts %s on a return code, and it may be scheduled here too.", r.target(), h)
		}
		return fmt.Sprintf("%s starts %s on a return code, and DS demands the same permissions on it, but for it %s",
			r.target(), h, r.Cause)
	case "unknown-handler":
		return fmt.Sprintf("%s starts job id %d on a return code, which does not exist or was not loaded, so it cannot be checked (fail closed).",
			r.target(), r.HandlerJobID)
	case "unknown-computer":
		return fmt.Sprintf("this machine is not a known Deployment Server computer, so %s cannot be checked on it.", perm)
	case "missing-detail":
		return r.missingDetail()
	case "unknown-task":
		return fmt.Sprintf("task %d of %s has task type %d, which ImageInvoker does not know, so it cannot tell which permission DS would check (fail closed).",
			r.Task, r.target(), r.TaskType)
	}
	return fmt.Sprintf("rule %q on %s.", r.Rule, r.target())
}

func (r Reason) missingDetail() string {
	names := make([]string, len(r.Required))
	for i, p := range r.Required {
		names[i] = quote(PermissionName(p))
	}
	var why string
	switch {
	case r.DetailNote != "":
		why = "cannot say which (" + r.DetailNote + ")"
	case r.Detail == "missing":
		why = "has no detail row saying which"
	case r.Detail == "unknown-value":
		why = fmt.Sprintf("has detail value %d, which is not known", r.DetailValue)
	default:
		why = "has its detail in a table that is not loaded"
	}
	outcome := "and not all of them are allowed"
	if r.Allow {
		outcome = "and all of them are allowed"
	}
	return fmt.Sprintf("task %d (%s) of %s %s, so it needs every permission it could need on the computer: %s, %s.",
		r.Task, taskTypeName(r.TaskType), r.target(), why, strings.Join(names, ", "), outcome)
}

func (r Reason) target() string { return describe(r.TargetKind, r.TargetID, r.TargetName) }
func (r Reason) object() string { return describe(r.ObjectKind, r.ObjectID, r.ObjectName) }

func describe(kind string, id int64, name string) string {
	switch {
	case kind == kindAllComputers.String():
		return "All Computers"
	case kind == kindAllJobs.String():
		return "All Jobs"
	case name == "":
		return fmt.Sprintf("%s id %d", kind, id)
	}
	return fmt.Sprintf("%s %s (id %d)", kind, quote(name), id)
}

func principal(kind model.PrincipalKind, name string) string {
	return "console " + kind.String() + " " + quote(name)
}

func allowed(allow bool) string {
	if allow {
		return "allowed"
	}
	return "denied"
}

// quote wraps a name in double quotes without escaping backslashes, so
// `LAB\Techs` reads as typed.
func quote(s string) string { return `"` + s + `"` }
