// Package model holds the plain data the eXpress store loads and the pure
// packages (access, menu) decide over. It does no I/O on purpose: everything
// that reads it can be tested without a database.
package model

import "strings"

// Object id ranges of the eXpress database. DS tells the kind of an object by
// its numeric range, not by a type column (docs/ds-schema.md).
const (
	AllComputersGroupID int64 = -1 // the implicit root of the computer group tree
	NewComputersGroupID int64 = -7 // where DS puts machines on first contact
	// AllJobsFolderID is the virtual root of the job folder tree ("All
	// Jobs"): DS's Folder::IsFolderId accepts it and Folder::Load(-10) gives
	// the folder AllJobs with parent 0. A permission entry on it applies to
	// every job without a nearer one, as All Computers does for computers.
	AllJobsFolderID int64 = -10
)

// Permission ids that console security checks for scheduling (docs/ds-schema.md).
const (
	PermScheduleJob              = 66
	PermCreateImage              = 39
	PermDistributeImage          = 40
	PermConfigure                = 41
	PermDistributeSoftware       = 42
	PermCapturePersonality       = 43
	PermDistributePersonal       = 44
	PermBackupRegistry           = 45
	PermRestoreRegistry          = 46
	PermCopyFile                 = 47
	PermRunScript                = 48
	PermScriptedInstall          = 49
	PermShutdown                 = 50
	PermReboot                   = 51
	PermLogOff                   = 52
	PermWakeUp                   = 53
	PermGetInventory             = 64
	RightAdministrative          = 1
	FirstScheduleID        int64 = 100000001
	LastScheduleID         int64 = 200000000
)

// SchedulePermissionIDs are every permission a menu decision can consult; the
// store loads permission links for these ids only.
var SchedulePermissionIDs = []int{
	PermCreateImage, PermDistributeImage, PermConfigure, PermDistributeSoftware,
	PermCapturePersonality, PermDistributePersonal, PermBackupRegistry, PermRestoreRegistry,
	PermCopyFile, PermRunScript, PermScriptedInstall, PermShutdown, PermReboot, PermLogOff,
	PermWakeUp, PermGetInventory, PermScheduleJob,
}

// Task types of the eXpress `task.task_type` column.
const (
	TaskRunScript       = 10
	TaskPowerControl    = 11
	TaskCopyFile        = 12
	TaskRegistry        = 13
	TaskModifyConfig    = 14
	TaskImage           = 15
	TaskSoftware        = 16
	TaskScriptedInstall = 17
	TaskPersonality     = 18
	TaskInventory       = 19
)

// Power actions of `reboot_task.reboot_method` (docs/ds-schema.md).
const (
	PowerReboot   = 1
	PowerShutdown = 2
	PowerLogOff   = 8
	PowerWakeUp   = 64
)

// TaskPermission is the "Schedule <task>" permission of each task type whose
// permission needs no detail row; power control, image, registry and
// personality tasks are the others (docs/ds-schema.md, rule 6).
var TaskPermission = map[int]int{
	TaskRunScript: PermRunScript, TaskCopyFile: PermCopyFile, TaskModifyConfig: PermConfigure,
	TaskSoftware: PermDistributeSoftware, TaskScriptedInstall: PermScriptedInstall, TaskInventory: PermGetInventory,
}

// PowerPermission is the permission of each power action.
var PowerPermission = map[int]int{
	PowerReboot: PermReboot, PowerShutdown: PermShutdown, PowerLogOff: PermLogOff, PowerWakeUp: PermWakeUp,
}

// Folder is a job folder (`event_folder`). ParentID 0 means top level.
type Folder struct {
	ID       int64
	ParentID int64
	Name     string
}

// Task is one task of a job. CreateImage and PowerType are nil when the
// per-type detail is missing or unknown; access then fails closed.
// DetailNote says why a detail is unknown when the store knows (for explain).
type Task struct {
	CondSeq     int
	TaskSeq     int
	Type        int
	CreateImage *bool
	PowerType   *int // reboot_task.reboot_method
	DetailNote  string
}

