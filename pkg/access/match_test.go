package access

import (
	"testing"

	"github.com/imageinvoker/imageinvoker/pkg/model"
)

func TestMatches(t *testing.T) {
	jdoe := model.Identity{User: `LAB\jdoe`, Groups: []string{`LAB\Domain Users`, `LAB\Techs`, `Imaging`}}
	bare := model.Identity{User: `jdoe`, Groups: []string{`Techs`}}
	tests := []struct {
		name    string
		kind    model.PrincipalKind
		console string
		id      model.Identity
		want    bool
	}{
		{"user with the same domain", model.ConsoleUser, `LAB\jdoe`, jdoe, true},
		{"user differs only in case", model.ConsoleUser, `lab\JDOE`, jdoe, true},
		{"user in another domain", model.ConsoleUser, `OTHER\jdoe`, jdoe, false},
		{"bare console user matches any domain", model.ConsoleUser, `jdoe`, jdoe, true},
		{"bare console user matches a bare AD name", model.ConsoleUser, `JDoe`, bare, true},
		{"domain console user does not match a bare AD name", model.ConsoleUser, `LAB\jdoe`, bare, false},
		{"different user", model.ConsoleUser, `LAB\jdoe2`, jdoe, false},
		{"prefix is not a match", model.ConsoleUser, `LAB\jdo`, jdoe, false},
		{"DNS domain is not the NetBIOS domain", model.ConsoleUser, `lab.example\jdoe`, jdoe, false},
		{"surrounding spaces are ignored", model.ConsoleUser, ` LAB\jdoe `, jdoe, true},
		{"empty console name", model.ConsoleUser, ``, jdoe, false},
		{"domain with empty name", model.ConsoleUser, `LAB\`, model.Identity{User: `LAB\`}, false},
		{"user name is not compared with groups", model.ConsoleUser, `LAB\Techs`, jdoe, false},
		{"group with the same domain", model.ConsoleGroup, `LAB\Techs`, jdoe, true},
		{"group differs only in case", model.ConsoleGroup, `lab\techs`, jdoe, true},
		{"group in another domain", model.ConsoleGroup, `OTHER\Techs`, jdoe, false},
		{"bare console group matches any domain", model.ConsoleGroup, `Domain Users`, jdoe, true},
		{"domain console group does not match a bare AD group", model.ConsoleGroup, `LAB\Imaging`, jdoe, false},
		{"bare console group matches a bare AD group", model.ConsoleGroup, `imaging`, jdoe, true},
		{"group is not compared with the user", model.ConsoleGroup, `LAB\jdoe`, jdoe, false},
		{"group the user is not in", model.ConsoleGroup, `LAB\Students`, jdoe, false},
		{"identity without groups", model.ConsoleGroup, `Techs`, model.Identity{User: `LAB\jdoe`}, false},
		{"unknown principal kind", model.PrincipalKind(9), `LAB\jdoe`, jdoe, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Matches(tt.kind, tt.console, tt.id); got != tt.want {
				t.Errorf("Matches(%v, %q, %+v) = %v, want %v", tt.kind, tt.console, tt.id, got, tt.want)
			}
		})
	}
}

func TestMatchPrincipals(t *testing.T) {
	id := model.Identity{User: `LAB\jdoe`, Groups: []string{`LAB\Techs`}}
	candidates := []model.Principal{
		{ID: 14000001, Name: `LAB\jdoe`, Kind: model.ConsoleUser},
		{ID: 14000002, Name: `LAB\jane`, Kind: model.ConsoleUser},
		{ID: 15000001, Name: `Techs`, Kind: model.ConsoleGroup},
		{ID: 15000002, Name: `LAB\Students`, Kind: model.ConsoleGroup},
	}
	got := MatchPrincipals(candidates, id)
	if len(got) != 2 || got[0].ID != 14000001 || got[1].ID != 15000001 {
		t.Errorf("MatchPrincipals = %+v, want jdoe and Techs", got)
	}
}
