package access

import (
	"testing"

	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// DS's RemotedObject::GetMatchingUser matches the user part against the
// console user's name or, with a domain, the whole UPN against its
// upnname: a console user stored under another name (DS imported it by
// UPN) is the technician when the UPNs agree, and only then.
func TestMatchesUPN(t *testing.T) {
	withUPN := func(name, nb, upn string) model.ConsolePrincipal {
		p := user(name, nb, "")
		p.UPN = upn
		return p
	}
	alice := model.Identity{User: `LAB\alice`, UPN: "alice.smith@lab.example", Domains: labDomains}
	for _, tt := range []struct {
		name    string
		console model.ConsolePrincipal
		id      model.Identity
		want    bool
	}{
		{"upnname equals the UPN", withUPN("asmith", "LAB", "alice.smith@lab.example"), alice, true},
		{"upnname differs only in case", withUPN("asmith", "LAB", "Alice.Smith@LAB.example"), alice, true},
		{"another UPN", withUPN("asmith", "LAB", "alice.smith@other.example"), alice, false},
		{"no UPN on the identity", withUPN("asmith", "LAB", "alice.smith@lab.example"), model.Identity{User: `LAB\alice`, Domains: labDomains}, false},
		{"no upnname on the console user", withUPN("asmith", "LAB", ""), alice, false},
		{"a UPN without @ proves nothing", withUPN("asmith", "LAB", "alice"), model.Identity{User: `LAB\alice`, UPN: "alice"}, false},
		{"a DS console account never matches by UPN", withUPN("asmith", "", "alice.smith@lab.example"), alice, false},
		{"the name still matches without upnname", withUPN("alice", "LAB", ""), alice, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := matches(tt.console, tt.id); got != tt.want {
				t.Errorf("match = %v, want %v", got, tt.want)
			}
		})
	}
}
