package express_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/imageinvoker/imageinvoker/pkg/dscipher"
	"github.com/imageinvoker/imageinvoker/pkg/express"
	"github.com/imageinvoker/imageinvoker/pkg/express/expresstest"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

type siteSize struct {
	folders, jobs, groups, computers, users, consoleGroups, links int
}

// bigSite generates a DS site of the given size on a fresh store. The
// identity LAB\tech00001 matches one console user and the console groups
// G00000..G00019 (20 principals).
func bigSite(t testing.TB, n siteSize) (*express.Store, model.Identity) {
	t.Helper()
	s := expresstest.New(t)
	rng := rand.New(rand.NewPCG(1, 2))
	tx, err := s.DB().Begin()
	if err != nil {
		t.Fatal(err)
	}
	ins := func(q string, rows int, args func(i int) []any) {
		st, err := tx.Prepare(q)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		for i := 0; i < rows; i++ {
			if _, err := st.Exec(args(i)...); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	ins("INSERT INTO event_folder VALUES (?, ?, ?)", n.folders, func(i int) []any {
		var parent any
		if i > 0 && i%10 != 0 { // every tenth folder is top level; the rest form trees
			parent = 1000001 + int64(rng.IntN(i))
		}
		name := fmt.Sprintf("Folder %d", i)
		if i == 0 {
			name = "ImageInvoker"
		}
		return []any{1000001 + int64(i), parent, name}
	})
	ins("INSERT INTO event VALUES (?, ?, ?, ?)", n.jobs, func(i int) []any {
		desc := "a job"
		if i%50 == 0 {
			desc = "opted in [imageinvoker]"
		}
		return []any{2000001 + int64(i), fmt.Sprintf("Job %d", i), 1000001 + int64(rng.IntN(n.folders)), desc}
	})
	types := []int{15, 11, 10}
	ins("INSERT INTO task VALUES (?, 1, ?, ?)", 3*n.jobs, func(i int) []any {
		return []any{2000001 + int64(i/3), i%3 + 1, types[i%3]}
	})
	ins("INSERT INTO image_task VALUES (?, 1, 1, ?)", n.jobs, func(i int) []any { return []any{2000001 + int64(i), i % 2} })
	ins("INSERT INTO reboot_task(event_id, cond_seq, task_seq, reboot_method) VALUES (?, 1, 2, 1)", n.jobs, func(i int) []any { return []any{2000001 + int64(i)} })
	ins("INSERT INTO computer_group VALUES (?, ?, ?)", n.groups, func(i int) []any {
		var parent any
		if i > 0 && i%20 != 0 {
			parent = 1 + int64(rng.IntN(i))
		}
		return []any{1 + int64(i), parent, fmt.Sprintf("Group %d", i)}
	})
	ins("INSERT INTO computer VALUES (?, ?, ?, ?, ?, ?)", n.computers, func(i int) []any {
		return []any{5000001 + int64(i), fmt.Sprintf("PC-%05d", i), 1 + int64(rng.IntN(n.groups)), fmt.Sprintf("SN%05d", i), nil, nil}
	})
	ins("INSERT INTO nics VALUES (?, 1, ?)", n.computers, func(i int) []any { return []any{5000001 + int64(i), fmt.Sprintf("0050560%05X", i)} })
	ins("INSERT INTO securityuser(user_id, username, netbiosdomain) VALUES (?, ?, 'LAB')", n.users, func(i int) []any {
		return []any{14000001 + int64(i), dscipher.Encrypt(fmt.Sprintf("tech%05d", i))}
	})
	ins("INSERT INTO securitygroup(group_id, name, ad_group_netbiosdomain) VALUES (?, ?, 'LAB')", n.consoleGroups, func(i int) []any { return []any{15000001 + int64(i), fmt.Sprintf("G%05d", i)} })
	perms := append([]int{7, 8}, model.SchedulePermissionIDs...)
	seen := map[[3]int64]bool{}
	ins("INSERT INTO securitypermissionlink VALUES (?, ?, ?, ?)", n.links, func(i int) []any {
		for {
			p := int64(perms[rng.IntN(len(perms))])
			var who int64
			if rng.IntN(2) == 0 {
				who = 14000001 + int64(rng.IntN(n.users))
			} else {
				who = 15000001 + int64(rng.IntN(n.consoleGroups))
			}
			var obj int64
			switch rng.IntN(4) {
			case 0:
				obj = 2000001 + int64(rng.IntN(n.jobs))
			case 1:
				obj = 1000001 + int64(rng.IntN(n.folders))
			case 2:
				obj = 1 + int64(rng.IntN(n.groups))
			default:
				obj = 5000001 + int64(rng.IntN(n.computers))
			}
			if k := [3]int64{p, who, obj}; !seen[k] {
				seen[k] = true
				return []any{p, who, obj, rng.IntN(2)}
			}
		}
	})
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	id := model.Identity{User: `LAB\tech00001`}
	for g := 0; g < 20; g++ {
		id.Groups = append(id.Groups, fmt.Sprintf(`LAB\G%05d`, g))
	}
	return s, id
}

// expectedLinks computes, with a plain query per principal, which links a
// snapshot must hold: the independent check of the store's one statement.
func expectedLinks(t testing.TB, db *sql.DB, snap *model.Snapshot) []model.Link {
	objects := map[int64]bool{snap.Computer.ID: true, model.AllComputersGroupID: true, snap.Computer.GroupID: true}
	for id := range snap.ComputerGroups {
		objects[id] = true
	}
	wanted := map[int]bool{}
	for _, p := range model.SchedulePermissionIDs {
		wanted[p] = true
	}
	var out []model.Link
	for _, p := range snap.Principals {
		rows, err := db.Query("SELECT permission_id, object_id, allow FROM securitypermissionlink WHERE user_id = ?", p.ID)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var l model.Link
			var allow int
			if err := rows.Scan(&l.PermissionID, &l.ObjectID, &allow); err != nil {
				t.Fatal(err)
			}
			l.PrincipalID, l.Allow = p.ID, allow == 1
			if wanted[l.PermissionID] && (l.PermissionID == model.PermScheduleJob || objects[l.ObjectID]) {
				out = append(out, l)
			}
		}
		rows.Close()
	}
	return sortLinks(out)
}

func TestSnapshotStatementsIndependentOfSize(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a 10,000-job site; skipped with -short")
	}
	s, id := bigSite(t, siteSize{folders: 2000, jobs: 10000, groups: 3000, computers: 5000, users: 1000, consoleGroups: 1500, links: 40000})
	ctx := context.Background()
	before := s.Statements()
	c, err := s.FindComputer(ctx, model.ComputerKey{By: model.MatchMAC, Values: []string{"00505600002A"}})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := s.Snapshot(ctx, c, id, express.SnapshotOptions{})
	if err != nil {
		t.Fatal(err)
	}
	total := s.Statements() - before
	if total > 8 || snap.Statements != 6 || total != int64(snap.Statements)+1 {
		t.Errorf("FindComputer+Snapshot ran %d statements (snapshot %d), want 1+6 ≤ 8", total, snap.Statements)
	}
	if len(snap.Folders) != 2000 || len(snap.Principals) != 21 || len(snap.ComputerGroups) == 0 {
		t.Errorf("folders=%d principals=%d groups=%d", len(snap.Folders), len(snap.Principals), len(snap.ComputerGroups))
	}
	// Every candidate has its three tasks; tagged jobs outside the root came along.
	tagged := 0
	for _, j := range snap.Jobs {
		if len(j.Tasks) != 3 || j.Tasks[0].CreateImage == nil || j.Tasks[1].PowerType == nil || j.Tasks[2].PowerType != nil {
			t.Fatalf("job %d tasks = %+v", j.ID, j.Tasks)
		}
		if (j.ID-2000001)%50 == 0 {
			tagged++
		}
	}
	if tagged != 200 {
		t.Errorf("%d tagged jobs among candidates, want all 200", tagged)
	}
	want := expectedLinks(t, s.DB(), snap)
	if len(want) == 0 {
		t.Fatal("generated site gives the identity no links; the comparison would prove nothing")
	}
	if got := sortLinks(snap.Links); !reflect.DeepEqual(got, want) {
		t.Errorf("links: got %d, want %d", len(got), len(want))
	}

	// Batching: 21 principals in lists of 5 give 5 link statements and the same links.
	restore := express.SetMaxInList(5)
	batched, err := s.Snapshot(ctx, c, id, express.SnapshotOptions{})
	restore()
	if err != nil {
		t.Fatal(err)
	}
	if batched.Statements != 5+5 {
		t.Errorf("batched snapshot ran %d statements, want 10", batched.Statements)
	}
	if got := sortLinks(batched.Links); !reflect.DeepEqual(got, want) {
		t.Errorf("batched links: got %d, want %d", len(got), len(want))
	}
}

func BenchmarkSnapshot(b *testing.B) {
	s, id := bigSite(b, siteSize{folders: 2000, jobs: 20000, groups: 5000, computers: 10000, users: 2000, consoleGroups: 3000, links: 100000})
	ctx := context.Background()
	c, err := s.FindComputer(ctx, model.ComputerKey{By: model.MatchSerial, Values: []string{"SN00042"}})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		snap, err := s.Snapshot(ctx, c, id, express.SnapshotOptions{})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(snap.Statements), "statements/op")
		b.ReportMetric(float64(len(snap.Jobs)), "jobs")
	}
}

func BenchmarkFindComputerMAC(b *testing.B) {
	s, _ := bigSite(b, siteSize{folders: 10, jobs: 10, groups: 100, computers: 10000, users: 1, consoleGroups: 1, links: 1})
	ctx := context.Background()
	for b.Loop() {
		if _, err := s.FindComputer(ctx, model.ComputerKey{By: model.MatchMAC, Values: []string{"FFFFFFFFFFFF", "005056001FFF"}}); err != nil {
			b.Fatal(err)
		}
	}
}
