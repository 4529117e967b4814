package run

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/demo"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/internal/flow"
	"github.com/imageinvoker/imageinvoker/internal/setup"
	"github.com/imageinvoker/imageinvoker/pkg/express"
)

// actAsDS waits (until stop, at most 30s) for a schedule row newer than
// after in the SQLite store at path, then runs stmt on it (%d is its id),
// as DS would. It reports with t.Error: it runs beside the command.
func actAsDS(t *testing.T, stop <-chan struct{}, path string, after int64, stmt string) {
	db, err := sql.Open("sqlite", express.SQLiteDSN(path))
	if err != nil {
		t.Error(err)
		return
	}
	defer db.Close()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		select {
		case <-stop:
			return
		default:
		}
		var id sql.NullInt64
		if err := db.QueryRow(`SELECT MAX(schedule_id) FROM event_schedule WHERE schedule_id > ?`, after).Scan(&id); err != nil {
			t.Error(err)
			return
		}
		if id.Valid {
			if _, err := db.Exec(fmt.Sprintf(stmt, id.Int64)); err != nil {
				t.Error(err)
			}
			return
		}
	}
	t.Error("run queued nothing in 30s")
}

// `run --wait` loops over the flow's CheckPickup until DS picks the job up
// (its status moves on) or removes the row, and says which in the words
// the console uses.
func TestRunWaitsForThePickup(t *testing.T) {
	cases := []struct {
		name string
		ds   string
		want flow.PickupState
	}{
		{"picked up", "UPDATE event_schedule SET status = 'Running', status_code = 0 WHERE schedule_id = %d", flow.PickupTaken},
		{"gone", "DELETE FROM event_schedule WHERE schedule_id = %d", flow.PickupGone},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, ts := cmdutil.Test(nil)
			ts.In.WriteString("dave-demo\n")
			var ds sync.WaitGroup
			stop := make(chan struct{})
			cmd := cmdutil.TestRoot(NewCmd(f, func(ctx context.Context, o *Options) error {
				o.Build = func(ctx context.Context, cfg *config.Config, so setup.Options) (*setup.Env, error) {
					env, err := setup.Build(ctx, cfg, so)
					if err != nil {
						return nil, err
					}
					path := strings.TrimPrefix(env.Flow.Config().Store.URL, "sqlite:")
					var last int64
					if err := sqlScalar(path, `SELECT COALESCE(MAX(schedule_id), 0) FROM event_schedule`, &last); err != nil {
						return nil, err
					}
					ds.Add(1)
					go func() { defer ds.Done(); actAsDS(t, stop, path, last, tc.ds) }()
					return env, nil
				}
				return run(ctx, o)
			}))
			err := cmdutil.Execute(cmd, "run", "--demo", "--user", "dave", "--password-stdin", "--job", strconv.FormatInt(demo.JobInventoryOnly, 10), "--yes", "--wait")
			close(stop)
			ds.Wait()
			if err != nil {
				t.Fatalf("run --wait: exit %d: %v\n%s", exitcode.Of(err), err, ts.Err)
			}
			for _, w := range []string{flow.PickupPending.Sentence(), tc.want.Sentence()} {
				if !strings.Contains(ts.Err.String(), w) {
					t.Errorf("run --wait does not say %q:\n%s", w, ts.Err)
				}
			}
		})
	}
}

func sqlScalar(path, q string, v any) error {
	db, err := sql.Open("sqlite", express.SQLiteDSN(path))
	if err != nil {
		return err
	}
	defer db.Close()
	return db.QueryRow(q).Scan(v)
}
