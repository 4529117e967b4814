package dsagent

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	demodata "github.com/imageinvoker/imageinvoker/internal/demo"
	"github.com/imageinvoker/imageinvoker/pkg/express/expresstest"
)

func TestAgentPicksUpPendingSchedulesAfterTheDelay(t *testing.T) {
	ctx := context.Background()
	url, err := demodata.NewStore(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	a, err := Start(ctx, expresstest.URL(t, url), time.Minute, time.Hour) // driven by Tick, not the ticker
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	db, err := sql.Open("sqlite", strings.TrimPrefix(url, "sqlite:")+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const id = 199999999
	if _, err := db.ExecContext(ctx, `INSERT INTO event_schedule(schedule_id, computer_id, event_id, status) VALUES (?, ?, ?, 'Scheduled')`,
		id, demodata.ComputerID, 2000001); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	steps := []struct {
		name       string
		at         time.Time
		wantStatus string
	}{
		{"first seen: left alone", now, "Scheduled"},
		{"before the delay: left alone", now.Add(30 * time.Second), "Scheduled"},
		{"after the delay: picked up", now.Add(time.Minute), PickedUpStatus},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if _, err := a.Tick(ctx, st.at); err != nil {
				t.Fatal(err)
			}
			var status string
			if err := db.QueryRowContext(ctx, `SELECT status FROM event_schedule WHERE schedule_id = ?`, id).Scan(&status); err != nil {
				t.Fatal(err)
			}
			if status != st.wantStatus {
				t.Errorf("status %q, want %q", status, st.wantStatus)
			}
		})
	}
}

func TestStartRefusesANonSQLiteStore(t *testing.T) {
	if _, err := Start(context.Background(), expresstest.URL(t, "sqlserver://ds1/eXpress"), time.Second, time.Second); err == nil {
		t.Fatal("Start accepted a SQL Server store: the stand-in must only ever touch the demo")
	}
}
