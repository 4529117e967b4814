package express_test

import (
	"context"
	"errors"
	"reflect"
	"sort"
	"testing"

	"github.com/imageinvoker/imageinvoker/pkg/express"
	"github.com/imageinvoker/imageinvoker/pkg/express/expresstest"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

var tech1 = model.Identity{User: `LAB\tech1`, FullName: "Tech One", Groups: []string{`LAB\Imaging Techs`, `LAB\Domain Users`},
	Domains: []model.Domain{{NetBIOS: "LAB", DNS: "lab.example"}}}

func basicStore(t *testing.T) *express.Store {
	t.Helper()
	return expresstest.New(t, expresstest.Fixture(t, "basic.sql"))
}

func pc01(t *testing.T, s *express.Store) model.Computer {
	t.Helper()
	c, err := s.FindComputer(context.Background(), model.ComputerKey{By: model.MatchComputerID, ID: 5000001})
	if err != nil {
		t.Fatalf("find PC-01: %v", err)
	}
	return c
}

func bp(b bool) *bool { return &b }
func ip(i int) *int   { return &i }

func jobIDs(jobs map[int64]*model.Job) []int64 {
	var ids []int64
	for id := range jobs {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

func sortLinks(l []model.Link) []model.Link {
	out := append([]model.Link(nil), l...)
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.PermissionID != b.PermissionID {
			return a.PermissionID < b.PermissionID
		}
		if a.PrincipalID != b.PrincipalID {
			return a.PrincipalID < b.PrincipalID
		}
		return a.ObjectID < b.ObjectID
	})
	return out
}

func TestSnapshotContents(t *testing.T) {
	s := basicStore(t)
	ctx := context.Background()
	c := pc01(t, s)
	snap, err := s.Snapshot(ctx, c, tech1, express.SnapshotOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !snap.SecurityOn {
		t.Error("SecurityOn = false; console users exist so auto means on")
	}
	if snap.RootFolderID != 1000001 {
		t.Errorf("RootFolderID = %d, want the top-level ImageInvoker 1000001", snap.RootFolderID)
	}
	if len(snap.Folders) != 6 || snap.Folders[1000003] != (model.Folder{ID: 1000003, ParentID: 1000002, Name: "Deep"}) ||
		snap.Folders[1000001].ParentID != 0 {
		t.Errorf("Folders = %v", snap.Folders)
	}
	wantJobs := []int64{2000001, 2000002, 2000003, 2000004, 2000005, 2000009}
	if got := jobIDs(snap.Jobs); !reflect.DeepEqual(got, wantJobs) {
		t.Errorf("candidate jobs = %v, want %v (root subtree + tagged, no traps)", got, wantJobs)
	}
	wantTasks := map[int64][]model.Task{
		2000001: {{CondSeq: 1, TaskSeq: 1, Type: 15, CreateImage: bp(true)}},
		2000002: {{CondSeq: 1, TaskSeq: 1, Type: 15, CreateImage: bp(false)}, {CondSeq: 1, TaskSeq: 2, Type: 11, PowerType: ip(1)}},
		2000003: {{CondSeq: 1, TaskSeq: 1, Type: 11}}, // no reboot_task row: PowerType nil
		2000004: {{CondSeq: 1, TaskSeq: 1, Type: 10}},
		2000005: {{CondSeq: 1, TaskSeq: 1, Type: 19}},
		2000009: nil,
	}
	for id, want := range wantTasks {
		if j := snap.Jobs[id]; j == nil || !reflect.DeepEqual(j.Tasks, want) {
			t.Errorf("job %d tasks = %+v, want %+v", id, j, want)
		}
	}
	if j := snap.Jobs[2000004]; j == nil || j.Name != "Wipe and deploy" || j.FolderID != 1000020 || j.Description != "Wipe [ImageInvoker: Quick deploy] now" {
		t.Errorf("tagged job = %+v", j)
	}
	if j := snap.Jobs[2000005]; j == nil || j.FolderID != 0 {
		t.Errorf("top-level job (NULL folder) = %+v, want FolderID 0", j)
	}
	wantGroups := map[int64]model.ComputerGroup{
		12: {ID: 12, ParentID: 11, Name: "Bench"}, 11: {ID: 11, ParentID: 10, Name: "Lab"}, 10: {ID: 10, Name: "Site A"},
	}
	if !reflect.DeepEqual(snap.ComputerGroups, wantGroups) {
		t.Errorf("ComputerGroups = %v, want the chain %v", snap.ComputerGroups, wantGroups)
	}
	wantPrincipals := []model.Principal{
		{ID: 14000001, Name: `LAB\tech1`, Kind: model.ConsoleUser},
		{ID: 15000001, Name: `LAB\Imaging Techs`, Kind: model.ConsoleGroup},
	}
	if !reflect.DeepEqual(snap.Principals, wantPrincipals) {
		t.Errorf("Principals = %+v, want %+v", snap.Principals, wantPrincipals)
	}
	wantLinks := []model.Link{
		{PermissionID: 39, PrincipalID: 15000001, ObjectID: 12, Allow: true},
		{PermissionID: 40, PrincipalID: 15000001, ObjectID: -1, Allow: true},
		{PermissionID: 40, PrincipalID: 15000001, ObjectID: 10, Allow: true},
		{PermissionID: 51, PrincipalID: 14000001, ObjectID: 5000001, Allow: true},
		{PermissionID: 66, PrincipalID: 14000001, ObjectID: 1000001, Allow: true},
		{PermissionID: 66, PrincipalID: 15000001, ObjectID: 2000002, Allow: false},
	}
	if got := sortLinks(snap.Links); !reflect.DeepEqual(got, wantLinks) {
		t.Errorf("Links = %+v\nwant %+v", got, wantLinks)
	}
	if snap.Statements != 6 {
		t.Errorf("Statements = %d, want 6", snap.Statements)
	}
	if len(snap.Notes) != 0 {
		t.Errorf("Notes = %q on a database with a membership table", snap.Notes)
	}
	if snap.Computer.ID != c.ID {
		t.Errorf("Computer = %+v", snap.Computer)
	}
}

func TestSnapshotOptions(t *testing.T) {
	s := basicStore(t)
	ctx := context.Background()
	c := pc01(t, s)
	tests := []struct {
		name       string
		opts       express.SnapshotOptions
		id         model.Identity
		securityOn bool
		root       int64
		jobs       []int64
		principals []model.Principal
		statements int
	}{
		{
			name: "no such root folder: only tagged jobs", opts: express.SnapshotOptions{RootFolder: "Nope"}, id: tech1,
			securityOn: true, root: 0, jobs: []int64{2000004, 2000005}, statements: 6,
			principals: []model.Principal{{ID: 14000001, Name: `LAB\tech1`, Kind: model.ConsoleUser}, {ID: 15000001, Name: `LAB\Imaging Techs`, Kind: model.ConsoleGroup}},
		},
		{
			name: "root name is case-insensitive", opts: express.SnapshotOptions{RootFolder: "servers", Tag: "[none]"}, id: tech1,
			securityOn: true, root: 1000020, jobs: []int64{2000004, 2000006, 2000007, 2000010, 2000011}, statements: 6,
			principals: []model.Principal{{ID: 14000001, Name: `LAB\tech1`, Kind: model.ConsoleUser}, {ID: 15000001, Name: `LAB\Imaging Techs`, Kind: model.ConsoleGroup}},
		},
		{
			name: "tag wildcards are literal", opts: express.SnapshotOptions{RootFolder: "Nope", Tag: "[imageinvoker_]"}, id: tech1,
			securityOn: true, root: 0, jobs: []int64{2000011}, statements: 6,
			principals: []model.Principal{{ID: 14000001, Name: `LAB\tech1`, Kind: model.ConsoleUser}, {ID: 15000001, Name: `LAB\Imaging Techs`, Kind: model.ConsoleGroup}},
		},
		{
			name: "security off skips principals and links", opts: express.SnapshotOptions{ConsoleSecurity: "off"}, id: tech1,
			securityOn: false, root: 1000001, jobs: []int64{2000001, 2000002, 2000003, 2000004, 2000005, 2000009}, statements: 4,
		},
		{
			// The DS console account "admin" is not LAB\admin; the group is
			// linked by its DNS domain only.
			name: "administrators group by DNS domain", opts: express.SnapshotOptions{ConsoleSecurity: "on"},
			id:         model.Identity{User: `LAB\admin`, Groups: []string{`LAB\Administrators`}, Domains: tech1.Domains},
			securityOn: true, root: 1000001, jobs: []int64{2000001, 2000002, 2000003, 2000004, 2000005, 2000009}, statements: 6,
			principals: []model.Principal{{ID: 15000003, Name: "Administrators@lab.example", Kind: model.ConsoleGroup, Admin: true}},
		},
		{
			name: "DS console account", id: model.Identity{User: `.\admin`, DSAccount: true},
			securityOn: true, root: 1000001, jobs: []int64{2000001, 2000002, 2000003, 2000004, 2000005, 2000009}, statements: 6,
			principals: []model.Principal{{ID: 14000004, Name: `.\admin`, Kind: model.ConsoleUser, Admin: true}},
		},
		{
			name: "DS console account in a DS group", id: model.Identity{User: `.\TECH2`, DSAccount: true},
			securityOn: true, root: 1000001, jobs: []int64{2000001, 2000002, 2000003, 2000004, 2000005, 2000009}, statements: 6,
			principals: []model.Principal{{ID: 14000002, Name: `.\tech2`, Kind: model.ConsoleUser}, {ID: 15000005, Name: "Bench crew", Kind: model.ConsoleGroup}},
		},
		{
			name: "same user name in another domain", id: model.Identity{User: `OTHER\tech1`, Groups: []string{`OTHER\Imaging Techs`}},
			securityOn: true, root: 1000001, jobs: []int64{2000001, 2000002, 2000003, 2000004, 2000005, 2000009}, statements: 6,
			principals: []model.Principal{{ID: 14000003, Name: `OTHER\tech1`, Kind: model.ConsoleUser}},
		},
		{
			name: "AD user with the DS account's name", id: model.Identity{User: `LAB\tech2`, Domains: tech1.Domains},
			securityOn: true, root: 1000001, jobs: []int64{2000001, 2000002, 2000003, 2000004, 2000005, 2000009}, statements: 5,
		},
		{
			name: "nobody matches: no link statement", id: model.Identity{User: `LAB\stranger`},
			securityOn: true, root: 1000001, jobs: []int64{2000001, 2000002, 2000003, 2000004, 2000005, 2000009}, statements: 5,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap, err := s.Snapshot(ctx, c, tt.id, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if snap.SecurityOn != tt.securityOn || snap.RootFolderID != tt.root || snap.Statements != tt.statements {
				t.Errorf("SecurityOn=%v RootFolderID=%d Statements=%d, want %v %d %d", snap.SecurityOn, snap.RootFolderID, snap.Statements, tt.securityOn, tt.root, tt.statements)
			}
			if got := jobIDs(snap.Jobs); !reflect.DeepEqual(got, tt.jobs) {
				t.Errorf("jobs = %v, want %v", got, tt.jobs)
			}
			if !reflect.DeepEqual(snap.Principals, tt.principals) {
				t.Errorf("principals = %+v, want %+v", snap.Principals, tt.principals)
			}
			if len(snap.Principals) == 0 && len(snap.Links) != 0 {
				t.Errorf("links without principals: %v", snap.Links)
			}
		})
	}
	if _, err := s.Snapshot(ctx, c, tech1, express.SnapshotOptions{ConsoleSecurity: "maybe"}); err == nil {
		t.Error("ConsoleSecurity maybe: want an error")
	}
}

func TestSnapshotEmptyConsoleSecurity(t *testing.T) {
	s := expresstest.New(t, "INSERT INTO event_folder VALUES (1000001, NULL, 'ImageInvoker'); INSERT INTO event VALUES (2000001, 'J', 1000001, NULL)")
	ctx := context.Background()
	c := model.Computer{ID: 5000001}
	for _, tc := range []struct {
		mode string
		want bool
	}{{"auto", false}, {"", false}, {"on", true}, {"off", false}} {
		t.Run("mode "+tc.mode, func(t *testing.T) {
			snap, err := s.Snapshot(ctx, c, tech1, express.SnapshotOptions{ConsoleSecurity: tc.mode})
			if err != nil {
				t.Fatal(err)
			}
			if snap.SecurityOn != tc.want {
				t.Errorf("SecurityOn = %v, want %v (no console users or groups)", snap.SecurityOn, tc.want)
			}
			if len(snap.Jobs) != 1 || len(snap.ComputerGroups) != 0 {
				t.Errorf("jobs=%v groups=%v", snap.Jobs, snap.ComputerGroups)
			}
		})
	}
}

func TestFindComputer(t *testing.T) {
	s := basicStore(t)
	ctx := context.Background()
	tests := []struct {
		name    string
		key     model.ComputerKey
		wantID  int64
		wantErr error
	}{
		{"mac second nic", model.ComputerKey{By: model.MatchMAC, Values: []string{"FFFFFFFFFFFF", "001122334456"}}, 5000001, nil},
		{"mac lower case", model.ComputerKey{By: model.MatchMAC, Values: []string{"aabbccddeeff"}}, 5000002, nil},
		{"two macs of one computer", model.ComputerKey{By: model.MatchMAC, Values: []string{"001122334455", "001122334456"}}, 5000001, nil},
		{"serial any case", model.ComputerKey{By: model.MatchSerial, Values: []string{"sn123"}}, 5000001, nil},
		{"uuid lower case", model.ComputerKey{By: model.MatchUUID, Values: []string{"4c4c4544-0042-3510-8052-b4c04f4b4e31"}}, 5000001, nil},
		{"asset tag", model.ComputerKey{By: model.MatchAssetTag, Values: []string{"AT-2"}}, 5000002, nil},
		{"computer id", model.ComputerKey{By: model.MatchComputerID, ID: 5000003}, 5000003, nil},
		{"unknown mac", model.ComputerKey{By: model.MatchMAC, Values: []string{"DEADBEEF0000"}}, 0, model.ErrUnknownComputer},
		{"empty serial never matches empty column", model.ComputerKey{By: model.MatchSerial, Values: []string{"", " "}}, 0, model.ErrUnknownComputer},
		{"unknown id", model.ComputerKey{By: model.MatchComputerID, ID: 5999999}, 0, model.ErrUnknownComputer},
		{"cloned serial", model.ComputerKey{By: model.MatchSerial, Values: []string{"CLONED"}}, 0, model.ErrAmbiguousComputer},
		{"macs of two computers", model.ComputerKey{By: model.MatchMAC, Values: []string{"AABBCCDDEEFF", "AABBCCDDEE00"}}, 0, model.ErrAmbiguousComputer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := s.FindComputer(ctx, tt.key)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.ID != tt.wantID {
				t.Errorf("ID = %d, want %d", c.ID, tt.wantID)
			}
		})
	}

	c, err := s.FindComputer(ctx, model.ComputerKey{By: model.MatchSerial, Values: []string{"SN123"}})
	if err != nil {
		t.Fatal(err)
	}
	want := model.Computer{ID: 5000001, Name: "PC-01", GroupID: 12, Serial: "SN123", AssetTag: "AT-1",
		UUID: "4C4C4544-0042-3510-8052-B4C04F4B4E31", MACs: []string{"001122334455", "001122334456"}}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("computer = %+v, want %+v", c, want)
	}

	_, err = s.FindComputer(ctx, model.ComputerKey{By: model.MatchSerial, Values: []string{"CLONED"}})
	var amb *express.AmbiguousComputerError
	if !errors.As(err, &amb) || len(amb.Computers) != 2 || amb.Computers[0].Name != "PC-02" || amb.Computers[1].Name != "PC-03" {
		t.Errorf("ambiguous error = %v, want PC-02 and PC-03 listed", err)
	}
	if _, err := s.FindComputer(ctx, model.ComputerKey{By: "hostname", Values: []string{"x"}}); err == nil {
		t.Error("unknown match kind: want an error")
	}
}

