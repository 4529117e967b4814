package demo

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/pkg/access"
	"github.com/imageinvoker/imageinvoker/pkg/express"
	"github.com/imageinvoker/imageinvoker/pkg/express/expresstest"
	"github.com/imageinvoker/imageinvoker/pkg/menu"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// candidates are every job the demo menu can show: everything under
// ImageInvoker plus the three tagged jobs outside it.
var candidates = []int64{
	JobWin11PhysicsLab, JobWin11ChemistryLab, JobWin11CSLab, JobWin11ArtLab,
	JobStaffLaptopDell, JobStaffLaptopHP, JobWin10Finance, JobWin10Payroll, JobWin10ScienceLab,
	JobWin10LibraryCatalog, JobWin10SelfCheckout, JobUbuntu2404Lab, JobUbuntu2204Lab, JobRocky9Workstation,
	JobBIOSUpdateDell, JobBIOSUpdateHP, JobDiskWipe, JobInventoryOnly, JobCaptureImage, JobRestoreLastCapture,
	JobShutDown, JobWin11Base, JobResetTPM, JobFirmwareAudit, JobKioskRefresh,
}

func except(all []int64, drop ...int64) []int64 {
	var out []int64
	for _, j := range all {
		keep := true
		for _, d := range drop {
			keep = keep && j != d
		}
		if keep {
			out = append(out, j)
		}
	}
	return out
}

// storyCase is one demo user on one machine and the jobs the design says
// they may schedule there.
type storyCase struct {
	name string
	user string
	mac  string
	want []int64
}

// bobJobs: Windows 11 lab builds and utilities. His own denies on Staff
// Laptops and Windows 10 beat Techs' allows there (rule 3); he has no
// "Create disk image", so Capture image and the job whose image_task row is
// missing (needs 39 and 40) stay hidden.
var bobJobs = []int64{
	JobWin11PhysicsLab, JobWin11ChemistryLab, JobWin11CSLab, JobWin11ArtLab, JobWin11Base,
	JobBIOSUpdateDell, JobBIOSUpdateHP, JobDiskWipe, JobInventoryOnly, JobShutDown,
	JobResetTPM, JobFirmwareAudit, JobKioskRefresh,
}

var storyCases = []storyCase{
	// Imaging Techs' deny on Disk wipe beats Techs' allow at the same level (rule 4).
	{"alice: everything but disk wipe", "alice", ComputerMAC, except(candidates, JobDiskWipe)},
	{"bob: Windows 11 labs and utilities", "bob", ComputerMAC, bobJobs},
	// Helpdesk has 66 on all of Utilities, but "Shut down" is denied on All
	// Computers and it holds no imaging rights (rule 6).
	{"carol: BIOS update and inventory", "carol", ComputerMAC,
		[]int64{JobBIOSUpdateDell, JobBIOSUpdateHP, JobInventoryOnly, JobFirmwareAudit}},
	// DS Admins' own deny on Disk wipe can't take it away (rule 1).
	{"dave: everything", "dave", ComputerMAC, candidates},
	// Contractors may distribute images to All Computers but not to Labs.
	{"eve: nothing on a lab machine", "eve", ComputerMAC, nil},
	{"eve: the Library jobs on a Library machine", "eve", LibPC07MAC,
		[]int64{JobWin10LibraryCatalog, JobWin10SelfCheckout}},
	// Another Techs member without bob's personal denies.
	{"mallory's groups without bob's denies", "mallory", ComputerMAC,
		append(append([]int64{}, bobJobs...), JobStaffLaptopDell, JobStaffLaptopHP,
			JobWin10Finance, JobWin10Payroll, JobWin10ScienceLab, JobWin10LibraryCatalog, JobWin10SelfCheckout)},
	{"bob on the two-NIC laptop, found by its Wi-Fi MAC", "bob", FinLT12WiFiMAC, bobJobs},
	// The DS console account: inventory through its DS-native group Bench
	// Crew (securitygroupmember), the kiosk re-image through its own entries,
	// which name only RECEPTION-01.
	{"kiosk: inventory on a lab machine", `.\kiosk`, ComputerMAC,
		[]int64{JobInventoryOnly, JobFirmwareAudit}},
	{"kiosk: and the kiosk re-image on RECEPTION-01", `.\kiosk`, Reception01MAC,
		[]int64{JobInventoryOnly, JobFirmwareAudit, JobKioskRefresh}},
	// A computer in no group takes its rights from All Computers alone.
	{"carol on RECEPTION-01", "carol", Reception01MAC,
		[]int64{JobBIOSUpdateDell, JobBIOSUpdateHP, JobInventoryOnly, JobFirmwareAudit}},
}