// Job is a DS job (`event`). FolderID 0 means the job sits at the top level.
type Job struct {
	ID          int64
	Name        string
	FolderID    int64
	Description string
	Tasks       []Task
	// Handlers are the jobs this job's tasks start on a return code
	// (task_return_handlers.handler), de-duplicated: DS demands the same
	// permissions on them as on the job itself (docs/ds-schema.md).
	Handlers []int64
}

// ComputerGroup is a node of the computer group tree. ParentID 0 means top level.
type ComputerGroup struct {
	ID       int64
	ParentID int64
	Name     string
}

// Computer is a DS computer with its NICs' MACs (12 upper-case hex digits).
type Computer struct {
	ID       int64    `json:"id"`
	Name     string   `json:"name"`
	GroupID  int64    `json:"group_id,omitempty"`
	Serial   string   `json:"serial,omitempty"`
	AssetTag string   `json:"asset_tag,omitempty"`
	UUID     string   `json:"uuid,omitempty"`
	MACs     []string `json:"macs,omitempty"`
}

// PrincipalKind tells console users from console groups.
type PrincipalKind int

const (
	ConsoleUser PrincipalKind = iota + 1
	ConsoleGroup
)

func (k PrincipalKind) String() string {
	switch k {
	case ConsoleUser:
		return "user"
	case ConsoleGroup:
		return "group"
	}
	return "principal"
}

// Principal is a console user or group that matched the signed-in identity.
// Name is as shown: `DOMAIN\name` (or `name@dns.domain`) for AD-linked
// ones, `.\name` for a DS console account, the plain name for a DS group.
type Principal struct {
	ID    int64
	Name  string
	Kind  PrincipalKind
	Admin bool // holds the Administrative right directly
}

// ConsolePrincipal is a console user or group as DS stores it, the user name
// already decrypted (docs/ds-schema.md, securityuser and securitygroup).
// One with neither domain set is DS-native: a DS console account, or a DS
// group whose members are console users.
type ConsolePrincipal struct {
	ID            int64
	Kind          PrincipalKind
	Name          string // decrypted securityuser.username, or securitygroup.name
	DNSDomain     string // securityuser.domain / securitygroup.ad_group_domain
	NetBIOSDomain string // securityuser.netbiosdomain / securitygroup.ad_group_netbiosdomain
	// UPN is the decrypted securityuser.upnname, "" when none.
	UPN   string
	Admin bool
}

// Native reports a DS-native console account or group (no AD domain).
func (p ConsolePrincipal) Native() bool { return p.DNSDomain == "" && p.NetBIOSDomain == "" }

