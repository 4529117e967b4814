package flow

import (
	"context"
	"errors"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/pkg/express/expresstest"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// A permission revoked after the menu was built and before the job is
// queued refuses the queue with exit 5 and writes nothing: the flow hands
// the scheduler what it must decide again, and the scheduler decides from
// the permissions as they are inside its transaction. Mutation A (the flow
// passing no menu snapshot to Queue) must fail this test.
func TestQueueRevokedBetweenMenuAndQueue(t *testing.T) {
	for _, tc := range []struct {
		name   string
		revoke string
	}{
		// Job side: LAB\Techs reaches Utilities/BIOS update through folder
		// entries on Utilities and on the root; both are withdrawn.
		{"folder entry on the job side", `DELETE FROM securitypermissionlink WHERE permission_id = 66 AND user_id = 15000001 AND object_id IN (1000001, 1000004)`},
		// Computer side: the BIOS update runs a script; LAB\Techs may run
		// scripts on PC-042 only through its group Physics (11).
		{"task permission on the computer side", `DELETE FROM securitypermissionlink WHERE permission_id = 48 AND user_id = 15000001 AND object_id = 11`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, _, path := labFlow(t)
			ctx := context.Background()
			sess, mm := bobsMenu(t, ctx, f)
			e, err := f.Choose(mm, "Utilities/BIOS update")
			if err != nil {
				t.Fatalf("BIOS update must be on bob's menu before the revocation: %v", err)
			}
			execLab(t, path, tc.revoke)
			if t.Failed() {
				t.FailNow()
			}
			before := expresstest.FileScalar[int](t, path, `SELECT COUNT(*) FROM event_schedule`)
			res, err := f.Queue(ctx, sess, mm, e)
			if exitcode.Of(err) != exitcode.NotPermitted || !errors.Is(err, model.ErrNotPermitted) {
				t.Fatalf("queue after the revocation: %+v, err %v (exit %d); want exit %d, model.ErrNotPermitted",
					res, err, exitcode.Of(err), exitcode.NotPermitted)
			}
			if after := expresstest.FileScalar[int](t, path, `SELECT COUNT(*) FROM event_schedule`); after != before {
				t.Errorf("a refused queue wrote %d schedule row(s)", after-before)
			}
			// The revocation is real: a menu built now leaves the job out.
			if _, fresh := bobsMenu(t, ctx, f); fresh.Menu.Count != mm.Menu.Count-1 {
				t.Errorf("a fresh menu has %d jobs, want %d", fresh.Menu.Count, mm.Menu.Count-1)
			} else if _, err := f.Choose(fresh, "Utilities/BIOS update"); exitcode.Of(err) != exitcode.NotPermitted {
				t.Errorf("BIOS update still on a fresh menu: %v", err)
			}
		})
	}
}
