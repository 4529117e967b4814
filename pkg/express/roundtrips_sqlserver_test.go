package express

import (
	"context"
	"database/sql/driver"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// The SQL Server round trips of the console's two waits, counted on the
// recorder (what go-mssqldb would be handed; every statement is its own
// batch, so its own round trip): Enter → menu is discovery on the
// session's fresh store plus the snapshot (the machine was found before
// sign-in with store.auth: url); Confirm → queued is the queue
// transaction, BEGIN and COMMIT included. The login (TCP, prelogin, TLS,
// LOGIN7) and the ping that opens the store come on top; scripts/bench
// prints these counts next to its measured SQLite figures.
func TestSQLServerRoundTrips(t *testing.T) {
	queue := queueServer(queueRun{})
	s, rec := recordingStore(t, OpenOptions{}, func(text string, args []driver.NamedValue) ([]resultSet, error) {
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
			return []resultSet{{{int64(1), int64(2000002), "Deploy Win11", int64(1000003), nil, int64(1)}}}, nil
		}
		return queue(text, args)
	})
	ctx := context.Background()
	pc := model.Computer{ID: 5000001, Name: "PC-01", GroupID: 12}
	snap, err := s.Snapshot(ctx, pc, tech1Identity, model.SnapshotOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if snap.Jobs[testJob.ID] == nil {
		t.Fatalf("the scripted job is not a candidate: %v", sent(rec))
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
	kinds := func(cs []recCall) string {
		var out []string
		for _, c := range cs {
			out = append(out, c.kind)
		}
		return strings.Join(out, " ")
	}
	if menu < 2 || len(calls)-menu < 3 {
		t.Fatalf("menu %d, queue %d round trips: %v", menu, len(calls)-menu, sent(rec))
	}
	if calls[menu].kind != "begin" || calls[len(calls)-1].kind != "commit" {
		t.Errorf("the queue is not one transaction: %s", kinds(calls[menu:]))
	}
	t.Logf("sqlserver-roundtrips menu=%d queue=%d", menu, len(calls)-menu)
	t.Logf("menu: %s; queue: %s", kinds(calls[:menu]), kinds(calls[menu:]))
}
