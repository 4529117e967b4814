package synth

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/pkg/access"
	"github.com/imageinvoker/imageinvoker/pkg/dscipher"
	"github.com/imageinvoker/imageinvoker/pkg/express"
	"github.com/imageinvoker/imageinvoker/pkg/express/expresstest"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// newSynthDB generates p into a fresh SQLite file and opens it as a store.
func newSynthDB(tb testing.TB, p Params) (*express.Store, Fixture) {
	tb.Helper()
	ctx := context.Background()
	path := filepath.Join(tb.TempDir(), "synth.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		tb.Fatal(err)
	}
	if err := express.CreateSchema(ctx, db); err != nil {
		tb.Fatal(err)
	}
	f, err := Generate(ctx, db, p)
	if err != nil {
		tb.Fatalf("Generate: %v", err)
	}
	if err := db.Close(); err != nil {
		tb.Fatal(err)
	}
	st, err := express.Open(ctx, expresstest.URL(tb, "sqlite:"+path), express.OpenOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st, f
}

// eachRow runs q and calls fn for every row with a scan of it; any error
// fails t.
func eachRow(t *testing.T, db *sql.DB, q string, fn func(scan func(dest ...any))) {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		fn(func(dest ...any) {
			if err := rows.Scan(dest...); err != nil {
				t.Fatal(err)
			}
		})
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

func TestGenerateShape(t *testing.T) {
	p := Small()
	st, f := newSynthDB(t, p)
	db := st.DB()
	tests := []struct {
		name  string
		query string
		check func(int64) bool
		want  string
	}{
		{"jobs", "SELECT COUNT(*) FROM event", func(n int64) bool { return n == int64(p.Jobs) }, fmt.Sprint(p.Jobs)},
		{"folders", "SELECT COUNT(*) FROM event_folder", func(n int64) bool { return n == int64(p.Folders) }, fmt.Sprint(p.Folders)},
		{"computers", "SELECT COUNT(*) FROM computer", func(n int64) bool { return n == int64(p.Computers) }, fmt.Sprint(p.Computers)},
		{"computer groups and New Computers", "SELECT COUNT(*) FROM computer_group", func(n int64) bool { return n == int64(p.ComputerGroups+1) }, fmt.Sprint(p.ComputerGroups + 1)},
		{"console groups", "SELECT COUNT(*) FROM securitygroup", func(n int64) bool { return n == int64(p.ConsoleGroups) }, fmt.Sprint(p.ConsoleGroups)},
		{"console users", "SELECT COUNT(*) FROM securityuser", func(n int64) bool { return n == int64(p.ConsoleUsers) }, fmt.Sprint(p.ConsoleUsers)},
		{"NT console users of SYN", "SELECT COUNT(*) FROM securityuser WHERE netbiosdomain = 'SYN' AND domain = 'syn.example' AND password IS NULL", func(n int64) bool { return n > int64(p.ConsoleUsers)*9/10 }, "> 90%"},
		{"a few DS console accounts", "SELECT COUNT(*) FROM securityuser WHERE netbiosdomain IS NULL AND domain IS NULL AND password IS NOT NULL", func(n int64) bool { return n > 0 && n < int64(p.ConsoleUsers)/10 }, "1 to 10%"},
		{"group names bare, every group linked to SYN", "SELECT COUNT(*) FROM securitygroup WHERE name LIKE '%\\%' OR ad_group_netbiosdomain IS NOT 'SYN'", func(n int64) bool { return n == 0 }, "0"},
		{"some groups with the NetBIOS domain only", "SELECT COUNT(*) FROM securitygroup WHERE ad_group_domain IS NULL", func(n int64) bool { return n > 0 }, "> 0"},
		{"computers directly under All Computers", "SELECT COUNT(*) FROM computer WHERE group_id IS NULL", func(n int64) bool { return n > 0 }, "> 0"},
		{"links on computers in no group", "SELECT COUNT(*) FROM securitypermissionlink WHERE object_id IN (SELECT computer_id FROM computer WHERE group_id IS NULL)", func(n int64) bool { return n > 0 }, "> 0"},
		{"links on console users beyond the active ones", "SELECT COUNT(*) FROM securitypermissionlink WHERE user_id BETWEEN 14000051 AND 14999999", func(n int64) bool { return n > 0 }, "> 0"},
		{"links", "SELECT COUNT(*) FROM securitypermissionlink", func(n int64) bool { return n == int64(p.Links) }, fmt.Sprint(p.Links)},
		{"1–4 tasks per job", "SELECT COUNT(*) FROM (SELECT event_id, COUNT(*) c FROM task GROUP BY event_id) WHERE c NOT BETWEEN 1 AND 4", func(n int64) bool { return n == 0 }, "0"},
		{"every job has tasks", "SELECT COUNT(*) FROM event WHERE event_id NOT IN (SELECT event_id FROM task)", func(n int64) bool { return n == 0 }, "0"},
		{"some allows", "SELECT COUNT(*) FROM securitypermissionlink WHERE allow = 1", func(n int64) bool { return n > int64(p.Links)/2 }, "> half"},
		{"some denies", "SELECT COUNT(*) FROM securitypermissionlink WHERE allow = 0", func(n int64) bool { return n > int64(p.Links)/10 }, "> a tenth"},
		{"links on All Computers", "SELECT COUNT(*) FROM securitypermissionlink WHERE object_id = -1", func(n int64) bool { return n > 0 }, "> 0"},
		{"links on computer groups", "SELECT COUNT(*) FROM securitypermissionlink WHERE object_id BETWEEN 1 AND 1000000", func(n int64) bool { return n > 0 }, "> 0"},
		{"links on folders", "SELECT COUNT(*) FROM securitypermissionlink WHERE object_id BETWEEN 1000001 AND 2000000", func(n int64) bool { return n > 0 }, "> 0"},
		{"links on jobs", "SELECT COUNT(*) FROM securitypermissionlink WHERE object_id BETWEEN 2000001 AND 3000000", func(n int64) bool { return n > 0 }, "> 0"},
		{"66 only on jobs, folders and All Jobs", "SELECT COUNT(*) FROM securitypermissionlink WHERE permission_id = 66 AND object_id NOT BETWEEN 1000001 AND 3000000 AND object_id <> -10", func(n int64) bool { return n == 0 }, "0"},
		{"links on All Jobs", "SELECT COUNT(*) FROM securitypermissionlink WHERE permission_id = 66 AND object_id = -10", func(n int64) bool { return n == 1 }, "1"},
		{"jobs ids in range", "SELECT COUNT(*) FROM event WHERE event_id NOT BETWEEN 2000001 AND 3000000", func(n int64) bool { return n == 0 }, "0"},
		{"folder ids in range", "SELECT COUNT(*) FROM event_folder WHERE folder_id NOT BETWEEN 1000001 AND 2000000", func(n int64) bool { return n == 0 }, "0"},
		{"computer ids in range", "SELECT COUNT(*) FROM computer WHERE computer_id NOT BETWEEN 5000001 AND 6000000", func(n int64) bool { return n == 0 }, "0"},
		{"console user ids in range", "SELECT COUNT(*) FROM securityuser WHERE user_id NOT BETWEEN 14000001 AND 15000000", func(n int64) bool { return n == 0 }, "0"},
		{"console group ids in range", "SELECT COUNT(*) FROM securitygroup WHERE group_id NOT BETWEEN 15000001 AND 16000000", func(n int64) bool { return n == 0 }, "0"},
		{"one root", "SELECT COUNT(*) FROM event_folder WHERE parent_id IS NULL", func(n int64) bool { return n == 1 }, "1"},
		{"lost detail rows", "SELECT COUNT(*) FROM task t LEFT JOIN image_task i ON i.event_id = t.event_id AND i.task_seq = t.task_seq LEFT JOIN reboot_task r ON r.event_id = t.event_id AND r.task_seq = t.task_seq WHERE t.task_type IN (11, 15) AND i.event_id IS NULL AND r.event_id IS NULL", func(n int64) bool { return n > 0 }, "> 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := expresstest.Scalar[int64](t, db, tc.query); !tc.check(got) {
				t.Errorf("%s = %d, want %s", tc.query, got, tc.want)
			}
		})
	}
	t.Run("folder depth reaches MaxDepth and not beyond", func(t *testing.T) {
		depth := map[int64]int{}
		deepest := 0
		eachRow(t, db, "SELECT folder_id, parent_id FROM event_folder ORDER BY folder_id", func(scan func(...any)) {
			var id int64
			var par sql.NullInt64
			scan(&id, &par)
			depth[id] = depth[par.Int64] + 1 // parents come first: ids grow down the tree
			deepest = max(deepest, depth[id])
		})
		if deepest != p.MaxDepth {
			t.Errorf("deepest folder level %d, want %d", deepest, p.MaxDepth)
		}
	})
	t.Run("fixture computer is found by its MAC", func(t *testing.T) {
		c, err := st.FindComputer(context.Background(), f.Key)
		if err != nil {
			t.Fatal(err)
		}
		if c.ID != f.Computer.ID || c.GroupID != f.Computer.GroupID {
			t.Errorf("found %+v, want %+v", c, f.Computer)
		}
	})
}

