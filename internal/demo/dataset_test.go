package demo

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/pkg/dscipher"
	"github.com/imageinvoker/imageinvoker/pkg/express/expresstest"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// openDataset creates a fresh store file with the schema and the dataset.
func openDataset(t *testing.T) *sql.DB {
	t.Helper()
	ctx := context.Background()
	url, err := NewStore(ctx, t.TempDir())
	if err != nil {
		t.Fatalf("NewStore: %v", err)
	}
	db, err := sql.Open("sqlite", strings.TrimPrefix(url, "sqlite:"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestDatasetLoads(t *testing.T) {
	db := openDataset(t)
	tests := []struct {
		name  string
		query string
		want  int
	}{
		{"81 permissions", "SELECT COUNT(*) FROM securitypermission", TotalPermissions},
		{"every job", "SELECT COUNT(*) FROM event", len(demoJobs())},
		{"every folder", "SELECT COUNT(*) FROM event_folder", len(folderRows())},
		{"every link", "SELECT COUNT(*) FROM securitypermissionlink", len(demoLinks())},
		{"two admin groups", "SELECT COUNT(*) FROM securityprivilegelink WHERE privilege_id = 1", 2},
		{"the demo machine by MAC", "SELECT COUNT(*) FROM nics WHERE mac_addr = '" + ComputerMAC + "' AND computer_id = 5000042", 1},
		{"a machine with two NICs", "SELECT COUNT(*) FROM nics WHERE computer_id = 5000301", 2},
		{"a computer in New Computers", "SELECT COUNT(*) FROM computer WHERE group_id = -7", 1},
		{"the lost image_task row", "SELECT COUNT(*) FROM task t LEFT JOIN image_task i ON i.event_id = t.event_id AND i.cond_seq = t.cond_seq AND i.task_seq = t.task_seq WHERE t.task_type = 15 AND i.event_id IS NULL", 1},
		{"power tasks all have a reboot_task row", "SELECT COUNT(*) FROM task t LEFT JOIN reboot_task r ON r.event_id = t.event_id AND r.cond_seq = t.cond_seq AND r.task_seq = t.task_seq WHERE t.task_type = 11 AND r.event_id IS NULL", 0},
		{"jobs without a folder are top level", "SELECT COUNT(*) FROM event WHERE folder_id IS NULL", 2},
		{"every job folder reference resolves", "SELECT COUNT(*) FROM event e LEFT JOIN event_folder f ON f.folder_id = e.folder_id WHERE e.folder_id IS NOT NULL AND f.folder_id IS NULL", 0},
		{"every folder parent resolves", "SELECT COUNT(*) FROM event_folder c LEFT JOIN event_folder p ON p.folder_id = c.parent_id WHERE c.parent_id IS NOT NULL AND p.folder_id IS NULL", 0},
		{"every task has its job", "SELECT COUNT(*) FROM task t LEFT JOIN event e ON e.event_id = t.event_id WHERE e.event_id IS NULL", 0},
		{"every computer group resolves", "SELECT COUNT(*) FROM computer c LEFT JOIN computer_group g ON g.group_id = c.group_id WHERE c.group_id IS NOT NULL AND g.group_id IS NULL", 0},
		{"a computer directly under All Computers", "SELECT COUNT(*) FROM computer WHERE group_id IS NULL", 1},
		{"reboot_task rows carry reboot_method", "SELECT COUNT(*) FROM reboot_task WHERE reboot_method NOT IN (1, 2, 8, 64)", 0},
		{"group names are bare and fit DS's 50 characters", "SELECT COUNT(*) FROM securitygroup WHERE name LIKE '%\\%' OR LENGTH(name) > 50", 0},
		{"a group linked by its DNS domain only", "SELECT COUNT(*) FROM securitygroup WHERE ad_group_domain IS NOT NULL AND ad_group_netbiosdomain IS NULL", 1},
		{"members only in DS-native groups", "SELECT COUNT(*) FROM securitygroupmember m JOIN securitygroup g ON g.group_id = m.group_id WHERE g.ad_group_domain IS NOT NULL OR g.ad_group_netbiosdomain IS NOT NULL", 0},
		{"every member is a console user", "SELECT COUNT(*) FROM securitygroupmember WHERE user_id NOT IN (SELECT user_id FROM securityuser)", 0},
		{"passwords only on DS console accounts", "SELECT COUNT(*) FROM securityuser WHERE password IS NOT NULL AND (domain IS NOT NULL OR netbiosdomain IS NOT NULL)", 0},
		{"every link principal exists", "SELECT COUNT(*) FROM securitypermissionlink l WHERE l.user_id NOT IN (SELECT user_id FROM securityuser) AND l.user_id NOT IN (SELECT group_id FROM securitygroup)", 0},
		{"66 only on jobs and folders", "SELECT COUNT(*) FROM securitypermissionlink WHERE permission_id = 66 AND NOT (object_id BETWEEN 1000001 AND 3000000)", 0},
		{"task permissions only on computers and groups", "SELECT COUNT(*) FROM securitypermissionlink WHERE permission_id <> 66 AND NOT (object_id BETWEEN -7 AND 1000000 OR object_id BETWEEN 5000001 AND 6000000)", 0},
		{"every task type is a DS task type", "SELECT COUNT(*) FROM task WHERE task_type NOT BETWEEN 10 AND 19", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := expresstest.Scalar[int](t, db, tc.query); got != tc.want {
				t.Errorf("%s = %d, want %d", tc.query, got, tc.want)
			}
		})
	}
}

func TestDatasetIDRanges(t *testing.T) {
	db := openDataset(t)
	tests := []struct {
		name   string
		query  string
		lo, hi int64
		extra  []int64 // ids allowed outside the range
	}{
		{"computer groups", "SELECT group_id FROM computer_group", 1, 1000000, []int64{model.NewComputersGroupID}},
		{"job folders", "SELECT folder_id FROM event_folder", 1000001, 2000000, nil},
		{"jobs", "SELECT event_id FROM event", 2000001, 3000000, nil},
		{"computers", "SELECT computer_id FROM computer", 5000001, 6000000, nil},
		{"console users", "SELECT user_id FROM securityuser", 14000001, 15000000, nil},
		{"console groups", "SELECT group_id FROM securitygroup", 15000001, 16000000, nil},
		{"schedules", "SELECT schedule_id FROM event_schedule", model.FirstScheduleID, model.LastScheduleID, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := db.Query(tc.query)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			n := 0
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					t.Fatal(err)
				}
				n++
				ok := id >= tc.lo && id <= tc.hi
				for _, e := range tc.extra {
					ok = ok || id == e
				}
				if !ok {
					t.Errorf("id %d outside %d–%d", id, tc.lo, tc.hi)
				}
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				t.Errorf("%s: no rows", tc.query)
			}
		})
	}
}