func openDemoStore(t *testing.T) *express.Store {
	t.Helper()
	url, err := NewStore(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	st, err := express.Open(context.Background(), expresstest.URL(t, url), express.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func demoSnapshot(t *testing.T, st *express.Store, user, mac string) *model.Snapshot {
	t.Helper()
	ctx := context.Background()
	c, err := st.FindComputer(ctx, model.ComputerKey{By: model.MatchMAC, Values: []string{mac}})
	if err != nil {
		t.Fatalf("FindComputer(%s): %v", mac, err)
	}
	id, err := IdentityFor(user)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := st.Snapshot(ctx, c, id, express.SnapshotOptions{RootFolder: RootFolderName})
	if err != nil {
		t.Fatalf("Snapshot: %v", err)
	}
	return snap
}

func sorted(ids []int64) []int64 {
	out := append([]int64(nil), ids...)
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func equalIDs(a, b []int64) bool {
	a, b = sorted(a), sorted(b)
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func jobNames(snap *model.Snapshot, ids []int64) []string {
	var out []string
	for _, id := range sorted(ids) {
		if j := snap.Jobs[id]; j != nil {
			out = append(out, j.Name)
		} else {
			out = append(out, "?")
		}
	}
	return out
}

func TestDemoCandidates(t *testing.T) {
	st := openDemoStore(t)
	snap := demoSnapshot(t, st, "alice", ComputerMAC)
	var got []int64
	for id := range snap.Jobs {
		got = append(got, id)
	}
	if !equalIDs(got, candidates) {
		t.Errorf("candidates %v,\nwant %v", jobNames(snap, got), jobNames(snap, candidates))
	}
	if snap.RootFolderID != FolderImageInvoker {
		t.Errorf("root folder %d, want %d", snap.RootFolderID, FolderImageInvoker)
	}
}

func TestDemoStories(t *testing.T) {
	st := openDemoStore(t)
	for _, tc := range storyCases {
		t.Run(tc.name, func(t *testing.T) {
			snap := demoSnapshot(t, st, tc.user, tc.mac)
			ev := access.New(snap)
			var got []int64
			for id := range snap.Jobs {
				if ev.Allowed(id) {
					got = append(got, id)
				}
				// Allowed and Decide are separate code paths in access.
				if d := ev.Decide(id); d.Allowed != ev.Allowed(id) {
					t.Errorf("job %d: Decide %v, Allowed %v", id, d.Allowed, ev.Allowed(id))
				}
			}
			if !equalIDs(got, tc.want) {
				t.Errorf("%s may schedule %q,\nwant %q", tc.user, jobNames(snap, got), jobNames(snap, tc.want))
			}
			var shown []int64
			for _, e := range menu.Build(snap, ev.Allowed, menu.Options{}).Entries() {
				shown = append(shown, e.ID)
			}
			if !equalIDs(shown, tc.want) {
				t.Errorf("%s's menu shows %q,\nwant %q", tc.user, jobNames(snap, shown), jobNames(snap, tc.want))
			}
		})
	}
}

// TestDemoMenuPaths pins what the technician reads: folder paths relative to
// ImageInvoker, tagged jobs at the top under their friendly names.
func TestDemoMenuPaths(t *testing.T) {
	st := openDemoStore(t)
	tests := []struct {
		user    string
		want    []string
		without []string // for long menus: what must not be there
	}{
		{user: "carol", want: []string{
			"Utilities/BIOS update (Dell)", "Utilities/BIOS update (HP)", "Utilities/Inventory only",
			"Firmware audit (read-only)",
		}},
		{user: "bob", want: []string{
			"Utilities/BIOS update (Dell)", "Utilities/BIOS update (HP)", "Utilities/Disk wipe (DoD 3-pass)",
			"Utilities/Inventory only", "Utilities/Shut down",
			"Windows 11/Student Labs/Win11 Art Lab (large image, ~45 min)", "Windows 11/Student Labs/Win11 Chemistry Lab",
			"Windows 11/Student Labs/Win11 Computer Science Lab", "Windows 11/Student Labs/Win11 Physics Lab",
			"Windows 11/Win11 Base (no apps)",
			"Firmware audit (read-only)", "Kiosk refresh", "Reset TPM and BitLocker",
		}},
		{user: "eve", want: nil},
		{user: `.\kiosk`, want: []string{"Utilities/Inventory only", "Firmware audit (read-only)"}},
		{user: "dave", without: []string{
			"Windows Server 2022 Standard", "Nightly inventory sweep", "test job - do not use", "Win7 Lab (2015)",
			"FW-AUDIT-v3", "Kiosk refresh (reception)",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.user, func(t *testing.T) {
			snap := demoSnapshot(t, st, tc.user, ComputerMAC)
			var got []string
			for _, e := range menu.Build(snap, access.New(snap).Allowed, menu.Options{}).Entries() {
				got = append(got, e.FullPath())
			}
			if tc.without == nil {
				sort.Strings(got)
				want := append([]string(nil), tc.want...)
				sort.Strings(want)
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Errorf("menu\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
				}
				return
			}
			if len(got) != len(candidates) {
				t.Errorf("%d entries, want %d", len(got), len(candidates))
			}
			for _, g := range got {
				for _, w := range tc.without {
					if strings.HasSuffix(g, w) {
						t.Errorf("menu shows %q", g)
					}
				}
			}
		})
	}
}

// TestDemoNameLookalikes: names alone never carry rights. An AD user named
// like the DS console account gets none of its rights, the DS account gets
// none of an AD user's, and bob of another domain is not LAB's bob.
func TestDemoNameLookalikes(t *testing.T) {
	st := openDemoStore(t)
	ctx := context.Background()
	c, err := st.FindComputer(ctx, model.ComputerKey{By: model.MatchMAC, Values: []string{Reception01MAC}})
	if err != nil {
		t.Fatal(err)
	}
	lab := []model.Domain{{NetBIOS: Domain, DNS: DNSDomain}}
	tests := []struct {
		name string
		id   model.Identity
		want []int64
	}{
		{"AD user LAB\\kiosk", model.Identity{User: `LAB\kiosk`, Domains: lab}, nil},
		{"DS account .\\bob", model.Identity{User: `.\bob`, DSAccount: true}, nil},
		{"OLDLAB\\bob", model.Identity{User: `OLDLAB\bob`, Domains: []model.Domain{{NetBIOS: oldDomain, DNS: oldDNSDomain}}}, nil},
		{"DS account .\\kiosk claiming LAB groups", model.Identity{User: `.\kiosk`, DSAccount: true,
			Groups: []string{`LAB\DS Admins`}, Domains: lab}, []int64{JobInventoryOnly, JobFirmwareAudit, JobKioskRefresh}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			snap, err := st.Snapshot(ctx, c, tc.id, express.SnapshotOptions{RootFolder: RootFolderName})
			if err != nil {
				t.Fatal(err)
			}
			ev := access.New(snap)
			var got []int64
			for id := range snap.Jobs {
				if ev.Allowed(id) {
					got = append(got, id)
				}
			}
			if !equalIDs(got, tc.want) {
				t.Errorf("may schedule %q, want %q (principals %+v)", jobNames(snap, got), jobNames(snap, tc.want), snap.Principals)
			}
		})
	}
}
