// Package dsagent is the demo's stand-in for Deployment Server itself. In a
// real site DS's own service notices a new `event_schedule` row, contacts
// the machine's agent and moves the row's status on; the demo has no DS, so
// this goroutine does that to the demo store a few seconds after a schedule
// appears, and the console's Queued screen shows the pick-up as it would
// against a real DS. It is never used outside the demo and its tests.
package dsagent

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/imageinvoker/imageinvoker/pkg/express"
	_ "modernc.org/sqlite" // the demo store is SQLite
)

// PickedUpStatus and PickedUpCode are what the stand-in writes, the way DS
// marks a schedule its agent has started.
const (
	PickedUpStatus = "Running"
	PickedUpCode   = 0
)

// Agent watches one demo store.
type Agent struct {
	db    *sql.DB
	delay time.Duration
	every time.Duration

	mu     sync.Mutex
	seen   map[int64]time.Time
	picked []int64
	done   chan struct{}
	stop   context.CancelFunc
}

// Start opens the demo store (a sqlite: store) and picks up every pending
// schedule delay after it first sees it, checking every poll interval.
func Start(ctx context.Context, store express.URL, delay, every time.Duration) (*Agent, error) {
	if store.Dialect != express.DialectSQLite {
		return nil, fmt.Errorf("demo DS agent: %s is not a sqlite: store", store.Short())
	}
	// The console's store has the file open too: wait for its locks instead of failing.
	db, err := sql.Open("sqlite", express.SQLiteDSN(store.Path))
	if err != nil {
		return nil, fmt.Errorf("demo DS agent: open store: %w", err)
	}
	db.SetMaxOpenConns(1)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("demo DS agent: open store: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	a := &Agent{db: db, delay: delay, every: every, seen: map[int64]time.Time{}, done: make(chan struct{}), stop: cancel}
	go a.run(ctx)
	return a, nil
}

// Close stops the agent and closes its connection.
func (a *Agent) Close() error {
	a.stop()
	<-a.done
	return a.db.Close()
}

func (a *Agent) run(ctx context.Context) {
	defer close(a.done)
	t := time.NewTicker(a.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			// A failed round is retried on the next tick; the demo has no one to report to.
			_, _ = a.Tick(ctx, now)
		}
	}
}

// Tick runs one round: note new pending schedules, pick up those seen at
// least delay ago. It returns how many were picked up.
func (a *Agent) Tick(ctx context.Context, now time.Time) (int, error) {
	rows, err := a.db.QueryContext(ctx,
		`SELECT schedule_id FROM event_schedule WHERE status IS NULL OR status = '' OR LOWER(status) = 'scheduled'`)
	if err != nil {
		return 0, fmt.Errorf("demo DS agent: read schedules: %w", err)
	}
	var pending []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			_ = rows.Close()
			return 0, fmt.Errorf("demo DS agent: read schedules: %w", err)
		}
		pending = append(pending, id)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return 0, fmt.Errorf("demo DS agent: read schedules: %w", err)
	}
	a.mu.Lock()
	var due []int64
	for _, id := range pending {
		first, ok := a.seen[id]
		if !ok {
			a.seen[id] = now
			first = now
		}
		if now.Sub(first) >= a.delay {
			due = append(due, id)
		}
	}
	a.mu.Unlock()
	n := 0
	for _, id := range due {
		if _, err := a.db.ExecContext(ctx,
			`UPDATE event_schedule SET status = ?, status_code = ? WHERE schedule_id = ?`, PickedUpStatus, PickedUpCode, id); err != nil {
			return n, fmt.Errorf("demo DS agent: pick up schedule %d: %w", id, err)
		}
		n++
		a.mu.Lock()
		a.picked = append(a.picked, id)
		a.mu.Unlock()
	}
	return n, nil
}

// Picked lists the schedules this agent picked up, in order.
func (a *Agent) Picked() []int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]int64(nil), a.picked...)
}

// Pending counts the schedules still waiting for a pick-up.
func (a *Agent) Pending(ctx context.Context) (int, error) {
	var n int
	err := a.db.QueryRowContext(ctx,
		`SELECT COUNT(*) FROM event_schedule WHERE status IS NULL OR status = '' OR LOWER(status) = 'scheduled'`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("demo DS agent: read schedules: %w", err)
	}
	return n, nil
}
