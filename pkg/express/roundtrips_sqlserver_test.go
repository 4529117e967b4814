package express

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// snapshotServer scripts the menu's statements on top of queueServer: the
// folders ImageInvoker/Imaging/Deep, one candidate job in Deep (the seed
// row names ImageInvoker as a top the statement walked), its image task.
// principals, when not nil, replaces the console users and groups.
func snapshotServer(run queueRun, principals resultSet) answerFunc {
	queue := queueServer(run)
	return func(text string, args []driver.NamedValue) ([]resultSet, error) {
		switch {
		case strings.HasPrefix(text, "SELECT folder_id, parent_id, name FROM event_folder"):
			return []resultSet{{
				{int64(1000001), nil, "ImageInvoker"},
				{int64(1000002), int64(1000001), "Imaging"},
				{int64(1000003), int64(1000002), "Deep"},
			}}, nil
		case strings.Contains(text, "WITH sub(") && strings.Contains(text, "FROM task t"):
			return []resultSet{{{int64(2000002), int64(1), int64(1), int64(15), int64(0), nil}}}, nil
		case strings.Contains(text, "WITH sub(") && strings.Contains(text, "AS kind"):
			return []resultSet{{
				{int64(1), int64(2000002), "Deploy Win11", int64(1000003), nil, int64(0)},
				{int64(3), int64(1000001), nil, nil, nil, int64(0)},
			}}, nil
		case principals != nil && strings.HasPrefix(text, "SELECT 1 AS kind"):
			return []resultSet{principals}, nil
		}
		return queue(text, args)
	}
}

