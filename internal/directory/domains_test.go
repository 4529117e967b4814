package directory_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/directory"
	"github.com/imageinvoker/imageinvoker/internal/directory/adtest"
	"github.com/imageinvoker/imageinvoker/pkg/access"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// pairConfig configures LAB and OTHER, each with its reader account for the
// other domain's users (the two Samba domains have no trust).
func pairConfig(lab, other *adtest.DC) directory.Config {
	return directory.Config{Timeout: 5 * time.Second, TotalTimeout: 20 * time.Second, Domains: []directory.Domain{
		{NetBIOS: lab.Domain, DNS: lab.DNSDomain, DCs: []string{lab.URL}, CAFile: lab.CAFile,
			BindUser: lab.Domain + `\` + adtest.UserReader, BindPassword: adtest.ReaderPassword},
		{NetBIOS: other.Domain, DNS: other.DNSDomain, DCs: []string{other.StartTLSURL}, CAFile: other.CAFile,
			BindUser: adtest.UserReader + "@" + other.DNSDomain, BindPassword: adtest.ReaderPassword},
	}}
}

func groupNames(s *model.SignIn) []string {
	var out []string
	for _, g := range s.Groups {
		out = append(out, g.Name)
	}
	return out
}

func TestSambaDomainsGroups(t *testing.T) {
	lab, other := adtest.StartPair(t)
	c, err := directory.New(pairConfig(lab, other))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		user, password, want string
		groups, notGroups    []string
	}{
		{`LAB\alice`, lab.Users["alice"].Password, `LAB\alice`,
			[]string{`LAB\Imaging Techs`, `LAB\Techs`, `LAB\Domain Users`, `OTHER\Res Imagers`, `OTHER\Res Admins`},
			[]string{`OTHER\Res List`, `OTHER\Res Deny`, `LAB\Guest Imagers`, `LAB\All Staff`}},
		{"bob", lab.Users["bob"].Password, `LAB\bob`,
			[]string{`LAB\Techs`, `OTHER\Res Deny`},
			[]string{`OTHER\Res Imagers`, `OTHER\Res Admins`}},
		{"olga@other.example", adtest.OlgaPassword, `OTHER\olga`,
			[]string{`OTHER\Field Techs`, `OTHER\Domain Users`, `LAB\Guest Imagers`, `LAB\Guest Outer`, `LAB\Visitors`, `LAB\All Authenticated`},
			[]string{`LAB\Domain Users`, `LAB\Techs`, `OTHER\Res Imagers`}},
		{`other.example\oscar`, adtest.OscarPass, `OTHER\oscar`,
			[]string{`OTHER\Domain Users`, `LAB\All Authenticated`},
			[]string{`LAB\Guest Imagers`, `LAB\Visitors`, `LAB\Guest Outer`}},
	}
	for _, tc := range cases {
		t.Run(tc.user, func(t *testing.T) {
			start := time.Now()
			s, err := c.SignIn(context.Background(), tc.user, tc.password)
			if err != nil {
				t.Fatal(err)
			}
			took := time.Since(start)
			if s.Identity.User != tc.want {
				t.Errorf("user = %q, want %q", s.Identity.User, tc.want)
			}
			names := groupNames(s)
			for _, g := range tc.groups {
				if !slices.Contains(names, g) || !slices.Contains(s.Identity.Groups, g) {
					t.Errorf("groups %v lack %s", names, g)
				}
			}
			for _, g := range tc.notGroups {
				if slices.Contains(names, g) {
					t.Errorf("groups %v hold %s", names, g)
				}
			}
			for _, g := range s.Groups {
				if dom, _ := model.SplitAccount(g.Name); g.Domain != dom || g.Domain == "" {
					t.Errorf("group %s: domain %q", g.Name, g.Domain)
				}
				// BUILTIN means the first (DS's) domain's DCs: OTHER's
				// BUILTIN\Users must not become a console group's member.
				if g.Domain == "BUILTIN" && !strings.HasPrefix(tc.want, `LAB\`) {
					t.Errorf("%s keeps its own domain's builtin alias %s", tc.want, g.Name)
				}
			}
			t.Logf("%s: builtin groups: %v", tc.want, builtinNames(s))
			if len(s.Identity.Domains) != 2 || s.Identity.DNSOf("OTHER") != "other.example" || s.Identity.DNSOf("LAB") != "lab.example" {
				t.Errorf("identity domains = %v", s.Identity.Domains)
			}
			if len(s.Lookups) != 2 || !s.Lookups[0].Home {
				t.Fatalf("lookups = %+v", s.Lookups)
			}
			t.Logf("%s: %d groups, %d LDAP round trips in %v (%+v)", tc.user, len(s.Groups), s.RoundTrips, took.Round(time.Millisecond), s.Lookups)
		})
	}
}

func TestSambaDomainsRefused(t *testing.T) {
	lab, other := adtest.StartPair(t)
	alice := lab.Users["alice"].Password

	t.Run("a domain not configured", func(t *testing.T) {
		c, err := directory.New(pairConfig(lab, other))
		if err != nil {
			t.Fatal(err)
		}
		for _, user := range []string{`THIRD\alice`, `third.example\alice`} {
			s, err := c.SignIn(context.Background(), user, alice)
			if !errors.Is(err, model.ErrOtherDomain) || !strings.Contains(err.Error(), "LAB, OTHER") {
				t.Fatalf("%s: signed in %v, err %v; want ErrOtherDomain naming LAB, OTHER", user, s, err)
			}
		}
	})

	t.Run("OTHER when only LAB is configured", func(t *testing.T) {
		_, err := signIn(t, sambaConfig(lab), `OTHER\olga`, adtest.OlgaPassword)
		if !errors.Is(err, model.ErrOtherDomain) {
			t.Fatalf("err = %v; want ErrOtherDomain", err)
		}
		// Her UPN reaches LAB's DC, which does not know her.
		_, err = signIn(t, sambaConfig(lab), "olga@other.example", adtest.OlgaPassword)
		if !errors.Is(err, model.ErrBadCredentials) {
			t.Fatalf("UPN of OTHER at LAB: err = %v; want a refusal", err)
		}
	})

	// Fail closed: a group of the unreachable domain could hold a deny.
	t.Run("foreign DC down", func(t *testing.T) {
		cfg := pairConfig(lab, other)
		cfg.Domains[1].DCs = []string{other.DeadURL}
		_, err := signIn(t, cfg, `LAB\alice`, alice)
		if !errors.Is(err, model.ErrForeignDomain) || !errors.Is(err, model.ErrDCUnreachable) ||
			!strings.Contains(err.Error(), "OTHER") || !strings.Contains(err.Error(), "sign-in is refused") {
			t.Fatalf("err = %v; want ErrForeignDomain (unreachable) naming OTHER", err)
		}
		if strings.Contains(err.Error(), alice) {
			t.Fatal("the password is in the error")
		}
	})

	// Without a trust, OTHER's DC does not know LAB\alice: own credentials fail.
	t.Run("own credentials without a trust", func(t *testing.T) {
		cfg := pairConfig(lab, other)
		cfg.Domains[1].BindUser, cfg.Domains[1].BindPassword = "", ""
		_, err := signIn(t, cfg, `LAB\alice`, alice)
		if !errors.Is(err, model.ErrForeignDomain) || !strings.Contains(err.Error(), "bind_user") {
			t.Fatalf("err = %v; want ErrForeignDomain pointing at bind_user", err)
		}
		t.Logf("refused as expected: %v", err)
	})

	t.Run("reader refused", func(t *testing.T) {
		cfg := pairConfig(lab, other)
		cfg.Domains[1].BindPassword = "wrong-reader"
		_, err := signIn(t, cfg, `LAB\alice`, alice)
		if !errors.Is(err, model.ErrForeignDomain) || !strings.Contains(err.Error(), "bind_user for OTHER was refused") {
			t.Fatalf("err = %v; want ErrForeignDomain about the bind_user", err)
		}
	})

	t.Run("wrong password never reaches the other domain", func(t *testing.T) {
		_, err := signIn(t, pairConfig(lab, other), `LAB\alice`, "wrong-password")
		if !errors.Is(err, model.ErrBadCredentials) || errors.Is(err, model.ErrForeignDomain) {
			t.Fatalf("err = %v; want a plain refusal", err)
		}
	})

	t.Run("both sets of settings", func(t *testing.T) {
		cfg := pairConfig(lab, other)
		cfg.Domain = "LAB"
		if _, err := directory.New(cfg); !errors.Is(err, model.ErrDirectoryConfig) {
			t.Fatalf("err = %v; want ErrConfig", err)
		}
	})
}

// Console entries linked to either domain match the real sign-in's identity
// through access.MatchPrincipals, by NetBIOS or DNS name, and never the same
// name in the other domain.
func TestSambaDomainsConsoleMatch(t *testing.T) {
	lab, other := adtest.StartPair(t)
	c, err := directory.New(pairConfig(lab, other))
	if err != nil {
		t.Fatal(err)
	}
	all := []model.ConsolePrincipal{
		{ID: 1, Kind: model.ConsoleGroup, Name: "Res Admins", NetBIOSDomain: "OTHER"},
		{ID: 2, Kind: model.ConsoleGroup, Name: "Res Admins", NetBIOSDomain: "LAB"},
		{ID: 3, Kind: model.ConsoleGroup, Name: "Res Deny", DNSDomain: "other.example"},
		{ID: 4, Kind: model.ConsoleGroup, Name: "Guest Outer", DNSDomain: "lab.example"},
		{ID: 5, Kind: model.ConsoleUser, Name: "olga", DNSDomain: "other.example"},
		{ID: 6, Kind: model.ConsoleUser, Name: "olga", NetBIOSDomain: "LAB"},
		{ID: 7, Kind: model.ConsoleGroup, Name: "Olga's bench"}, // DS-native, olga (5) is a member
		{ID: 8, Kind: model.ConsoleGroup, Name: "Techs", NetBIOSDomain: "LAB", DNSDomain: "lab.example"},
		{ID: 9, Kind: model.ConsoleGroup, Name: "Visitors", NetBIOSDomain: "LAB", DNSDomain: "other.example"}, // columns disagree
	}
	members := []model.Membership{{GroupID: 7, UserID: 5}, {GroupID: 7, UserID: 6}}
	cases := []struct {
		user, password string
		want           []int64
	}{
		{`LAB\alice`, lab.Users["alice"].Password, []int64{1, 8}},
		{`LAB\bob`, lab.Users["bob"].Password, []int64{3, 8}},
		{`OTHER\olga`, adtest.OlgaPassword, []int64{5, 4, 7}},
	}
	for _, tc := range cases {
		t.Run(tc.user, func(t *testing.T) {
			s, err := c.SignIn(context.Background(), tc.user, tc.password)
			if err != nil {
				t.Fatal(err)
			}
			matched, _ := access.MatchPrincipals(all, members, s.Identity)
			var got []int64
			for _, p := range matched {
				got = append(got, p.ID)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("matched %v, want %v (identity %+v)", got, tc.want, s.Identity)
			}
		})
	}
}

// TestSambaDomainsCost measures sign-in → groups with one domain and with
// two (docs/active-directory.md quotes it): LDAP round trips and the median
// of ten sign-ins, each on fresh connections.
func TestSambaDomainsCost(t *testing.T) {
	lab, other := adtest.StartPair(t)
	two, err := directory.New(pairConfig(lab, other))
	if err != nil {
		t.Fatal(err)
	}
	one, err := directory.New(sambaConfig(lab))
	if err != nil {
		t.Fatal(err)
	}
	measure := func(name string, c *directory.Client, user, password string, maxTrips int) {
		var took []time.Duration
		var last *model.SignIn
		for range 10 {
			start := time.Now()
			s, err := c.SignIn(context.Background(), user, password)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			took = append(took, time.Since(start))
			last = s
		}
		slices.Sort(took)
		if last.RoundTrips > maxTrips {
			t.Errorf("%s: %d LDAP round trips, want at most %d", name, last.RoundTrips, maxTrips)
		}
		t.Logf("%-40s %d groups, %d LDAP round trips, median %v (min %v, max %v); per domain %+v", name, len(last.Groups),
			last.RoundTrips, took[len(took)/2].Round(time.Millisecond/10), took[0].Round(time.Millisecond/10),
			took[len(took)-1].Round(time.Millisecond/10), last.Lookups)
	}
	measure("LAB only, LDAPS", one, `LAB\alice`, lab.Users["alice"].Password, 5)
	// Home LDAPS 5; OTHER over StartTLS: StartTLS, bind, FSPs, in-chain.
	measure("LAB user, LAB LDAPS + OTHER StartTLS", two, `LAB\alice`, lab.Users["alice"].Password, 9)
	// Home OTHER over StartTLS 6; LAB over LDAPS: bind, FSPs, in-chain.
	measure("OTHER user, OTHER StartTLS + LAB LDAPS", two, `OTHER\olga`, adtest.OlgaPassword, 9)
}

func builtinNames(s *model.SignIn) []string {
	var out []string
	for _, g := range s.Groups {
		if g.Domain == "BUILTIN" {
			out = append(out, g.Name)
		}
	}
	return out
}