func TestFindComputerBatchesManyValues(t *testing.T) {
	defer express.SetMaxInList(2)()
	s := basicStore(t)
	before := s.Statements()
	c, err := s.FindComputer(context.Background(), model.ComputerKey{By: model.MatchMAC,
		Values: []string{"000000000001", "000000000002", "000000000003", "000000000004", "001122334456"}})
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != 5000001 || len(c.MACs) != 2 {
		t.Errorf("computer = %+v", c)
	}
	if n := s.Statements() - before; n != 3 {
		t.Errorf("statements = %d, want 3 batches of at most 2 values", n)
	}
}

func TestJob(t *testing.T) {
	s := basicStore(t)
	ctx := context.Background()
	j, err := s.Job(ctx, 2000002)
	if err != nil {
		t.Fatal(err)
	}
	want := &model.Job{ID: 2000002, Name: "Deploy Win11", FolderID: 1000003, Tasks: []model.Task{
		{CondSeq: 1, TaskSeq: 1, Type: 15, CreateImage: bp(false)}, {CondSeq: 1, TaskSeq: 2, Type: 11, PowerType: ip(1)}}}
	if !reflect.DeepEqual(j, want) {
		t.Errorf("job = %+v, want %+v", j, want)
	}
	if _, err := s.Job(ctx, 2999999); !errors.Is(err, model.ErrUnknownJob) {
		t.Errorf("unknown job: err = %v, want ErrUnknownJob", err)
	}
}