// The SQL Server round trips of the console's two waits, counted on the
// recorder (what go-mssqldb would be handed; one call is one batch, one
// round trip): Enter → menu is the snapshot on the session's store, opened
// (login, ping, discovery) while the directory checked the password;
// Confirm → queued is the queue transaction, BEGIN and COMMIT included.
// scripts/bench-latency prints these counts next to its measured figures.
func TestSQLServerRoundTrips(t *testing.T) {
	ctx := context.Background()
	pc := model.Computer{ID: 5000001, Name: "PC-01", GroupID: 12}
	kinds := func(cs []recCall) string {
		var out []string
		for _, c := range cs {
			out = append(out, c.kind)
		}
		return strings.Join(out, " ")
	}

	// Cold: the snapshot is two batches. (DS knows tech1 as a logged-on
	// user, as after the first queue.)
	s, rec := recordingStore(t, OpenOptions{}, snapshotServer(queueRun{knownUser: 3}, nil))
	if _, err := s.Schema(ctx); err != nil {
		t.Fatal(err)
	}
	opened := len(rec.Calls())
	snap, err := s.Snapshot(ctx, pc, tech1Identity, model.SnapshotOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if snap.Jobs[testJob.ID] == nil {
		t.Fatalf("the scripted job is not a candidate: %v", sent(rec))
	}
	cold := len(rec.Calls()) - opened
	if cold > 2 {
		t.Errorf("cold snapshot: %d round trips, want at most 2: %v", cold, sent(rec)[opened:])
	}

	// Prefetched: one batch after Enter.
	s2, rec2 := recordingStore(t, OpenOptions{}, snapshotServer(queueRun{}, nil))
	if err := s2.Prefetch(ctx, pc, model.SnapshotOptions{}); err != nil {
		t.Fatal(err)
	}
	entered := len(rec2.Calls())
	snap2, err := s2.Snapshot(ctx, pc, tech1Identity, model.SnapshotOptions{})
	if err != nil {
		t.Fatal(err)
	}
	warm := len(rec2.Calls()) - entered
	if warm != 1 {
		t.Errorf("prefetched snapshot: %d round trips after Enter, want 1: %v", warm, sent(rec2)[entered:])
	}
	if !reflect.DeepEqual(snap.Links, snap2.Links) || !reflect.DeepEqual(snap.Principals, snap2.Principals) || len(snap2.Links) == 0 {
		t.Errorf("prefetched snapshot differs: links %v / %v, principals %v / %v", snap.Links, snap2.Links, snap.Principals, snap2.Principals)
	}

	menu := len(rec.Calls())
	res, err := s.Queue(ctx, model.QueueRequest{
		Computer: pc, Job: testJob, UserName: `LAB\tech1`, UserFullName: "Tech One",
		ConsoleUserID: 14000001, Menu: snap, Identity: &tech1Identity,
	})
	if err != nil || res.AlreadyQueued {
		t.Fatalf("queue: %+v, %v", res, err)
	}
	calls := rec.Calls()
	if calls[menu].kind != "begin" || calls[len(calls)-1].kind != "commit" {
		t.Errorf("the queue is not one transaction: %s", kinds(calls[menu:]))
	}
	// BEGIN; every read with the menu principals' links, one batch;
	// wc_ins_schedule; wc_sel_loggedon_users; wc_ins_schedule_info; the
	// row read back; COMMIT.
	if n := len(calls) - menu; n != 7 || len(batchParts(calls[menu+1])) != 10 {
		t.Errorf("queue: %d round trips (%s), its reads in %d statements; want 7, the reads in one batch of 10", n, kinds(calls[menu:]), len(batchParts(calls[menu+1])))
	}
	t.Logf("sqlserver-roundtrips menu=%d prefetched=%d queue=%d", cold, warm, len(calls)-menu)
	t.Logf("menu: %s; queue: %s", kinds(calls[opened:menu]), kinds(calls[menu:]))
}

// The menu's batches on SQL Server, written out (not taken from the code
// under test): what does not depend on who signs in, in one batch, then the
// matched principals' links; after Prefetch, the links ride with the
// fresh first batch.
const (
	principalsText = `SELECT 1 AS kind, u.user_id AS id, u.username AS name, u.domain AS dns, u.netbiosdomain AS nb, r.user_id AS ref, u.upnname AS upn
  FROM securityuser u
  LEFT JOIN securityprivilegelink r ON r.user_id = u.user_id AND r.privilege_id = @adminRight
UNION ALL
SELECT 2, g.group_id, g.name, g.ad_group_domain, g.ad_group_netbiosdomain, r.user_id, NULL
  FROM securitygroup g
  LEFT JOIN securityprivilegelink r ON r.user_id = g.group_id AND r.privilege_id = @adminRight
UNION ALL
SELECT 3, m.group_id, NULL, NULL, NULL, m.user_id, NULL
  FROM securitygroupmember m`
	groupChainText = `WITH up(group_id, parent_id, name, depth) AS (
  SELECT group_id, parent_id, name, 0 FROM computer_group WHERE group_id = @groupId
  UNION ALL
  SELECT g.group_id, g.parent_id, g.name, u.depth + 1 FROM computer_group g JOIN up u ON g.group_id = u.parent_id WHERE u.depth < @maxDepth
)
SELECT group_id, parent_id, name FROM up`
	subByNameText = `WITH sub(folder_id, depth) AS (
  SELECT folder_id, 0 FROM event_folder WHERE LOWER(LTRIM(RTRIM(name))) = @rootName
  UNION ALL
  SELECT f.folder_id, s.depth + 1 FROM event_folder f JOIN sub s ON f.parent_id = s.folder_id WHERE s.depth < @maxDepth
)`
	candidateText = `
 e.folder_id IN (SELECT folder_id FROM sub)
 OR LOWER(CAST(e.description AS NVARCHAR(4000))) LIKE @tagPlain ESCAPE '\'
 OR LOWER(CAST(e.description AS NVARCHAR(4000))) LIKE @tagNamed ESCAPE '\'`
	firstBatchText = principalsText + ";\n\n" +
		"SELECT folder_id, parent_id, name FROM event_folder;\n\n" +
		subByNameText + `
SELECT 1 AS kind, e.event_id, e.name, e.folder_id, e.description,
       CASE WHEN (LOWER(CAST(e.description AS NVARCHAR(4000))) LIKE @tagPlain ESCAPE '\'
 OR LOWER(CAST(e.description AS NVARCHAR(4000))) LIKE @tagNamed ESCAPE '\') THEN 1 ELSE 0 END AS tagged
  FROM event e
 WHERE (` + candidateText + `)
    OR e.event_id IN (SELECT h.handler FROM task_return_handlers h)
UNION ALL
SELECT 2, r.event_id, NULL, r.handler, NULL, 0 FROM task_return_handlers r
UNION ALL
SELECT 3, folder_id, NULL, NULL, NULL, 0 FROM sub WHERE depth = 0
 ORDER BY 1, 2;

` + subByNameText + `
SELECT t.event_id, t.cond_seq, t.task_seq, t.task_type, i.create_image, r.reboot_method
  FROM task t
  LEFT JOIN image_task i ON i.event_id = t.event_id AND i.cond_seq = t.cond_seq AND i.task_seq = t.task_seq
  LEFT JOIN reboot_task r ON r.event_id = t.event_id AND r.cond_seq = t.cond_seq AND r.task_seq = t.task_seq
 WHERE t.event_id IN (SELECT e.event_id FROM event e WHERE` + candidateText + `)
    OR t.event_id IN (SELECT h.handler FROM task_return_handlers h) ORDER BY t.event_id, t.cond_seq, t.task_seq;

` + groupChainText
	firstBatchArgs = "adminRight int 1; maxDepth int 40; tagPlain string %\\[imageinvoker]%; tagNamed string %\\[imageinvoker:%; rootName string imageinvoker; groupId int64 12"
	linksText      = `SELECT permission_id, user_id, object_id, allow FROM securitypermissionlink
 WHERE user_id IN (%s)
   AND (permission_id = @permJob
        OR (permission_id IN (@pe0,@pe1,@pe2,@pe3,@pe4,@pe5,@pe6,@pe7,@pe8,@pe9,@pe10,@pe11,@pe12,@pe13,@pe14,@pe15) AND object_id IN (@ob0,@ob1,@ob2,@ob3)))`
	linksArgs = "permJob int 66; pe0 int 39; pe1 int 40; pe2 int 41; pe3 int 42; pe4 int 43; pe5 int 44; pe6 int 45; pe7 int 46; pe8 int 47; pe9 int 48; pe10 int 49; pe11 int 50; pe12 int 51; pe13 int 52; pe14 int 53; pe15 int 64; " +
		"ob0 int64 -1; ob1 int64 11; ob2 int64 12; ob3 int64 5000001"
)

func TestSnapshotBatchesContract(t *testing.T) {
	ctx := context.Background()
	pc := model.Computer{ID: 5000001, Name: "PC-01", GroupID: 12}
	links := func(prs ...string) (string, string) {
		var ph, args []string
		for i, p := range prs {
			ph = append(ph, "@pr"+strconv.Itoa(i))
			args = append(args, "pr"+strconv.Itoa(i)+" int64 "+p)
		}
		return fmt.Sprintf(linksText, strings.Join(ph, ",")), strings.Join(args, "; ")
	}
	both, bothArgs := links("14000001", "15000001")

	t.Run("cold: two batches", func(t *testing.T) {
		s, rec := recordingStore(t, OpenOptions{}, snapshotServer(queueRun{}, nil))
		snap, err := s.Snapshot(ctx, pc, tech1Identity, model.SnapshotOptions{})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"discover",
			"query " + firstBatchText + " [" + firstBatchArgs + "]",
			"query " + both + " [" + linksArgs + "; " + bothArgs + "]",
		}
		if got := sent(rec); !reflect.DeepEqual(got, want) {
			t.Errorf("sent:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if snap.Statements != 6 || len(snap.Links) != 2 || snap.RootFolderID != 1000001 || len(snap.ComputerGroups) != 2 {
			t.Errorf("snapshot: %d statements, links %v, root %d, groups %v", snap.Statements, snap.Links, snap.RootFolderID, snap.ComputerGroups)
		}
	})

	t.Run("prefetched: the links ride with the fresh first batch", func(t *testing.T) {
		s, rec := recordingStore(t, OpenOptions{}, snapshotServer(queueRun{}, nil))
		if err := s.Prefetch(ctx, pc, model.SnapshotOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Snapshot(ctx, pc, tech1Identity, model.SnapshotOptions{}); err != nil {
			t.Fatal(err)
		}
		want := []string{"discover",
			"query " + principalsText + ";\n\n" + groupChainText + " [adminRight int 1; groupId int64 12; maxDepth int 40]",
			"query " + firstBatchText + ";\n\n" + both + " [" + firstBatchArgs + "; " + linksArgs + "; " + bothArgs + "]",
		}
		if got := sent(rec); !reflect.DeepEqual(got, want) {
			t.Errorf("sent:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		// Taken once: the next snapshot is cold again.
		before := len(rec.Calls())
		if _, err := s.Snapshot(ctx, pc, tech1Identity, model.SnapshotOptions{}); err != nil {
			t.Fatal(err)
		}
		if n := len(rec.Calls()) - before; n != 2 {
			t.Errorf("second snapshot: %d round trips, want 2 (nothing prefetched left)", n)
		}
	})

	// Where no column tells create from distribute (DS's own layout), DS is
	// asked about the image tasks with the links: still two batches, the
	// procedure calls last in the second.
	t.Run("image tasks asked with the links", func(t *testing.T) {
		script := snapshotServer(queueRun{}, nil)
		s, rec := recordingStore(t, OpenOptions{}, func(text string, args []driver.NamedValue) ([]resultSet, error) {
			switch {
			case isDiscovery(text):
				on := int64(1)
				return discoveryAnswer(map[string]bool{"image_task.create_image": true}, allProcs(), &on), nil
			case strings.HasPrefix(text, "EXEC wc_sel_inage_task_type"):
				if len(args) != 3 || args[0].Value != int64(2000002) {
					return nil, fmt.Errorf("asked about %v", argSig(args))
				}
				return []resultSet{{{int64(0)}}}, nil // distribute
			}
			return script(text, args)
		})
		snap, err := s.Snapshot(ctx, pc, tech1Identity, model.SnapshotOptions{})
		if err != nil {
			t.Fatal(err)
		}
		calls := rec.Calls()
		if len(calls) != 3 {
			t.Fatalf("%d round trips after discovery, want 2: %v", len(calls)-1, sent(rec))
		}
		parts := batchParts(calls[2])
		if len(parts) != 2 || !strings.HasPrefix(parts[0], "SELECT permission_id") ||
			parts[1] != "EXEC wc_sel_inage_task_type @jobId = @j0, @condSeq = @c0, @taskSeq = @t0" {
			t.Errorf("second batch: %q", parts)
		}
		if tk := snap.Jobs[2000002].Tasks[0]; tk.CreateImage == nil || *tk.CreateImage || tk.DetailNote != "" {
			t.Errorf("image task %+v, want distribute as DS answered", tk)
		}
	})

	// The console groups changed between the prefetch and Enter: tech1's
	// group is new. The links read with the fresh batch were for the old
	// match, so they are read again for the fresh one, and the decision is
	// made on those.
	t.Run("prefetched, then changed: read again", func(t *testing.T) {
		oldPrincipals := resultSet{
			{int64(1), int64(14000001), "S_MSAIuLDKv_^P", "lab.example", "LAB", nil, nil},
			{int64(2), int64(15000002), "Domain Admins", nil, "LAB", int64(15000002), nil},
		}
		var answered int
		script := snapshotServer(queueRun{}, nil)
		s, rec := recordingStore(t, OpenOptions{}, func(text string, args []driver.NamedValue) ([]resultSet, error) {
			if strings.HasPrefix(text, "SELECT 1 AS kind, u.user_id") {
				answered++
				if answered == 1 {
					return []resultSet{oldPrincipals}, nil
				}
			}
			return script(text, args)
		})
		if err := s.Prefetch(ctx, pc, model.SnapshotOptions{}); err != nil {
			t.Fatal(err)
		}
		snap, err := s.Snapshot(ctx, pc, tech1Identity, model.SnapshotOptions{})
		if err != nil {
			t.Fatal(err)
		}
		only, onlyArgs := links("14000001")
		want := []string{"discover",
			"query " + principalsText + ";\n\n" + groupChainText + " [adminRight int 1; groupId int64 12; maxDepth int 40]",
			"query " + firstBatchText + ";\n\n" + only + " [" + firstBatchArgs + "; " + linksArgs + "; " + onlyArgs + "]",
			"query " + both + " [" + linksArgs + "; " + bothArgs + "]",
		}
		if got := sent(rec); !reflect.DeepEqual(got, want) {
			t.Errorf("sent:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		var groupLink bool
		for _, l := range snap.Links {
			groupLink = groupLink || l.PrincipalID == 15000001
		}
		if len(snap.Principals) != 2 || !groupLink {
			t.Errorf("decided on the prefetched principals: %v, links %v", snap.Principals, snap.Links)
		}
	})
}

// Where no column tells create from distribute, the queue asks DS about the
// menu job's image tasks with its reads (the calls last in the batch), and
// takes the answers because the job's image tasks are still those: no round
// trip of its own. A job whose image tasks changed is asked about again.
func TestQueueAsksImageTypesWithItsReads(t *testing.T) {
	for _, tt := range []struct {
		name  string
		tasks resultSet
		trips int
		err   error
	}{
		// BEGIN, the reads, the links (no menu in the request: read once
		// the identity is matched), wc_ins_schedule, wc_sel_loggedon_users,
		// wc_ins_schedule_info, the read back, COMMIT.
		{"the menu's image task", resultSet{{int64(2000002), int64(1), int64(1), int64(15), nil, nil}}, 8, nil},
		// BEGIN, the reads, DS asked about the new task, ROLLBACK.
		{"another image task now", resultSet{{int64(2000002), int64(1), int64(2), int64(15), nil, nil}}, 4, model.ErrJobChanged},
	} {
		t.Run(tt.name, func(t *testing.T) {
			queue := queueServer(queueRun{knownUser: 3})
			var asked [][]string
			s, rec := recordingStore(t, OpenOptions{}, func(text string, args []driver.NamedValue) ([]resultSet, error) {
				switch {
				case isDiscovery(text):
					on := int64(1)
					return discoveryAnswer(map[string]bool{"image_task.create_image": true}, allProcs(), &on), nil
				case strings.HasPrefix(text, "SELECT t.event_id"):
					return []resultSet{tt.tasks}, nil
				case strings.HasPrefix(text, "EXEC wc_sel_inage_task_type"):
					asked = append(asked, argSig(args))
					return []resultSet{{{int64(0)}}}, nil // distribute
				}
				return queue(text, args)
			})
			if _, err := s.Schema(context.Background()); err != nil {
				t.Fatal(err)
			}
			_, err := s.Queue(context.Background(), model.QueueRequest{
				Computer: model.Computer{ID: 5000001, Name: "PC-01", GroupID: 12}, Job: testJob,
				UserName: `LAB\tech1`, ConsoleUserID: 14000001, Identity: &tech1Identity,
			})
			if !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
				t.Fatalf("queue: %v, want %v", err, tt.err)
			}
			calls := rec.Calls()[1:]
			parts := batchParts(calls[1])
			if last := parts[len(parts)-1]; last != "EXEC wc_sel_inage_task_type @jobId = @j0, @condSeq = @c0, @taskSeq = @t0" {
				t.Errorf("the reads end with %q, want the menu job's image task asked", last)
			}
			if n := len(calls); n != tt.trips {
				t.Errorf("%d round trips, want %d: %v", n, tt.trips, sent(rec)[1:])
			}
			if tt.err != nil && (len(asked) != 2 || asked[1][2] != "t0 int 2") {
				t.Errorf("the changed task was not asked about again: %v", asked)
			}
		})
	}
}