func TestGenerateIsDeterministic(t *testing.T) {
	p := Small()
	p.Jobs, p.Links = 50, 400
	dump := func() string {
		st, _ := newSynthDB(t, p)
		var b strings.Builder
		for _, q := range []string{
			"SELECT permission_id, user_id, object_id, allow FROM securitypermissionlink ORDER BY 1, 2, 3",
			"SELECT event_id, folder_id, 0, 0 FROM event ORDER BY 1",
			"SELECT event_id, task_seq, task_type, 0 FROM task ORDER BY 1, 2",
		} {
			eachRow(t, st.DB(), q, func(scan func(...any)) {
				var a, b2, c, d sql.NullInt64
				scan(&a, &b2, &c, &d)
				fmt.Fprintln(&b, a.Int64, b2.Int64, c.Int64, d.Int64)
			})
		}
		return b.String()
	}
	if a, b := dump(), dump(); a != b {
		t.Error("two runs with the same seed gave different databases")
	}
}

func TestParamsValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Params)
		ok     bool
	}{
		{"default", func(*Params) {}, true},
		{"no jobs", func(p *Params) { p.Jobs = 0 }, false},
		{"too deep for DS", func(p *Params) { p.MaxDepth = 31 }, false},
		{"identity in every console group", func(p *Params) { p.IdentityGroups = p.ConsoleGroups }, false},
		{"negative links", func(p *Params) { p.Links = -1 }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := Default()
			tc.change(&p)
			err := p.Validate()
			if (err == nil) != tc.ok {
				t.Errorf("Validate() = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

// engineAllowed runs the product path: FindComputer, Snapshot, access.
func engineAllowed(t *testing.T, st *express.Store, f Fixture, id model.Identity) (map[int64]bool, *model.Snapshot) {
	t.Helper()
	ctx := context.Background()
	c, err := st.FindComputer(ctx, f.Key)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := st.Snapshot(ctx, c, id, express.SnapshotOptions{RootFolder: f.RootFolder, Tag: f.Tag})
	if err != nil {
		t.Fatal(err)
	}
	ev := access.New(snap)
	out := map[int64]bool{}
	for jid := range snap.Jobs {
		if ev.Allowed(jid) {
			out[jid] = true
		}
	}
	return out, snap
}

func diff(a, b map[int64]bool) []int64 {
	var out []int64
	for k := range a {
		if !b[k] {
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// TestBaselineMatchesEngine checks the engine against the original walk where
// the two must agree: one matched principal, so DS's rules 3 and 4 (which the
// old add-on's per-principal union ignores) cannot come into play.
func TestBaselineMatchesEngine(t *testing.T) {
	tests := []struct {
		name     string
		seed     int64
		identity func(Fixture) model.Identity
	}{
		{"console user only", 7, func(f Fixture) model.Identity {
			return model.Identity{User: f.Identity.User}
		}},
		{"one console group", 7, func(f Fixture) model.Identity {
			return model.Identity{User: `SYN\nobody`, Groups: f.Identity.Groups[:1]}
		}},
		{"a console group stored with its NetBIOS domain only", 11, func(f Fixture) model.Identity {
			// Console group 4 has no ad_group_domain (see tables()).
			return model.Identity{User: `SYN\nobody`, Groups: []string{`SYN\` + groupName(3)}, Domains: f.Identity.Domains}
		}},
		{"console user, another seed", 23, func(f Fixture) model.Identity {
			return model.Identity{User: f.Identity.User}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := Small()
			p.Seed = tc.seed
			st, f := newSynthDB(t, p)
			id := tc.identity(f)
			got, snap := engineAllowed(t, st, f, id)
			if len(snap.Principals) != 1 {
				t.Fatalf("identity matched %d principals, the comparison needs exactly 1", len(snap.Principals))
			}
			base, err := Baseline(context.Background(), st.DB(), BaselineQuery{
				ComputerID: f.Computer.ID, Identity: id, RootFolder: f.RootFolder, Tag: f.Tag})
			if err != nil {
				t.Fatal(err)
			}
			if base.Candidates != len(snap.Jobs) || len(base.Decided) != base.Candidates {
				t.Fatalf("baseline decided %d of %d candidates, snapshot has %d", len(base.Decided), base.Candidates, len(snap.Jobs))
			}
			// An all-or-nothing menu would make the comparison vacuous.
			if len(got) == 0 || len(got) == len(snap.Jobs) {
				t.Fatalf("engine allowed %d of %d jobs: the fixture does not discriminate", len(got), len(snap.Jobs))
			}
			if only := diff(got, base.Allowed); len(only) > 0 {
				t.Errorf("engine allows %d jobs the walk denies, e.g. %v", len(only), only[:min(5, len(only))])
			}
			if only := diff(base.Allowed, got); len(only) > 0 {
				t.Errorf("walk allows %d jobs the engine denies, e.g. %v", len(only), only[:min(5, len(only))])
			}
			// The return handlers decide somewhere, or the comparison
			// would not check them: a job allowed on its own but refused
			// through a handler.
			ev := access.New(snap)
			byHandler := 0
			for id := range snap.Jobs {
				if r, denied := ev.Decide(id).Denial(); denied && r.Rule == "return-handler" {
					byHandler++
				}
			}
			if byHandler == 0 {
				t.Error("no candidate is refused through a return handler: the comparison does not check them")
			}
			t.Logf("%d of %d allowed (%d refused through a return handler); walk ran %d statements", len(got), len(snap.Jobs), byHandler, base.Statements)
		})
	}
}

// TestConsoleNamesEncrypted: the generator stores user names and DS console
// account passwords through the DS cipher, as DS does.
func TestConsoleNamesEncrypted(t *testing.T) {
	p := Small()
	st, _ := newSynthDB(t, p)
	n := 0
	q := "SELECT user_id, username, COALESCE(netbiosdomain, ''), COALESCE(password, '') FROM securityuser ORDER BY user_id"
	eachRow(t, st.DB(), q, func(scan func(...any)) {
		var id int64
		var user, netbios, pass string
		scan(&id, &user, &netbios, &pass)
		i := int(id - firstUserID)
		name, err := dscipher.DecryptText(user)
		if err != nil || name != userName(i) {
			t.Errorf("user %d: username %q decrypts to %q (%v), want %q", id, user, name, err, userName(i))
		}
		if ds := isDSAccount(i); ds != (netbios == "") || ds != dscipher.Equal(dsAccountPassword, pass) {
			t.Errorf("user %d: DS account %v, netbiosdomain %q, password matches %v", id, ds, netbios, dscipher.Equal(dsAccountPassword, pass))
		}
		n++
	})
	if n != p.ConsoleUsers {
		t.Errorf("%d console users, want %d", n, p.ConsoleUsers)
	}
}

// TestBaselinePrincipalsMatchEngine checks the baseline's own principal
// matching against the store's, for identities that must and must not match.
func TestBaselinePrincipalsMatchEngine(t *testing.T) {
	p := Small()
	st, f := newSynthDB(t, p)
	ds := dsAccountEvery - 1 // the first DS console account
	tests := []struct {
		name string
		id   model.Identity
		want int // principals
	}{
		{"the fixture identity", f.Identity, 1 + p.IdentityGroups},
		{"names compare case-insensitively", model.Identity{User: strings.ToUpper(f.Identity.User), Groups: []string{strings.ToLower(f.Identity.Groups[0])}}, 2},
		{"another domain's same names", model.Identity{User: `OTHER\` + userName(0), Groups: []string{`OTHER\` + groupName(0)}}, 0},
		{"no domain proves nothing", model.Identity{User: userName(0), Groups: []string{groupName(0)}}, 0},
		{"a DS console account", model.Identity{User: `.\` + userName(ds), DSAccount: true}, 1},
		{"a DS console account's name in SYN", model.Identity{User: `SYN\` + userName(ds)}, 0},
		{"an NT account's name as a DS account", model.Identity{User: `.\` + userName(0), DSAccount: true}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			snap, err := st.Snapshot(context.Background(), f.Computer, tc.id, express.SnapshotOptions{RootFolder: f.RootFolder, Tag: f.Tag})
			if err != nil {
				t.Fatal(err)
			}
			var engine []int64
			for _, pr := range snap.Principals {
				engine = append(engine, pr.ID)
			}
			w := &walker{ctx: context.Background(), db: st.DB()}
			base, err := w.principals(tc.id)
			if err != nil {
				t.Fatal(err)
			}
			sort.Slice(engine, func(i, j int) bool { return engine[i] < engine[j] })
			sort.Slice(base, func(i, j int) bool { return base[i] < base[j] })
			if fmt.Sprint(engine) != fmt.Sprint(base) || len(base) != tc.want {
				t.Errorf("engine matched %v, baseline %v, want %d principals", engine, base, tc.want)
			}
		})
	}
}