// The first batch finds the root's subtree by SQL's comparison of names
// (trimmed of spaces, lower-cased); Go's own (any white space, Unicode case
// folding) picks the root. A root only Go's comparison finds — here the
// top-level root renamed with a tab, while a nested folder keeps the plain
// name — is read again by id: the same candidates, one more round trip.
func TestSnapshotRootOnlyGoFinds(t *testing.T) {
	s := basicStore(t)
	ctx := context.Background()
	c := pc01(t, s)
	want, err := s.Snapshot(ctx, c, tech1, express.SnapshotOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().Exec("UPDATE event_folder SET name = char(9) || 'IMAGEINVOKER' WHERE folder_id = 1000001"); err != nil {
		t.Fatal(err)
	}
	got, err := s.Snapshot(ctx, c, tech1, express.SnapshotOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.RootFolderID != 1000001 || !reflect.DeepEqual(jobIDs(got.Jobs), jobIDs(want.Jobs)) {
		t.Errorf("root %d, candidates %v; want the top-level root 1000001 and %v", got.RootFolderID, jobIDs(got.Jobs), jobIDs(want.Jobs))
	}
	if got.Statements != want.Statements+3 {
		t.Errorf("%d statements, want %d + 3 (the folders and candidates again, by id)", got.Statements, want.Statements)
	}
}

// A prefetched snapshot decides exactly as a cold one: the prefetch only
// says which links to read with the fresh first batch.
func TestSnapshotPrefetchedDecidesTheSame(t *testing.T) {
	s := basicStore(t)
	ctx := context.Background()
	c := pc01(t, s)
	cold, err := s.Snapshot(ctx, c, tech1, express.SnapshotOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Prefetch(ctx, c, express.SnapshotOptions{}); err != nil {
		t.Fatal(err)
	}
	warm, err := s.Snapshot(ctx, c, tech1, express.SnapshotOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cold.Links, warm.Links = sortLinks(cold.Links), sortLinks(warm.Links)
	cold.Statements, warm.Statements = 0, 0
	if !reflect.DeepEqual(cold, warm) {
		t.Errorf("prefetched snapshot differs:\n%+v\n%+v", warm, cold)
	}
}