func TestDatasetPermissionNames(t *testing.T) {
	db := openDataset(t)
	tests := []struct {
		id   int
		want string
	}{
		{model.PermScheduleJob, "Schedule this job"},
		{model.PermCreateImage, "Schedule: Create disk image"},
		{model.PermDistributeImage, "Schedule: Distribute disk image"},
		{model.PermRunScript, "Schedule: Run script"},
		{model.PermScriptedInstall, "Schedule: Scripted OS install"},
		{model.PermReboot, "Schedule: Reboot"},
		{model.PermGetInventory, "Schedule: Get inventory"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			var name string
			if err := db.QueryRow("SELECT name FROM securitypermission WHERE permission_id = ?", tc.id).Scan(&name); err != nil {
				t.Fatal(err)
			}
			if name != tc.want {
				t.Errorf("permission %d = %q, want %q", tc.id, name, tc.want)
			}
		})
	}
	if n := expresstest.Scalar[int](t, db, "SELECT COUNT(DISTINCT name) FROM securitypermission"); n != TotalPermissions {
		t.Errorf("%d distinct permission names, want %d", n, TotalPermissions)
	}
}

// TestDatasetConsoleUsers reads securityuser back through the DS cipher: the
// names and passwords must be what the demo accounts say, not plain text.
func TestDatasetConsoleUsers(t *testing.T) {
	db := openDataset(t)
	rows, err := db.Query("SELECT user_id, username, COALESCE(netbiosdomain, ''), COALESCE(domain, ''), COALESCE(password, '') FROM securityuser ORDER BY user_id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[int64]string{}
	passwords := map[int64]string{}
	for rows.Next() {
		var id int64
		var user, netbios, dns, pass string
		if err := rows.Scan(&id, &user, &netbios, &dns, &pass); err != nil {
			t.Fatal(err)
		}
		name, err := dscipher.DecryptText(user)
		if err != nil {
			t.Fatalf("user %d: username %q does not decrypt: %v", id, user, err)
		}
		if name == user {
			t.Errorf("user %d: username stored in plain text", id)
		}
		got[id] = netbios + `\` + name + "@" + dns
		passwords[id] = pass
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := map[int64]string{
		ConsoleUserBob:    `LAB\bob@lab.example`,
		ConsoleUserFrank:  `LAB\frank@lab.example`,
		ConsoleUserOldBob: `OLDLAB\bob@oldlab.example`,
		ConsoleUserKiosk:  `\kiosk@`,
	}
	if len(got) != len(want) {
		t.Errorf("console users %v, want %v", got, want)
	}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("user %d = %q, want %q", id, got[id], w)
		}
	}
	for _, a := range DSAccounts {
		if !dscipher.Equal(a.Password, passwords[a.ID]) {
			t.Errorf("%s: stored password is not %q through the DS cipher", a.User(), a.Password)
		}
		if dscipher.Equal(a.Password+"x", passwords[a.ID]) {
			t.Errorf("%s: a wrong password compares equal", a.User())
		}
	}
}

func TestNewStoreReplacesOldFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	first, err := NewStore(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	// A technician's queued job must not survive a demo restart.
	db, err := sql.Open("sqlite", strings.TrimPrefix(first, "sqlite:"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("INSERT INTO event_schedule(schedule_id, computer_id, event_id) VALUES(100000099, 5000042, 2000001)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	second, err := NewStore(ctx, dir)
	if err != nil {
		t.Fatalf("second NewStore: %v", err)
	}
	if first != second || second != "sqlite:"+filepath.Join(dir, StoreFile) {
		t.Errorf("urls %q, %q; want sqlite:%s", first, second, filepath.Join(dir, StoreFile))
	}
	db, err = sql.Open("sqlite", strings.TrimPrefix(second, "sqlite:"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n := expresstest.Scalar[int](t, db, "SELECT COUNT(*) FROM event_schedule"); n != 2 {
		t.Errorf("%d schedules after restart, want the 2 of the dataset", n)
	}
}

func TestCreateDatasetTwiceFailsAndChangesNothing(t *testing.T) {
	db := openDataset(t)
	before := expresstest.Scalar[int](t, db, "SELECT COUNT(*) FROM event")
	err := CreateDataset(context.Background(), db)
	if err == nil {
		t.Fatal("CreateDataset on a filled database succeeded, want a duplicate-key error")
	}
	if !strings.Contains(err.Error(), "create demo dataset") {
		t.Errorf("error %q does not say what failed", err)
	}
	if after := expresstest.Scalar[int](t, db, "SELECT COUNT(*) FROM event"); after != before {
		t.Errorf("jobs %d → %d after a failed load", before, after)
	}
	if n := expresstest.Scalar[int](t, db, "SELECT COUNT(*) FROM securitypermission"); n != TotalPermissions {
		t.Errorf("permissions %d after a failed load", n)
	}
}

func TestIdentityFor(t *testing.T) {
	tests := []struct {
		sam       string
		user      string
		want      []string
		dsAccount bool
		wantErr   bool
	}{
		{sam: "alice", user: `LAB\alice`, want: []string{`LAB\Imaging Techs`, `LAB\Techs`, `LAB\Domain Users`}},
		{sam: "bob", user: `LAB\bob`, want: []string{`LAB\Techs`, `LAB\Domain Users`}},
		{sam: "eve", user: `LAB\eve`, want: []string{`LAB\Contractors`, `LAB\Domain Users`}},
		{sam: `.\kiosk`, user: `.\kiosk`, dsAccount: true},
		{sam: `.\KIOSK`, user: `.\kiosk`, dsAccount: true},
		// kiosk is no AD user, and alice no DS console account.
		{sam: "kiosk", wantErr: true},
		{sam: `.\alice`, wantErr: true},
		{sam: "nobody", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.sam, func(t *testing.T) {
			id, err := IdentityFor(tc.sam)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("IdentityFor(%q) = %+v, want an error", tc.sam, id)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if id.User != tc.user || id.DSAccount != tc.dsAccount {
				t.Errorf("user %q (DS account %v), want %q (%v)", id.User, id.DSAccount, tc.user, tc.dsAccount)
			}
			if strings.Join(id.Groups, "|") != strings.Join(tc.want, "|") {
				t.Errorf("groups %q, want %q", id.Groups, tc.want)
			}
			if !tc.dsAccount && id.DNSOf(Domain) != DNSDomain {
				t.Errorf("domains %+v: %s's DNS name missing", id.Domains, Domain)
			}
		})
	}
}
