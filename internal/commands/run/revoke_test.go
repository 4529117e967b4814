package run

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/internal/flow"
	"github.com/imageinvoker/imageinvoker/internal/setup"
	"github.com/imageinvoker/imageinvoker/pkg/express/expresstest"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// revokeFirst is the real scheduler, with a DS administrator's change
// applied to the database the moment the job is handed over: after run has
// built the menu and chosen the job, before the queue transaction.
type revokeFirst struct {
	flow.Scheduler
	t      *testing.T
	path   string
	revoke string
}

func (r revokeFirst) Queue(ctx context.Context, req model.QueueRequest) (model.QueueResult, error) {
	expresstest.Exec(r.t, r.path, r.revoke)
	return r.Scheduler.Queue(ctx, req)
}

// Close is the reader's: the store is both, and the session closes it once.
func (revokeFirst) Close() error { return nil }

// revokingBuilder is setup.Build over the real implementations, but with
// the scheduler wrapped in revokeFirst.
func revokingBuilder(t *testing.T, path, revoke string) setup.Builder {
	impl := setup.Real()
	scheduler := impl.OpenScheduler
	impl.OpenScheduler = func(ctx context.Context, cfg *config.Config, r flow.Reader, creds *flow.Credentials) (flow.Scheduler, error) {
		s, err := scheduler(ctx, cfg, r, creds)
		if err != nil || revoke == "" {
			return s, err
		}
		return revokeFirst{Scheduler: s, t: t, path: path, revoke: revoke}, nil
	}
	return impl.Builder()
}

// `imageinvoker run` refuses with exit 5, writing nothing, when a
// permission is revoked between the menu and the queue: separately a folder
// entry on the job side and a task permission on the computer side. The
// technician is the lab's DS console account .\kiosk (group Bench: the
// Utilities folder, run script on All Computers), so no directory is
// needed. Mutation A (flow.Queue passing no menu snapshot) must fail it.
func TestRunRevokedBetweenMenuAndQueue(t *testing.T) {
	for _, tc := range []struct {
		name   string
		revoke string
		code   int
	}{
		{"nothing revoked", "", exitcode.OK},
		{"folder entry on the job side", `DELETE FROM securitypermissionlink WHERE permission_id = 66 AND user_id = 15000005 AND object_id = 1000004`, exitcode.NotPermitted},
		{"task permission on the computer side", `DELETE FROM securitypermissionlink WHERE permission_id = 48 AND user_id = 15000005 AND object_id = -1`, exitcode.NotPermitted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := expresstest.LabFile(t)
			cfgFile := cmdutil.WriteFile(t, t.TempDir(), "imageinvoker.yaml",
				"store:\n  url: 'sqlite:"+path+"'\ndirectory:\n  ds_accounts: true\npolicy:\n  allow_overrides: true\n")
			f, ts := cmdutil.Test(nil)
			ts.In.WriteString("kiosk-demo\n")
			var runErr error
			reached := false
			cmd := cmdutil.TestRoot(NewCmd(f, func(ctx context.Context, o *Options) error {
				reached = true
				o.Build = revokingBuilder(t, path, tc.revoke)
				runErr = run(ctx, o)
				return runErr
			}))
			before := expresstest.FileScalar[int](t, path, `SELECT COUNT(*) FROM event_schedule`)
			err := cmdutil.Execute(cmd, "run", "--config", cfgFile, "--mac", "AA:BB:CC:DD:EE:FF",
				"--user", `.\kiosk`, "--password-stdin", "--job", "Utilities/BIOS update", "--yes", "--json")
			if !reached {
				t.Fatalf("run was not reached: %v", err)
			}
			if code := exitcode.Of(err); code != tc.code {
				t.Fatalf("exit %d, want %d: %v; stderr %s", code, tc.code, err, ts.Err)
			}
			after := expresstest.FileScalar[int](t, path, `SELECT COUNT(*) FROM event_schedule`)
			if tc.code == exitcode.OK {
				if after != before+1 || !strings.Contains(ts.Out.String(), `"schedule_id":`) {
					t.Fatalf("nothing queued: %d → %d rows, %s", before, after, ts.Out)
				}
				return
			}
			if !errors.Is(err, model.ErrNotPermitted) || !strings.Contains(err.Error(), "nothing was queued") {
				t.Errorf("err = %v; want model.ErrNotPermitted saying nothing was queued", err)
			}
			if after != before {
				t.Errorf("a refused run wrote %d schedule row(s)", after-before)
			}
			if ts.Out.Len() != 0 {
				t.Errorf("a refused run printed a result: %s", ts.Out)
			}
		})
	}
}
