package express_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/imageinvoker/imageinvoker/pkg/access"
	"github.com/imageinvoker/imageinvoker/pkg/dscipher"
	"github.com/imageinvoker/imageinvoker/pkg/express"
	"github.com/imageinvoker/imageinvoker/pkg/express/expresstest"
)

// A console user DS stored under its UPN (securityuser.upnname, through the
// DS cipher) is the AD technician whose UPN it is, as DS's GetMatchingUser
// decides; without the UPN it is not.
func TestSnapshotMatchesUPN(t *testing.T) {
	ctx := context.Background()
	path := expresstest.LabFile(t, fmt.Sprintf(
		"INSERT INTO securityuser(user_id, username, netbiosdomain, upnname) VALUES (14000020, '%s', 'LAB', '%s')",
		dscipher.Encrypt("asmith"), dscipher.Encrypt("Alice.Smith@lab.example")))
	s := expresstest.Open(t, path, express.OpenOptions{})
	for _, tt := range []struct {
		upn  string
		want bool
	}{{"alice.smith@lab.example", true}, {"", false}, {"alice@lab.example", false}} {
		id := alice
		id.UPN = tt.upn
		snap, err := s.Snapshot(ctx, labComputer(t, s), id, express.SnapshotOptions{})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, p := range snap.Principals {
			found = found || p.ID == 14000020
		}
		if found != tt.want {
			t.Errorf("UPN %q: console user by upnname matched %v, want %v (%+v)", tt.upn, found, tt.want, snap.Principals)
		}
	}
}

// DS creates hidden console users for AD users ("Internal AD User",
// ImportInternalADUser, wc_upd_user_as_hidden): such a row, with no entries
// of its own, changes no one's menu.
func TestInternalADUserChangesNothing(t *testing.T) {
	ctx := context.Background()
	menu := func(extra ...string) map[int64]bool {
		s := expresstest.Open(t, expresstest.LabFile(t, extra...), express.OpenOptions{})
		snap, err := s.Snapshot(ctx, labComputer(t, s), alice, express.SnapshotOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ev := access.New(snap)
		out := map[int64]bool{}
		for id := range snap.Jobs {
			out[id] = ev.Allowed(id)
		}
		return out
	}
	before := menu()
	after := menu(fmt.Sprintf(
		"INSERT INTO securityuser(user_id, username, description, netbiosdomain, domain) VALUES (14000030, '%s', 'Internal AD User', 'LAB', 'lab.example')",
		dscipher.Encrypt("alice")))
	if !reflect.DeepEqual(before, after) {
		t.Errorf("menu before %v, after an Internal AD User row %v", before, after)
	}
	allowed := 0
	for _, ok := range before {
		if ok {
			allowed++
		}
	}
	if allowed == 0 {
		t.Fatal("LAB\\alice has an empty menu: the comparison proves nothing")
	}
}
