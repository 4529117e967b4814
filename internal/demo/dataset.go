package demo

import (
	"fmt"
	"strings"

	"github.com/imageinvoker/imageinvoker/pkg/dscipher"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// StoreFile is the file NewStore creates in its directory.
const StoreFile = "demo-express.db"

// RootFolderName is the demo's menu root folder (the product default).
const RootFolderName = "ImageInvoker"

// Console principals of the demo eXpress database, stored the way DS 6.9
// stores them: user names (and a DS account's password) through the DS
// cipher, domains in their own columns, group names bare. An entry with a
// domain is an AD account or group; one without is DS-native: a DS console
// account that signs in as `.\name`, or a DS group whose members are console
// users (securitygroupmember).
const (
	ConsoleUserBob    int64 = 14000001 // LAB\bob: personal denies beat his Techs allows
	ConsoleUserFrank  int64 = 14000002 // LAB\frank: a real tech who is not in the demo directory
	ConsoleUserKiosk  int64 = 14000003 // .\kiosk: a DS console account (DSAccounts)
	ConsoleUserOldBob int64 = 14000004 // OLDLAB\bob: same name, retired domain; must never be LAB\bob

	ConsoleGroupTechs          int64 = 15000001 // LAB\Techs
	ConsoleGroupImagingTechs   int64 = 15000002 // LAB\Imaging Techs (NetBIOS domain only)
	ConsoleGroupHelpdesk       int64 = 15000003 // LAB\Helpdesk
	ConsoleGroupDSAdmins       int64 = 15000004 // LAB\DS Admins (Administrative right)
	ConsoleGroupContractors    int64 = 15000005 // LAB\Contractors
	ConsoleGroupAdministrators int64 = 15000006 // Administrators@lab.example: DNS domain only, no demo user
	ConsoleGroupFinanceIT      int64 = 15000007 // LAB\Finance IT: no demo user is in it
	ConsoleGroupDomainUsers    int64 = 15000008 // LAB\Domain Users
	ConsoleGroupAllStaff       int64 = 15000009 // LAB\All Staff: a distribution group, never in tokenGroups
	ConsoleGroupBenchCrew      int64 = 15000010 // Bench Crew: DS-native, kiosk is its member
)

// oldDomain and oldDNSDomain name a retired domain: console entries in it
// share names with LAB's and must match nobody signing in to LAB.
const (
	oldDomain    = "OLDLAB"
	oldDNSDomain = "oldlab.example"
)

// Job folders (1,000,001 – 2,000,000).
const (
	FolderImageInvoker  int64 = 1000001
	FolderWindows11     int64 = 1000002
	FolderStudentLabs   int64 = 1000003
	FolderStaffLaptops  int64 = 1000004
	FolderWindows10     int64 = 1000005
	FolderFinance       int64 = 1000006
	FolderScience       int64 = 1000007
	FolderLibrary       int64 = 1000008
	FolderLinux         int64 = 1000009
	FolderUtilities     int64 = 1000010
	FolderServerBuilds  int64 = 1000020
	FolderMaintenance   int64 = 1000021
	FolderArchive       int64 = 1000022
	FolderArchiveWinXP  int64 = 1000023
	FolderArchiveRetire int64 = 1000024
)

// Jobs (2,000,001 – 3,000,000) that tests and documentation refer to.
const (
	JobWin11PhysicsLab     int64 = 2000001
	JobWin11ChemistryLab   int64 = 2000002
	JobWin11CSLab          int64 = 2000003
	JobWin11ArtLab         int64 = 2000004 // tagged with a friendly name inside the root
	JobStaffLaptopDell     int64 = 2000005
	JobStaffLaptopHP       int64 = 2000006
	JobWin10Finance        int64 = 2000007
	JobWin10Payroll        int64 = 2000008
	JobWin10ScienceLab     int64 = 2000009
	JobWin10LibraryCatalog int64 = 2000010
	JobWin10SelfCheckout   int64 = 2000011
	JobUbuntu2404Lab       int64 = 2000012
	JobUbuntu2204Lab       int64 = 2000013
	JobRocky9Workstation   int64 = 2000014
	JobBIOSUpdateDell      int64 = 2000015
	JobBIOSUpdateHP        int64 = 2000016
	JobDiskWipe            int64 = 2000017
	JobInventoryOnly       int64 = 2000018
	JobCaptureImage        int64 = 2000019
	JobRestoreLastCapture  int64 = 2000020 // its image_task row is missing on purpose
	JobShutDown            int64 = 2000021
	JobWin11Base           int64 = 2000022
	JobServer2022          int64 = 2000023 // outside the root, untagged
	JobServer2019          int64 = 2000024 // outside the root, untagged
	JobResetTPM            int64 = 2000025 // outside the root, `[imageinvoker]`
	JobFirmwareAudit       int64 = 2000026 // outside the root, `[ImageInvoker: Firmware audit (read-only)]`
	JobNightlyInventory    int64 = 2000027 // outside the root, untagged
	JobKioskRefresh        int64 = 2000028 // top level, `[IMAGEINVOKER: Kiosk refresh]`
	JobTestDoNotUse        int64 = 2000029 // top level, untagged
	JobWin7Lab             int64 = 2000030 // archive: mentions imageinvoker but not as a tag
	JobXPLab               int64 = 2000031 // archive
)

// Computer groups (1 – 1,000,000; All Computers is -1, New Computers -7).
const (
	GroupLabs      int64 = 1
	GroupPhysics   int64 = 2
	GroupChemistry int64 = 3
	GroupStaff     int64 = 4
	GroupFinance   int64 = 5
	GroupLibrary   int64 = 6
)

// Other demo computers (5,000,001 – 6,000,000) besides ComputerID.
const (
	ComputerPC043        int64 = 5000043
	ComputerChemPC01     int64 = 5000101
	ComputerLibPC07      int64 = 5000201 // a Library machine: eve's Library jobs show here
	ComputerFinLT12      int64 = 5000301 // a laptop with two NICs (dock and Wi-Fi)
	ComputerNewMachine   int64 = 5000401 // in New Computers, no asset tag yet
	ComputerStaffLT03    int64 = 5000402
	ComputerReception01  int64 = 5000501 // directly under All Computers (group_id NULL)
	Reception01MAC             = "0023245E0501"
	LibPC07MAC                 = "3C52820A1B07"
	FinLT12DockMAC             = "D0C1B5E2F012"
	FinLT12WiFiMAC             = "A4423B9C7D12"
	NewMachineMAC              = "0050569A4F21"
	demoComputerSerial         = "2217-4406-4631-0781-6912-2468-42"
	demoComputerUUID           = "6B29FC40-CA47-1067-B31D-00DD010662DA"
	demoComputerAssetTag       = "LAB-P-042"
	firstDemoScheduleID  int64 = model.FirstScheduleID
)

// IdentityFor is who the demo directory says the demo user sam is: `LAB\sam`
// with every security group it belongs to, nested ones and Domain Users
// included and distribution groups left out — what tokenGroups reports —
// and LAB's DNS name, so console entries stored with only their DNS domain
// can be compared. For `.\name` it is the demo DS console account of that
// name, as a DS-account sign-in reports it (no groups: DS-native groups
// are found through securitygroupmember, not the identity).
func IdentityFor(sam string) (model.Identity, error) {
	if model.IsDSAccountName(sam) {
		name := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(sam), model.DSAccountPrefix))
		for _, a := range DSAccounts {
			if strings.EqualFold(a.Name, name) {
				return model.Identity{User: a.User(), FullName: a.FullName, DSAccount: true}, nil
			}
		}
		return model.Identity{}, fmt.Errorf("demo identity: no demo DS console account %q (try %s)", sam, dsAccountNames())
	}
	for _, a := range Accounts {
		if !strings.EqualFold(a.Sam, sam) {
			continue
		}
		groups := map[string]bool{}
		var order []string
		var visit func(name string)
		visit = func(name string) {
			g, ok := groupByName(name)
			if !ok || g.Distribution || groups[g.Sam] {
				return
			}
			groups[g.Sam] = true
			order = append(order, Domain+`\`+g.Sam)
			for _, n := range g.Nested {
				visit(n)
			}
		}
		for _, g := range a.Groups {
			visit(g)
		}
		visit(DomainUsers)
		return model.Identity{User: Domain + `\` + a.Sam, FullName: a.DisplayName, Groups: order,
			Domains: []model.Domain{{NetBIOS: Domain, DNS: DNSDomain}}}, nil
	}
	return model.Identity{}, fmt.Errorf("demo identity: no demo user %q (try one of alice, bob, carol, dave, eve, or %s)", sam, dsAccountNames())
}

func dsAccountNames() string {
	var names []string
	for _, a := range DSAccounts {
		names = append(names, a.User())
	}
	return strings.Join(names, ", ")
}

func groupByName(name string) (Group, bool) {
	for _, g := range Groups {
		if strings.EqualFold(g.Sam, name) {
			return g, true
		}
	}
	return Group{}, false
}

// table is rows for one eXpress table, in column order. notes, when set,
// has one comment per row for DatasetSQL: cipher text is unreadable, so the
// reviewable copy says whose row it is.
type table struct {
	name  string
	cols  []string
	rows  [][]any
	notes []string
}

// datasetTables is the whole demo database. Rows use nil for SQL NULL.
func datasetTables() []table {
	ts := []table{
		{name: "securitypermission", cols: []string{"permission_id", "name", "description"}, rows: permissionRows()},
		{name: "event_folder", cols: []string{"folder_id", "parent_id", "name"}, rows: folderRows()},
	}
	jobs, tasks, images, reboots := jobTables()
	ts = append(ts, jobs, tasks, images, reboots)
	ts = append(ts, computerTables()...)
	ts = append(ts, securityTables()...)
	ts = append(ts, table{name: "event_schedule",
		cols: []string{"schedule_id", "computer_id", "event_id", "start_time", "status", "status_code", "user_name", "user_full_name"},
		rows: [][]any{
			// History, so the schedule id sequence is already past its first value.
			{firstDemoScheduleID, ComputerPC043, JobWin11PhysicsLab, "2025-09-01 07:42:00", "Job completed", 0, `LAB\alice`, "Alice Imaging"},
			{firstDemoScheduleID + 1, ComputerChemPC01, JobInventoryOnly, "2025-09-03 12:05:00", "Job completed", 0, `LAB\carol`, "Carol Helpdesk"},
		}})
	return ts
}

func folderRows() [][]any {
	return [][]any{
		{FolderImageInvoker, nil, RootFolderName},
		{FolderWindows11, FolderImageInvoker, "Windows 11"},
		{FolderStudentLabs, FolderWindows11, "Student Labs"},
		{FolderStaffLaptops, FolderWindows11, "Staff Laptops"},
		{FolderWindows10, FolderImageInvoker, "Windows 10"},
		{FolderFinance, FolderWindows10, "Finance"},
		{FolderScience, FolderWindows10, "Science"},
		{FolderLibrary, FolderWindows10, "Library"},
		{FolderLinux, FolderImageInvoker, "Linux"},
		{FolderUtilities, FolderImageInvoker, "Utilities"},
		{FolderServerBuilds, nil, "Server Builds"},
		{FolderMaintenance, nil, "Maintenance"},
		{FolderArchive, nil, "Archive"},
		{FolderArchiveWinXP, FolderArchive, "Windows XP"},
		{FolderArchiveRetire, FolderArchive, "Retired 2019"},
	}
}

// demoTask is one task of a demo job; create/power are the per-type detail
// rows (nil: no row, which access must treat as "could be either"); power
// is reboot_task.reboot_method.
type demoTask struct {
	typ    int
	create *bool
	power  *int
}

func distribute() demoTask { f := false; return demoTask{typ: model.TaskImage, create: &f} }
func capture() demoTask    { t := true; return demoTask{typ: model.TaskImage, create: &t} }
func power(p int) demoTask { return demoTask{typ: model.TaskPowerControl, power: &p} }
func reboot() demoTask     { return power(model.PowerReboot) }
func script() demoTask     { return demoTask{typ: model.TaskRunScript} }
func osInstall() demoTask  { return demoTask{typ: model.TaskScriptedInstall} }
func inventory() demoTask  { return demoTask{typ: model.TaskInventory} }

type demoJob struct {
	id     int64
	folder int64 // 0: top level (NULL)
	name   string
	desc   string
	tasks  []demoTask
}

func demoJobs() []demoJob {
	lostRow := demoTask{typ: model.TaskImage} // image_task row lost in the DS 6.5 migration
	return []demoJob{
		{JobWin11PhysicsLab, FolderStudentLabs, "Win11 Physics Lab",
			"Windows 11 23H2 for rooms P1.04 and P1.06: Logger Pro, LabVIEW runtime, PASCO Capstone. Image PHYS-W11-2025-08.img. Reboots into Windows when done.",
			[]demoTask{distribute(), reboot()}},
		{JobWin11ChemistryLab, FolderStudentLabs, "Win11 Chemistry Lab",
			"Windows 11 23H2 for C2.10. ChemDraw licence is applied by the post-image script (needs the lab VLAN).",
			[]demoTask{distribute(), script(), reboot()}},
		{JobWin11CSLab, FolderStudentLabs, "Win11 Computer Science Lab",
			"Windows 11 with VS Code, Python 3.12, Git, WSL feature enabled. Script renames the PC from the asset tag.",
			[]demoTask{distribute(), script(), reboot()}},
		{JobWin11ArtLab, FolderStudentLabs, "Win11 Art & Design Lab (Adobe CC 2025)",
			"Large image (~140 GB). Takes about 45 minutes on gigabit. [ImageInvoker: Win11 Art Lab (large image, ~45 min)]",
			[]demoTask{distribute(), reboot()}},
		{JobStaffLaptopDell, FolderStaffLaptops, "Win11 Staff Laptop (Dell Latitude 7440)",
			"Staff build with Office, Teams, VPN client. Post-image script joins the domain into OU=Staff Laptops; BitLocker starts on first login.",
			[]demoTask{distribute(), script(), reboot()}},
		{JobStaffLaptopHP, FolderStaffLaptops, "Win11 Staff Laptop (HP EliteBook 840 G10)",
			"Same build as the Dell one, HP driver pack 2025-06. Dock the laptop: Wi-Fi PXE does not work.",
			[]demoTask{distribute(), script(), reboot()}},
		{JobWin10Finance, FolderFinance, "Win10 Finance Desktop",
			"Windows 10 22H2 LTSC with SAP GUI 7.70 and the finance printers. Until the SAP upgrade; ask Finance IT before using.",
			[]demoTask{distribute(), reboot()}},
		{JobWin10Payroll, FolderFinance, "Win10 Payroll Workstation",
			"Payroll build. The script installs the smart card middleware.",
			[]demoTask{distribute(), script(), reboot()}},
		{JobWin10ScienceLab, FolderScience, "Win10 Science Lab (legacy instruments)",
			"Kept on Windows 10 for the spectrometer software that has no Windows 11 driver.",
			[]demoTask{distribute(), script(), reboot()}},
		{JobWin10LibraryCatalog, FolderLibrary, "Win10 Library Catalogue PC",
			"Locked-down catalogue search, auto-logon kiosk account.",
			[]demoTask{distribute(), reboot()}},
		{JobWin10SelfCheckout, FolderLibrary, "Win10 Library Self-Checkout",
			"Self-checkout station with the RFID pad driver.",
			[]demoTask{distribute(), reboot()}},
		{JobUbuntu2404Lab, FolderLinux, "Ubuntu 24.04 Lab",
			"Autoinstall from the PXE mirror, then reboot. Disk is wiped.",
			[]demoTask{osInstall(), reboot()}},
		{JobUbuntu2204Lab, FolderLinux, "Ubuntu 22.04 Lab (legacy)",
			"Only for the robotics room until ROS 2 Jazzy is validated.",
			[]demoTask{osInstall(), script()}},
		{JobRocky9Workstation, FolderLinux, "Rocky Linux 9 Workstation",
			"Kickstart install for the HPC login workstations; script enrols the machine in IdM.",
			[]demoTask{osInstall(), script(), reboot()}},
		{JobBIOSUpdateDell, FolderUtilities, "BIOS update (Dell)",
			"Flashes the latest BIOS from \\\\ds01\\express\\bios\\dell with the BIOS password. Leave AC power connected.",
			[]demoTask{script(), reboot()}},
		{JobBIOSUpdateHP, FolderUtilities, "BIOS update (HP)",
			"HP BIOS via HPQFlash. Laptops need the charger.",
			[]demoTask{script(), reboot()}},
		{JobDiskWipe, FolderUtilities, "Disk wipe (DoD 3-pass)",
			"DESTROYS ALL DATA. Three-pass overwrite for disposal, then shuts down. Log the asset tag on the disposal sheet. [imageinvoker: erases]",
			[]demoTask{script(), power(model.PowerShutdown)}},
		{JobInventoryOnly, FolderUtilities, "Inventory only",
			"Collects hardware inventory, changes nothing.",
			[]demoTask{inventory()}},
		{JobCaptureImage, FolderUtilities, "Capture image",
			"Captures the disk to \\\\ds01\\express\\images\\capture\\%NAME%.img. Sysprep the reference machine first.",
			[]demoTask{capture(), reboot()}},
		{JobRestoreLastCapture, FolderUtilities, "Restore last capture",
			"Re-deploys the last captured image. Imported from the old DS 6.5 server.",
			[]demoTask{lostRow, reboot()}},
		{JobShutDown, FolderUtilities, "Shut down",
			"Turns the machine off, e.g. after a BIOS update left it on.",
			[]demoTask{power(model.PowerShutdown)}},
		{JobWin11Base, FolderWindows11, "Win11 Base (no apps)",
			"Plain Windows 11 23H2 with drivers only, for testing.",
			[]demoTask{distribute(), reboot()}},
		{JobServer2022, FolderServerBuilds, "Windows Server 2022 Standard",
			"Unattended install for VM hosts. Server team only.",
			[]demoTask{osInstall(), reboot()}},
		{JobServer2019, FolderServerBuilds, "Windows Server 2019 Standard (retired)",
			"Do not use, kept for the rebuild of ds01.",
			[]demoTask{osInstall()}},
		{JobResetTPM, FolderMaintenance, "Reset TPM and BitLocker",
			"Clears the TPM and suspends BitLocker before a motherboard swap. [imageinvoker]",
			[]demoTask{script(), reboot()}},
		{JobFirmwareAudit, FolderMaintenance, "FW-AUDIT-v3",
			"Reads firmware versions into inventory. [ImageInvoker: Firmware audit (read-only)]",
			[]demoTask{inventory()}},
		{JobNightlyInventory, FolderMaintenance, "Nightly inventory sweep",
			"Scheduled by the server every night at 02:00.",
			[]demoTask{inventory()}},
		{JobKioskRefresh, 0, "Kiosk refresh (reception)",
			"Re-images the reception kiosks overnight. [IMAGEINVOKER: Kiosk refresh]",
			[]demoTask{distribute(), reboot()}},
		{JobTestDoNotUse, 0, "test job - do not use",
			"",
			[]demoTask{script()}},
		{JobWin7Lab, FolderArchiveRetire, "Win7 Lab (2015)",
			"Kept for reference; see the imageinvoker wiki page before deleting.",
			[]demoTask{distribute(), reboot()}},
		{JobXPLab, FolderArchiveWinXP, "XP Lab 2009",
			"",
			[]demoTask{distribute()}},
	}
}

func jobTables() (jobs, tasks, images, reboots table) {
	jobs = table{name: "event", cols: []string{"event_id", "name", "folder_id", "description"}}
	tasks = table{name: "task", cols: []string{"event_id", "cond_seq", "task_seq", "task_type"}}
	images = table{name: "image_task", cols: []string{"event_id", "cond_seq", "task_seq", "create_image"}}
	reboots = table{name: "reboot_task", cols: []string{"event_id", "cond_seq", "task_seq", "reboot_method", "force"}}
	for _, j := range demoJobs() {
		var folder, desc any
		if j.folder != 0 {
			folder = j.folder
		}
		if j.desc != "" {
			desc = j.desc
		}
		jobs.rows = append(jobs.rows, []any{j.id, j.name, folder, desc})
		for i, t := range j.tasks {
			seq := i + 1
			tasks.rows = append(tasks.rows, []any{j.id, 1, seq, t.typ})
			if t.create != nil {
				images.rows = append(images.rows, []any{j.id, 1, seq, boolInt(*t.create)})
			}
			if t.power != nil {
				// force 0 (applications may close on their own): no demo story depends on it.
				reboots.rows = append(reboots.rows, []any{j.id, 1, seq, *t.power, 0})
			}
		}
	}
	return jobs, tasks, images, reboots
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func computerTables() []table {
	groups := table{name: "computer_group", cols: []string{"group_id", "parent_id", "name"}, rows: [][]any{
		{GroupLabs, nil, "Labs"},
		{GroupPhysics, GroupLabs, "Physics"},
		{GroupChemistry, GroupLabs, "Chemistry"},
		{GroupStaff, nil, "Staff"},
		{GroupFinance, GroupStaff, "Finance"},
		{GroupLibrary, nil, "Library"},
		{model.NewComputersGroupID, nil, "New Computers"},
	}}
	computers := table{name: "computer", cols: []string{"computer_id", "name", "group_id", "serial_num", "asset_tag", "uuid"}, rows: [][]any{
		{int64(ComputerID), ComputerName, GroupPhysics, demoComputerSerial, demoComputerAssetTag, demoComputerUUID},
		{ComputerPC043, "PC-043", GroupPhysics, "2217-4406-4631-0781-6912-2468-43", "LAB-P-043", "6B29FC40-CA47-1067-B31D-00DD010662DB"},
		{ComputerChemPC01, "CHEM-PC-01", GroupChemistry, "CZC3481KQ7", "LAB-C-001", "4C4C4544-0042-3510-8052-B7C04F4B3332"},
		{ComputerLibPC07, "LIB-PC-07", GroupLibrary, "MJ0F7Q2A", "LIB-007", "2D5A1F00-8C31-11EC-8000-3C52820A1B07"},
		{ComputerFinLT12, "FIN-LT-12", GroupFinance, "5CG4071XYZ", "FIN-012", "8A3E2C10-4F6B-4B8E-9E0A-D0C1B5E2F012"},
		{ComputerNewMachine, "MININT-4Q7K2PA", model.NewComputersGroupID, "VMware-56 4d 9a 4f 21 0e 7c 1b", nil, "564D9A4F-210E-7C1B-3A8E-0050569A4F21"},
		{ComputerStaffLT03, "STAFF-LT-03", GroupStaff, "7HX2KD3", "STF-003", "4C4C4544-0048-5810-8032-B7C04F4B3233"},
		// Never put in a group: DS stores that as NULL, and its permissions
		// come from All Computers (object -1) alone.
		{ComputerReception01, "RECEPTION-01", nil, "8CG3302KQS", "REC-001", "9F1C7B20-5E4A-4C11-A0B3-0023245E0501"},
	}}
	nics := table{name: "nics", cols: []string{"computer_id", "nic_id", "mac_addr"}, rows: [][]any{
		{int64(ComputerID), 1, ComputerMAC},
		{ComputerPC043, 1, "00155D2A0043"},
		{ComputerChemPC01, 1, "F8B156A3C201"},
		{ComputerLibPC07, 1, LibPC07MAC},
		{ComputerFinLT12, 1, FinLT12DockMAC},
		{ComputerFinLT12, 2, FinLT12WiFiMAC},
		{ComputerNewMachine, 1, NewMachineMAC},
		{ComputerStaffLT03, 1, "54BF64A1D303"},
		{ComputerReception01, 1, Reception01MAC},
	}}
	return []table{groups, computers, nics}
}

// link is one securitypermissionlink row.
type link struct {
	perm      int
	principal int64
	object    int64
	allow     bool
}

func allow(perm int, principal, object int64) link { return link{perm, principal, object, true} }
func deny(perm int, principal, object int64) link  { return link{perm, principal, object, false} }

// demoLinks are the explicit allows and denies that make the stories of
// demo.Accounts come true on PC-042 (Labs/Physics). See dataset_story_test.go for
// the menus they produce.
func demoLinks() []link {
	all := model.AllComputersGroupID
	ls := []link{
		// "Schedule this job" (66) on folders and jobs.
		allow(model.PermScheduleJob, ConsoleGroupTechs, FolderWindows11),
		allow(model.PermScheduleJob, ConsoleGroupTechs, FolderStaffLaptops),
		// Rule 3: bob's own deny beats his group's allow at the same level.
		deny(model.PermScheduleJob, ConsoleUserBob, FolderStaffLaptops),
		allow(model.PermScheduleJob, ConsoleGroupTechs, FolderWindows10),
		allow(model.PermScheduleJob, ConsoleGroupImagingTechs, FolderWindows10),
		deny(model.PermScheduleJob, ConsoleUserBob, FolderWindows10),
		allow(model.PermScheduleJob, ConsoleGroupFinanceIT, FolderFinance),
		allow(model.PermScheduleJob, ConsoleGroupContractors, FolderLibrary),
		allow(model.PermScheduleJob, ConsoleGroupImagingTechs, FolderLinux),
		allow(model.PermScheduleJob, ConsoleGroupTechs, FolderUtilities),
		allow(model.PermScheduleJob, ConsoleGroupHelpdesk, FolderUtilities),
		// Rule 4: alice is in both groups; the deny wins at the job's level.
		allow(model.PermScheduleJob, ConsoleGroupTechs, JobDiskWipe),
		deny(model.PermScheduleJob, ConsoleGroupImagingTechs, JobDiskWipe),
		// Rule 1: an administrator can't be denied.
		deny(model.PermScheduleJob, ConsoleGroupDSAdmins, JobDiskWipe),
		allow(model.PermScheduleJob, ConsoleGroupTechs, FolderServerBuilds),
		allow(model.PermScheduleJob, ConsoleGroupTechs, FolderMaintenance),
		allow(model.PermScheduleJob, ConsoleGroupHelpdesk, JobFirmwareAudit),
		allow(model.PermScheduleJob, ConsoleGroupTechs, JobKioskRefresh),
		allow(model.PermScheduleJob, ConsoleUserFrank, FolderImageInvoker),
		// A trap for the directory: All Staff is a distribution group, so it
		// must never reach the identity; if it did, eve would see Inventory only.
		allow(model.PermScheduleJob, ConsoleGroupAllStaff, FolderImageInvoker),

		// Task permissions on computer groups and All Computers.
		allow(model.PermDistributeImage, ConsoleGroupTechs, all),
		allow(model.PermReboot, ConsoleGroupTechs, all),
		allow(model.PermRunScript, ConsoleGroupTechs, all),
		allow(model.PermShutdown, ConsoleGroupTechs, all),
		allow(model.PermGetInventory, ConsoleGroupTechs, all),
		allow(model.PermCreateImage, ConsoleGroupImagingTechs, all),
		allow(model.PermScriptedInstall, ConsoleGroupImagingTechs, all),
		allow(model.PermRunScript, ConsoleGroupHelpdesk, all),
		allow(model.PermReboot, ConsoleGroupHelpdesk, all),
		allow(model.PermGetInventory, ConsoleGroupHelpdesk, all),
		deny(model.PermShutdown, ConsoleGroupHelpdesk, all),
		allow(model.PermGetInventory, ConsoleGroupDomainUsers, all),
		allow(model.PermDistributeImage, ConsoleGroupContractors, all),
		allow(model.PermReboot, ConsoleGroupContractors, all),
		// Contractors may re-image Library machines, never lab machines.
		deny(model.PermDistributeImage, ConsoleGroupContractors, GroupLabs),
		allow(model.PermDistributeImage, ConsoleGroupFinanceIT, GroupFinance),
		allow(model.PermReboot, ConsoleGroupFinanceIT, GroupFinance),
		allow(model.PermRunScript, ConsoleGroupFinanceIT, GroupFinance),
		allow(model.PermCreateImage, ConsoleUserFrank, GroupLabs),
		allow(model.PermDistributeImage, ConsoleUserFrank, GroupLabs),

		// A trap for name matching: bob of a retired domain. If he were
		// taken for LAB\bob, bob would lose the Windows 11 lab builds.
		deny(model.PermScheduleJob, ConsoleUserOldBob, FolderWindows11),
		deny(model.PermReboot, ConsoleUserOldBob, all),

		// The DS console account kiosk: inventory anywhere through its DS
		// group, and the kiosk re-image on its own, only on RECEPTION-01 (a
		// computer in no group). On PC-042 that is two jobs, three there.
		allow(model.PermScheduleJob, ConsoleGroupBenchCrew, JobInventoryOnly),
		allow(model.PermScheduleJob, ConsoleGroupBenchCrew, JobFirmwareAudit),
		allow(model.PermGetInventory, ConsoleGroupBenchCrew, all),
		allow(model.PermScheduleJob, ConsoleUserKiosk, JobKioskRefresh),
		allow(model.PermDistributeImage, ConsoleUserKiosk, ComputerReception01),
		allow(model.PermReboot, ConsoleUserKiosk, ComputerReception01),
	}
	return ls
}

func securityTables() []table {
	users := table{name: "securityuser",
		cols: []string{"user_id", "username", "fullname", "domain", "netbiosdomain", "password"}}
	ntUser := func(id int64, netbios, dns, name, full string) {
		users.rows = append(users.rows, []any{id, dscipher.Encrypt(name), full, dns, netbios, nil})
		users.notes = append(users.notes, netbios+`\`+name)
	}
	ntUser(ConsoleUserBob, Domain, DNSDomain, "bob", "Bob Desktop")
	ntUser(ConsoleUserFrank, Domain, DNSDomain, "frank", "Frank Field")
	members := table{name: "securitygroupmember", cols: []string{"group_id", "user_id"}}
	for _, a := range DSAccounts {
		users.rows = append(users.rows, []any{a.ID, dscipher.Encrypt(a.Name), a.FullName, nil, nil, dscipher.Encrypt(a.Password)})
		users.notes = append(users.notes, a.User()+", password "+a.Password)
		for _, g := range a.ConsoleGroups {
			members.rows = append(members.rows, []any{g, a.ID})
		}
	}
	ntUser(ConsoleUserOldBob, oldDomain, oldDNSDomain, "bob", "Bob (old domain)")
	// Groups picked from the domain carry its NetBIOS and DNS names; one
	// has only the NetBIOS name and Administrators only the DNS name, as
	// older and newer consoles store them.
	groups := table{name: "securitygroup", cols: []string{"group_id", "name", "ad_group_domain", "ad_group_netbiosdomain"}, rows: [][]any{
		{ConsoleGroupTechs, "Techs", DNSDomain, Domain},
		{ConsoleGroupImagingTechs, "Imaging Techs", nil, Domain},
		{ConsoleGroupHelpdesk, "Helpdesk", DNSDomain, Domain},
		{ConsoleGroupDSAdmins, "DS Admins", DNSDomain, Domain},
		{ConsoleGroupContractors, "Contractors", DNSDomain, Domain},
		{ConsoleGroupAdministrators, "Administrators", DNSDomain, nil},
		{ConsoleGroupFinanceIT, "Finance IT", DNSDomain, Domain},
		{ConsoleGroupDomainUsers, "Domain Users", DNSDomain, Domain},
		{ConsoleGroupAllStaff, "All Staff", DNSDomain, Domain},
		{ConsoleGroupBenchCrew, "Bench Crew", nil, nil},
	}}
	rights := table{name: "securityprivilegelink", cols: []string{"user_id", "privilege_id"}, rows: [][]any{
		{ConsoleGroupAdministrators, model.RightAdministrative},
		{ConsoleGroupDSAdmins, model.RightAdministrative},
	}}
	links := table{name: "securitypermissionlink", cols: []string{"permission_id", "user_id", "object_id", "allow"}}
	for _, l := range demoLinks() {
		links.rows = append(links.rows, []any{l.perm, l.principal, l.object, boolInt(l.allow)})
	}
	return []table{users, groups, members, rights, links}
}

// DatasetSQL is the demo dataset as INSERT statements, one a line, for
// reviewing it and for loading it with express.LoadFixture after the schema.
// The Go tables above are the source of truth; testdata/demo/express.sql is
// this text, kept in sync by a test.
func DatasetSQL() string {
	var b strings.Builder
	b.WriteString("-- The ImageInvoker demo eXpress dataset. Generated from internal/demo/dataset.go by\n")
	b.WriteString("-- `go test ./internal/demo -run TestDatasetSQLFixture -update`; do not edit by hand.\n")
	for _, t := range datasetTables() {
		fmt.Fprintf(&b, "\n-- %s\n", t.name)
		for i, r := range t.rows {
			vals := make([]string, len(r))
			for k, v := range r {
				vals[k] = sqlLiteral(v)
			}
			note := ""
			if i < len(t.notes) && t.notes[i] != "" {
				note = " -- " + t.notes[i]
			}
			fmt.Fprintf(&b, "INSERT INTO %s(%s) VALUES(%s);%s\n", t.name, strings.Join(t.cols, ", "), strings.Join(vals, ", "), note)
		}
	}
	return b.String()
}

func sqlLiteral(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		return "'" + strings.ReplaceAll(x, "'", "''") + "'"
	default:
		return fmt.Sprint(x)
	}
}