// Display is how the principal is named to a person.
func (p ConsolePrincipal) Display() string {
	switch {
	case p.NetBIOSDomain != "":
		return p.NetBIOSDomain + `\` + p.Name
	case p.DNSDomain != "":
		return p.Name + "@" + p.DNSDomain
	case p.Kind == ConsoleUser:
		return `.\` + p.Name
	}
	return p.Name
}

// Membership is one console user in one DS-native console group.
type Membership struct {
	GroupID int64
	UserID  int64
}

// Link is one explicit allow or deny row of `securitypermissionlink`.
type Link struct {
	PermissionID int
	PrincipalID  int64
	ObjectID     int64
	Allow        bool
}

// Identity is who asks: an AD user and its groups, each `DOMAIN\name` with
// its NetBIOS domain, or a DS console account (`.\name`, DSAccount set).
type Identity struct {
	User     string   `json:"user"`
	FullName string   `json:"full_name,omitempty"`
	SID      string   `json:"sid,omitempty"`
	Groups   []string `json:"groups,omitempty"`
	// Domains pairs the NetBIOS names of User's and Groups' domains with
	// their DNS names, so a console entry that stores only the DNS name
	// (securityuser.domain) can be compared.
	Domains []Domain `json:"domains,omitempty"`
	// UPN is the AD account's userPrincipalName (alice@lab.example), ""
	// when unknown: DS matches it against a console user's upnname too.
	UPN string `json:"upn,omitempty"`
	// DSAccount: signed in with a DS console account, not an AD one.
	DSAccount bool `json:"ds_account,omitempty"`
	// ConsoleUserID is the DS console account that signed in (its password
	// checked): it alone is this identity, never another row of a similar
	// name. 0 for AD identities and previews (matched by name).
	ConsoleUserID int64 `json:"console_user_id,omitempty"`
}

// Domain is an AD domain's two names.
type Domain struct {
	NetBIOS string `json:"netbios"`
	DNS     string `json:"dns,omitempty"`
}

// DNSOf is the DNS name of a NetBIOS domain, "" when unknown.
func (id Identity) DNSOf(netbios string) string {
	for _, d := range id.Domains {
		if strings.EqualFold(d.NetBIOS, netbios) {
			return d.DNS
		}
	}
	return ""
}

// DSAccountPrefix is how a DS console account is typed: `.\name`, the
// Windows way to say "not a domain account".
const DSAccountPrefix = `.\`

// IsDSAccountName reports a typed `.\name`.
func IsDSAccountName(user string) bool {
	return strings.HasPrefix(strings.TrimSpace(user), DSAccountPrefix)
}

// SplitAccount splits `DOMAIN\name` into its parts; a bare name has domain "".
func SplitAccount(s string) (domain, name string) {
	if i := strings.IndexByte(s, '\\'); i >= 0 {
		return s[:i], s[i+1:]
	}
	return "", s
}

// Snapshot is everything one menu decision needs, loaded in a handful of
// statements for one computer and one identity.
type Snapshot struct {
	// SecurityOn is false when DS console security is switched off: every job is allowed.
	SecurityOn bool
	// RootFolderID is the menu's root folder (0 when it does not exist).
	RootFolderID int64
	Folders      map[int64]Folder
	// Jobs are the menu candidates: jobs under the root folder and tagged jobs anywhere.
	Jobs map[int64]*Job
	// HandlerJobs are the jobs reachable through the candidates' return
	// handlers that are not candidates themselves: checked, never shown.
	// A handler job missing here (deleted, or not loaded) refuses its job.
	HandlerJobs    map[int64]*Job
	Computer       Computer
	ComputerGroups map[int64]ComputerGroup
	// Principals are the console users and groups that matched the identity.
	Principals []Principal
	// Notes say what the store could not know and how it failed closed
	// (a DS group whose members cannot be read); explain and doctor show them.
	Notes []string
	// Links are the explicit entries of those principals for SchedulePermissionIDs.
	Links []Link
	// Statements counts the SQL statements the load ran (for benchmarks and tests).
	Statements int
}

// Schedule is one row of `event_schedule`.
type Schedule struct {
	ID           int64  `json:"schedule_id"`
	ComputerID   int64  `json:"computer_id"`
	JobID        int64  `json:"job_id"`
	StartTime    string `json:"start_time,omitempty"`
	Status       string `json:"status,omitempty"`
	StatusCode   *int   `json:"status_code,omitempty"`
	UserName     string `json:"user_name,omitempty"`
	UserFullName string `json:"user_full_name,omitempty"`
}

// MatchBy names the machine identifier used to find the DS computer.
type MatchBy string

const (
	MatchMAC        MatchBy = "mac"
	MatchSerial     MatchBy = "serial"
	MatchUUID       MatchBy = "uuid"
	MatchAssetTag   MatchBy = "asset_tag"
	MatchComputerID MatchBy = "computer_id"
)

// ComputerKey is how the store looks a computer up: any of Values (e.g. every
// NIC's MAC) may match. Values are already normalized (MACs 12 upper-case hex).
type ComputerKey struct {
	By     MatchBy
	Values []string
	ID     int64 // for MatchComputerID
}
