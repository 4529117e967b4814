// Package directorytest is the one sign-in conformance suite every directory
// backend must pass: the real Samba AD DC (adtest) and the demo directory
// (internal/demo). Besides the identity-source contract of the flow
// (internal/flow/flowtest), it tests what the demo claims to do like AD:
// binds (success, wrong password, disabled) in every user-name form, and
// groups (nested, primary, distribution excluded).
package directorytest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/demo"
	"github.com/imageinvoker/imageinvoker/internal/directory"
	"github.com/imageinvoker/imageinvoker/internal/flow/flowtest"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// User is one account of a backend, with what a sign-in must report.
type User struct {
	Sam, Password, DisplayName string
	Disabled                   bool
	// Groups must all be in the sign-in's groups (sAMAccountNames, nested
	// and primary included); NotGroups must not be.
	Groups, NotGroups []string
}

// Target is a backend under test.
type Target struct {
	Config directory.Config
	Users  []User
}

// DemoUsers are internal/demo's accounts with the groups AD's tokenGroups
// reports for them: direct, nested through Group.Nested, Domain Users, and
// never a distribution group.
func DemoUsers() []User {
	parents := map[string][]string{}
	distribution := map[string]bool{}
	for _, g := range demo.Groups {
		parents[g.Sam] = g.Nested
		distribution[g.Sam] = g.Distribution
	}
	var out []User
	for _, a := range demo.Accounts {
		want := map[string]bool{demo.DomainUsers: true}
		var walk func(string)
		walk = func(g string) {
			if want[g] || distribution[g] {
				return
			}
			want[g] = true
			for _, p := range parents[g] {
				walk(p)
			}
		}
		for _, g := range a.Groups {
			walk(g)
		}
		u := User{Sam: a.Sam, Password: a.Password, DisplayName: a.DisplayName, Disabled: a.Disabled}
		for _, g := range demo.Groups {
			if want[g.Sam] {
				u.Groups = append(u.Groups, g.Sam)
			} else {
				u.NotGroups = append(u.NotGroups, g.Sam)
			}
		}
		out = append(out, u)
	}
	return out
}

// Conformance runs the suite against target.
func Conformance(t *testing.T, target Target) {
	cfg := target.Config
	client, err := directory.New(cfg)
	if err != nil {
		t.Fatalf("directory.New: %v", err)
	}
	ctx := context.Background()
	for _, u := range target.Users {
		if u.Disabled {
			t.Run(u.Sam+"/disabled", func(t *testing.T) {
				_, err := client.SignIn(ctx, u.Sam, u.Password)
				if !errors.Is(err, model.ErrDisabled) {
					t.Fatalf("right password of a disabled account: err = %v; want ErrDisabled", err)
				}
				_, err = client.SignIn(ctx, u.Sam, u.Password+"-wrong")
				if !errors.Is(err, model.ErrBadCredentials) {
					t.Fatalf("wrong password of a disabled account: err = %v; want ErrBadCredentials (533 only with the right password)", err)
				}
			})
			continue
		}
		t.Run(u.Sam+"/groups", func(t *testing.T) {
			s, err := client.SignIn(ctx, u.Sam, u.Password)
			if err != nil {
				t.Fatalf("SignIn: %v", err)
			}
			if want := cfg.Domain + `\` + u.Sam; s.Identity.User != want {
				t.Errorf("User = %q; want %q", s.Identity.User, want)
			}
			if s.Identity.FullName != u.DisplayName {
				t.Errorf("FullName = %q; want %q", s.Identity.FullName, u.DisplayName)
			}
			if !strings.HasPrefix(s.Identity.SID, "S-1-5-21-") {
				t.Errorf("SID = %q; want a domain SID", s.Identity.SID)
			}
			for _, g := range u.Groups {
				if !slices.Contains(s.Identity.Groups, cfg.Domain+`\`+g) {
					t.Errorf("groups %q lack %s", s.Identity.Groups, g)
				}
			}
			for _, g := range u.NotGroups {
				if slices.Contains(s.Identity.Groups, cfg.Domain+`\`+g) {
					t.Errorf("groups %q include %s", s.Identity.Groups, g)
				}
			}
			for _, g := range s.Groups {
				if !strings.HasPrefix(g.SID, "S-1-5-") {
					t.Errorf("group %q has SID %q", g.Name, g.SID)
				}
			}
		})
		t.Run(u.Sam+"/forms", func(t *testing.T) {
			var sids []string
			for _, form := range []string{u.Sam, cfg.Domain + `\` + u.Sam, strings.ToLower(cfg.Domain) + `\` + u.Sam, u.Sam + "@" + cfg.DNSDomain} {
				s, err := client.SignIn(ctx, form, u.Password)
				if err != nil {
					t.Fatalf("SignIn(%q): %v", form, err)
				}
				sids = append(sids, s.Identity.SID)
			}
			for _, sid := range sids {
				if sid != sids[0] {
					t.Errorf("user name forms gave different users: %v", sids)
				}
			}
		})
		t.Run(u.Sam+"/wrong-password", func(t *testing.T) {
			_, err := client.SignIn(ctx, u.Sam, u.Password+"-wrong")
			var de *directory.Error
			if !errors.As(err, &de) || !errors.Is(err, model.ErrBadCredentials) || de.Code != "52e" {
				t.Fatalf("err = %v; want ErrBadCredentials with data 52e", err)
			}
			// A right password resets the bad-password count, so the suite
			// never locks an account on a DC with a lockout threshold.
			if _, err := client.SignIn(ctx, u.Sam, u.Password); err != nil {
				t.Fatalf("right password after a wrong one: %v", err)
			}
		})
	}
	// The client as the flow sees it: the identity-source contract every
	// source of sign-ins keeps (internal/flow/flowtest).
	t.Run("identity source", func(t *testing.T) {
		var accounts []flowtest.Account
		for _, u := range target.Users {
			if !u.Disabled {
				accounts = append(accounts, flowtest.Account{User: u.Sam, Password: u.Password, WantUser: cfg.Domain + `\` + u.Sam})
			}
		}
		flowtest.RunIdentitySource(t, client, accounts, "no-such-user")
	})
	for _, tc := range []struct{ name, user string }{
		{"unknown user", "no-such-user"},
		{"filter metacharacters", "*)(sAMAccountName=*"},
		{"wildcard", "*"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := client.SignIn(ctx, tc.user, "Some-Password-1")
			if !errors.Is(err, model.ErrBadCredentials) {
				t.Fatalf("err = %v; want ErrBadCredentials", err)
			}
		})
	}
}
