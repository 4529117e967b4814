package demo

import "fmt"

// knownPermissions are the securitypermission rows whose ids and names are
// SEEN (docs/ds-schema.md): the ones console security checks for scheduling.
var knownPermissions = map[int][2]string{
	39: {"Schedule: Create disk image", "Schedule jobs that create a disk image on these computers"},
	40: {"Schedule: Distribute disk image", "Schedule jobs that distribute a disk image to these computers"},
	41: {"Schedule: Modify configuration", "Schedule jobs that modify the configuration of these computers"},
	42: {"Schedule: Distribute software", "Schedule jobs that distribute software to these computers"},
	43: {"Schedule: Capture personality", "Schedule jobs that capture personality settings from these computers"},
	44: {"Schedule: Distribute personality", "Schedule jobs that distribute personality settings to these computers"},
	45: {"Schedule: Back up registry", "Schedule jobs that back up the registry of these computers"},
	46: {"Schedule: Restore registry", "Schedule jobs that restore the registry of these computers"},
	47: {"Schedule: Copy file to", "Schedule jobs that copy files to these computers"},
	48: {"Schedule: Run script", "Schedule jobs that run scripts on these computers"},
	49: {"Schedule: Scripted OS install", "Schedule jobs that run a scripted OS install on these computers"},
	50: {"Schedule: Shut down", "Schedule jobs that shut these computers down"},
	51: {"Schedule: Reboot", "Schedule jobs that reboot these computers"},
	52: {"Schedule: Log off", "Schedule jobs that log the user off these computers"},
	53: {"Schedule: Wake up", "Schedule jobs that wake these computers up"},
	64: {"Schedule: Get inventory", "Schedule jobs that collect inventory from these computers"},
	66: {"Schedule this job", "Schedule this job or the jobs in this folder"},
}

// otherPermissions name the rest of DS's 81 permissions. Their ids and names
// are UNVERIFIED (plausible console functions, in no particular DS order);
// nothing in ImageInvoker reads them, they only make the table look like DS's.
var otherPermissions = []string{
	"View", "Modify", "Delete", "Create", "Move", "Rename", "Change permissions", "Export", "Import",
	"Remote control", "Chat", "Send file", "Execute", "Power control", "Restore", "Install Automation Partition",
	"Uninstall Automation Partition", "Change agent settings", "Install agent", "Uninstall agent",
	"Computer properties", "Reset connection", "Clear status", "Cancel schedule", "Reschedule",
	"Allocate to group", "Create computer", "Delete computer", "Create computer group", "Delete computer group",
	"Create job", "Delete job", "Modify job", "Create job folder", "Delete job folder", "Modify job folder",
	"Run job now", "View job status", "View history", "Clear history", "Replicate", "Apply rules",
	"Set initial deployment", "Manage licenses", "Manage PXE", "Manage boot disks", "Manage resource library",
	"Manage lab builder", "Manage conditions", "Manage tokens", "Manage reports", "Run reports", "Manage web console",
	"Manage sites", "Manage connections", "Manage security", "Manage options", "Manage auto-deploy", "Manage agents",
	"Manage images", "Manage packages", "Manage scripts", "Manage personalities", "Manage users",
}

// TotalPermissions is how many securitypermission rows DS 6.9 ships.
const TotalPermissions = 81

func permissionRows() [][]any {
	var rows [][]any
	next := 0
	for id := 1; id <= TotalPermissions; id++ {
		if p, ok := knownPermissions[id]; ok {
			rows = append(rows, []any{id, p[0], p[1]})
			continue
		}
		name := fmt.Sprintf("Permission %d", id)
		if next < len(otherPermissions) {
			name = otherPermissions[next]
			next++
		}
		rows = append(rows, []any{id, name, nil})
	}
	return rows
}
