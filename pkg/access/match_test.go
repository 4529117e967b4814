package access

import (
	"reflect"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/pkg/model"
)

var labDomains = []model.Domain{{NetBIOS: "LAB", DNS: "lab.example"}, {NetBIOS: "OTHER", DNS: "other.example"}}

func user(name, nb, dns string) model.ConsolePrincipal {
	return model.ConsolePrincipal{ID: 14000001, Kind: model.ConsoleUser, Name: name, NetBIOSDomain: nb, DNSDomain: dns}
}

func group(name, nb, dns string) model.ConsolePrincipal {
	return model.ConsolePrincipal{ID: 15000001, Kind: model.ConsoleGroup, Name: name, NetBIOSDomain: nb, DNSDomain: dns}
}

// matches is MatchPrincipals for one row without DS-native memberships (a
// DS-native group never matches here), so each rule can be tried alone.
func matches(p model.ConsolePrincipal, id model.Identity) bool {
	m, _ := MatchPrincipals([]model.ConsolePrincipal{p}, []model.Membership{}, id)
	return len(m) == 1
}

func TestMatches(t *testing.T) {
	jdoe := model.Identity{User: `LAB\jdoe`, Groups: []string{`LAB\Domain Users`, `LAB\Techs`, `OTHER\Imaging`}, Domains: labDomains}
	noDNS := model.Identity{User: `LAB\jdoe`, Groups: []string{`LAB\Techs`}}
	bare := model.Identity{User: `jdoe`, Groups: []string{`Techs`}}
	dsAcct := model.Identity{User: `.\kiosk`, DSAccount: true}
	tests := []struct {
		name    string
		console model.ConsolePrincipal
		id      model.Identity
		want    bool
	}{
		{"user by NetBIOS domain", user("jdoe", "LAB", ""), jdoe, true},
		{"user by DNS domain", user("jdoe", "", "lab.example"), jdoe, true},
		{"user by both domains", user("jdoe", "LAB", "lab.example"), jdoe, true},
		{"user differs only in case", user("JDOE", "lab", "LAB.EXAMPLE"), jdoe, true},
		{"user in another domain (NetBIOS)", user("jdoe", "OTHER", ""), jdoe, false},
		{"user in another domain (DNS)", user("jdoe", "", "other.example"), jdoe, false},
		{"NetBIOS agrees but DNS contradicts", user("jdoe", "LAB", "other.example"), jdoe, false},
		{"DNS-only entry and an identity without DNS names: unproven", user("jdoe", "", "lab.example"), noDNS, false},
		{"NetBIOS entry and an identity without DNS names", user("jdoe", "LAB", "lab.example"), noDNS, true},
		{"AD console user never matches a bare AD name", user("jdoe", "LAB", ""), bare, false},
		{"DS console account does not match an AD user of that name", user("jdoe", "", ""), jdoe, false},
		{"DS console account matches the DS sign-in", user("Kiosk", "", ""), dsAcct, true},
		{"AD console user does not match a DS sign-in", user("kiosk", "LAB", ""), dsAcct, false},
		{"different user", user("jdoe2", "LAB", ""), jdoe, false},
		{"prefix is not a match", user("jdo", "LAB", ""), jdoe, false},
		{"surrounding spaces are ignored", user(" jdoe ", " LAB ", ""), jdoe, true},
		{"empty console name (undecryptable)", user("", "LAB", ""), model.Identity{User: `LAB\`}, false},
		{"user name is not compared with groups", user("Techs", "LAB", ""), jdoe, false},
		{"group by NetBIOS domain", group("Techs", "LAB", ""), jdoe, true},
		{"group by DNS domain", group("techs", "", "LAB.example"), jdoe, true},
		{"group of the same name in another domain", group("Techs", "OTHER", ""), jdoe, false},
		{"group of another domain the user is in", group("Imaging", "OTHER", ""), jdoe, true},
		{"same group name, wrong domain", group("Imaging", "LAB", ""), jdoe, false},
		{"DS-native group never matches by name", group("Techs", "", ""), jdoe, false},
		{"group is not compared with the user", group("jdoe", "LAB", ""), jdoe, false},
		{"group the user is not in", group("Students", "LAB", ""), jdoe, false},
		{"AD group never matches a DS sign-in", group("Techs", "LAB", ""), model.Identity{User: `.\kiosk`, DSAccount: true, Groups: []string{`LAB\Techs`}}, false},
		{"identity without groups", group("Techs", "LAB", ""), model.Identity{User: `LAB\jdoe`}, false},
		{"unknown principal kind", model.ConsolePrincipal{Kind: 9, Name: "jdoe", NetBIOSDomain: "LAB"}, jdoe, false},
		// Unicode twins DS cannot store do not fold onto the console's names.
		{"long s is not s", user("jsdoe", "LAB", ""), model.Identity{User: "LAB\\j\u017fdoe"}, false},
		{"Kelvin sign is not k", user("kim", "LAB", ""), model.Identity{User: "LAB\\\u212aim"}, false},
		{"group with a long s", group("Imaging Admins", "LAB", ""), model.Identity{User: `LAB\jdoe`, Groups: []string{"LAB\\Imaging Admin\u017f"}}, false},
		{"Latin-1 letters still fold", user("J\u00dcRGEN", "LAB", ""), model.Identity{User: "LAB\\j\u00fcrgen"}, true},
		{"a signed-in DS account is its own row only", model.ConsolePrincipal{ID: 14000009, Kind: model.ConsoleUser, Name: "kiosk "},
			model.Identity{User: `.\kiosk`, DSAccount: true, ConsoleUserID: 14000003}, false},
		{"the signed-in DS account's row", model.ConsolePrincipal{ID: 14000003, Kind: model.ConsoleUser, Name: "kiosk"},
			model.Identity{User: `.\kiosk`, DSAccount: true, ConsoleUserID: 14000003}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := matches(tt.console, tt.id); got != tt.want {
				t.Errorf("matches(%+v, %+v) = %v, want %v", tt.console, tt.id, got, tt.want)
			}
		})
	}
}

func TestMatchPrincipals(t *testing.T) {
	all := []model.ConsolePrincipal{
		{ID: 15000002, Kind: model.ConsoleGroup, Name: "Students", NetBIOSDomain: "LAB"},
		{ID: 14000002, Kind: model.ConsoleUser, Name: "jane", NetBIOSDomain: "LAB"},
		{ID: 14000001, Kind: model.ConsoleUser, Name: "jdoe", NetBIOSDomain: "LAB"},
		{ID: 15000001, Kind: model.ConsoleGroup, Name: "Techs", DNSDomain: "lab.example", Admin: true},
		{ID: 15000003, Kind: model.ConsoleGroup, Name: "Bench crew"},  // DS-native
		{ID: 15000004, Kind: model.ConsoleGroup, Name: "Night shift"}, // DS-native
	}
	members := []model.Membership{{GroupID: 15000003, UserID: 14000001}, {GroupID: 15000004, UserID: 14000002}}
	id := model.Identity{User: `LAB\jdoe`, Groups: []string{`LAB\Techs`}, Domains: labDomains}
	got, notes := MatchPrincipals(all, members, id)
	want := []model.Principal{
		{ID: 14000001, Name: `LAB\jdoe`, Kind: model.ConsoleUser},
		{ID: 15000001, Name: "Techs@lab.example", Kind: model.ConsoleGroup, Admin: true},
		{ID: 15000003, Name: "Bench crew", Kind: model.ConsoleGroup},
	}
	if !reflect.DeepEqual(got, want) || len(notes) != 0 {
		t.Errorf("MatchPrincipals = %+v %q, want %+v", got, notes, want)
	}

	// Without a membership table DS-native groups match nobody, and say so.
	got, notes = MatchPrincipals(all, nil, id)
	if len(got) != 2 || len(notes) != 1 || !strings.Contains(notes[0], "2 DS console group") {
		t.Errorf("without memberships: %+v %q", got, notes)
	}
}
