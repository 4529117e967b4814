package express_test

import (
	"context"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/pkg/express"
	"github.com/imageinvoker/imageinvoker/pkg/express/expresstest"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// DS writes rights with wc_ins_security_privilege_link and reads them back
// as privilege_id: a store laid out with securityprivilegelink and without
// securityrightlink opens, and its Administrative right counts. The older
// securityrightlink(right_id, user_id) reading still works; with neither
// (and no DS to ask, as on SQLite) the store opens, nobody is an
// administrator, and the snapshot says why.
func TestRightsLayouts(t *testing.T) {
	admin := model.Identity{User: `.\admin`, DSAccount: true}
	for _, tt := range []struct {
		name      string
		stmts     []string
		wantAdmin bool
	}{
		{"securityprivilegelink only", []string{
			"DROP TABLE IF EXISTS securityrightlink",
			"DROP TABLE IF EXISTS securityprivilegelink",
			"CREATE TABLE securityprivilegelink(user_id INT, privilege_id INT)",
			"INSERT INTO securityprivilegelink VALUES (14000004, 1), (15000001, 2)",
		}, true},
		{"securityrightlink only", []string{
			"DROP TABLE IF EXISTS securityrightlink",
			"DROP TABLE IF EXISTS securityprivilegelink",
			"CREATE TABLE securityrightlink(right_id INT, user_id INT)",
			"INSERT INTO securityrightlink VALUES (1, 14000004), (2, 15000001)",
		}, true},
		{"no rights table", []string{
			"DROP TABLE IF EXISTS securityrightlink",
			"DROP TABLE IF EXISTS securityprivilegelink",
		}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			path := expresstest.NewFile(t, expresstest.Fixture(t, "basic.sql"))
			expresstest.Exec(t, path, tt.stmts...)
			s, err := express.Open(ctx, expresstest.URL(t, "sqlite:"+path), express.OpenOptions{})
			if err != nil {
				t.Fatalf("store refused at open: %v", err)
			}
			defer s.Close()
			snap, err := s.Snapshot(ctx, pc01(t, s), admin, express.SnapshotOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(snap.Principals) != 1 || snap.Principals[0].Admin != tt.wantAdmin {
				t.Fatalf("principals = %+v, want admin %v", snap.Principals, tt.wantAdmin)
			}
			noted := strings.Contains(strings.Join(snap.Notes, "\n"), "nobody counts as holding the Administrative right")
			if noted == tt.wantAdmin {
				t.Errorf("notes = %q (a fail-closed note expected: %v)", snap.Notes, !tt.wantAdmin)
			}
			// The right group of another privilege (2) is not the Administrative one.
			tech, err := s.Snapshot(ctx, pc01(t, s), tech1, express.SnapshotOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range tech.Principals {
				if p.Admin {
					t.Errorf("%s counts as administrator through another right", p.Name)
				}
			}
		})
	}
}
