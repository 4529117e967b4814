package demo_test

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/demo"
	"github.com/imageinvoker/imageinvoker/internal/directory"
	"github.com/imageinvoker/imageinvoker/pkg/access"
	"github.com/imageinvoker/imageinvoker/pkg/express"
	"github.com/imageinvoker/imageinvoker/pkg/express/expresstest"
	"github.com/imageinvoker/imageinvoker/pkg/menu"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// TestDemoThroughDirectory signs each demo user in against the demo LDAP
// directory and checks that the identity it reports — group names as the
// directory spells them — gives the same menu as demo.IdentityFor, which the
// story tests use. A drift between the two halves of the demo fails here.
func TestDemoThroughDirectory(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d, err := demo.StartDirectory(ctx)
	if err != nil {
		t.Fatalf("StartDirectory: %v", err)
	}
	defer d.Close()
	client, err := directory.New(directory.Config{DCs: []string{d.URL()}, Domain: demo.Domain,
		DNSDomain: demo.DNSDomain, BaseDN: demo.BaseDN, CAPEM: d.CAPEM()})
	if err != nil {
		t.Fatal(err)
	}
	st, c := demoStoreAndComputer(t)
	menuOf := func(id model.Identity) string {
		snap, err := st.Snapshot(ctx, c, id, express.SnapshotOptions{RootFolder: demo.RootFolderName})
		if err != nil {
			t.Fatal(err)
		}
		var paths []string
		for _, e := range menu.Build(snap, access.New(snap).Allowed, menu.Options{}).Entries() {
			paths = append(paths, e.FullPath())
		}
		return strings.Join(paths, "\n")
	}
	for _, a := range demo.Accounts {
		if a.Disabled {
			continue
		}
		t.Run(a.Sam, func(t *testing.T) {
			si, err := client.SignIn(ctx, a.Sam, a.Password)
			if err != nil {
				t.Fatalf("SignIn: %v", err)
			}
			want, err := demo.IdentityFor(a.Sam)
			if err != nil {
				t.Fatal(err)
			}
			if !sameFold(si.Identity.Groups, want.Groups) {
				t.Errorf("directory groups %q, demo.IdentityFor %q", si.Identity.Groups, want.Groups)
			}
			if got, exp := menuOf(si.Identity), menuOf(want); got != exp {
				t.Errorf("menu via the directory:\n%s\nvia IdentityFor:\n%s", got, exp)
			}
		})
	}
}

// sameFold compares two group lists as sets, ignoring case and names the
// directory could not resolve.
func sameFold(a, b []string) bool {
	norm := func(v []string) string {
		var out []string
		for _, s := range v {
			if s != "" {
				out = append(out, strings.ToLower(s))
			}
		}
		sort.Strings(out)
		return strings.Join(out, "|")
	}
	return norm(a) == norm(b)
}

// TestDemoDSAccountSignIn signs each demo DS console account in the way the
// console does (the store checks the password through the DS cipher) and
// checks that it is the identity demo.IdentityFor gives, with a non-empty
// menu; a wrong password and an AD-style name are refused.
func TestDemoDSAccountSignIn(t *testing.T) {
	ctx := context.Background()
	st, c := demoStoreAndComputer(t)
	if len(demo.DSAccounts) == 0 {
		t.Fatal("the demo has no DS console account")
	}
	for _, a := range demo.DSAccounts {
		t.Run(a.Name, func(t *testing.T) {
			id, err := st.SignInDSAccount(ctx, a.User(), a.Password)
			if err != nil {
				t.Fatalf("SignInDSAccount(%s): %v", a.User(), err)
			}
			want, err := demo.IdentityFor(a.User())
			if err != nil {
				t.Fatal(err)
			}
			if id.User != want.User || id.FullName != want.FullName || !id.DSAccount {
				t.Errorf("signed in as %+v, demo.IdentityFor says %+v", id, want)
			}
			snap, err := st.Snapshot(ctx, c, id, express.SnapshotOptions{RootFolder: demo.RootFolderName})
			if err != nil {
				t.Fatal(err)
			}
			if n := len(menu.Build(snap, access.New(snap).Allowed, menu.Options{}).Entries()); n == 0 {
				t.Errorf("%s has an empty menu on %s", a.User(), demo.ComputerName)
			}
			for _, bad := range [][2]string{{a.User(), a.Password + "!"}, {a.User(), strings.ToUpper(a.Password)}, {`.\nobody`, a.Password}} {
				if id, err := st.SignInDSAccount(ctx, bad[0], bad[1]); err == nil {
					t.Errorf("SignInDSAccount(%q, %q) = %+v, want refused", bad[0], bad[1], id)
				}
			}
		})
	}
}

// demoStoreAndComputer opens a fresh demo store and finds the demo machine.
func demoStoreAndComputer(t *testing.T) (*express.Store, model.Computer) {
	t.Helper()
	ctx := context.Background()
	url, err := demo.NewStore(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	st, err := express.Open(ctx, expresstest.URL(t, url), express.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c, err := st.FindComputer(ctx, model.ComputerKey{By: model.MatchMAC, Values: []string{demo.ComputerMAC}})
	if err != nil {
		t.Fatal(err)
	}
	return st, c
}
