package directory

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// An empty password is an anonymous bind that real AD accepts: it must be
// refused before any connection is made.
func TestEmptyPasswordMakesNoConnection(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var accepts atomic.Int32
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			accepts.Add(1)
			c.Close()
		}
	}()
	for _, srv := range []bool{false, true} {
		cfg := Config{DCs: []string{"ldaps://" + l.Addr().String()}, Domain: "LAB", DNSDomain: "lab.example"}
		if srv {
			cfg.DCs = nil // SRV discovery must not run either
			cfg.Resolver = failResolver{t}
		}
		c, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.SignIn(context.Background(), "alice", "")
		if !errors.Is(err, model.ErrEmptyPassword) {
			t.Fatalf("err = %v; want model.ErrEmptyPassword", err)
		}
	}
	time.Sleep(50 * time.Millisecond)
	if n := accepts.Load(); n != 0 {
		t.Fatalf("%d connections made for an empty password", n)
	}
}

type failResolver struct{ t *testing.T }

func (r failResolver) LookupSRV(context.Context, string, string, string) (string, []*net.SRV, error) {
	r.t.Error("DNS lookup for an empty password")
	return "", nil, errors.New("no")
}

func TestParseUser(t *testing.T) {
	c, err := New(Config{DCs: []string{"ldaps://dc1"}, Domain: "lab", DNSDomain: "lab.example"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		in       string
		bindName string
		sam, upn string
		bad      bool
		other    bool // another domain: refused before any bind
	}{
		{in: "alice", bindName: `LAB\alice`, sam: "alice"},
		{in: " alice ", bindName: `LAB\alice`, sam: "alice"},
		{in: `lab\alice`, bindName: `LAB\alice`, sam: "alice"},
		{in: `lab.example\alice`, bindName: `LAB\alice`, sam: "alice"},
		{in: "alice@LAB.example", bindName: "alice@LAB.example", upn: "alice@LAB.example"},
		{in: "a.smith@corp.example", bindName: "a.smith@corp.example", upn: "a.smith@corp.example"},
		{in: `EVIL\dave`, other: true},
		{in: "", bad: true},
		{in: `\alice`, bad: true},
		{in: `LAB\`, bad: true},
		{in: `LAB\a\b`, bad: true},
		{in: "@lab", bad: true},
		{in: "a@b@c", bad: true},
		{in: "ali\x00ce", bad: true},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%q", tc.in), func(t *testing.T) {
			a, err := c.parseUser(tc.in)
			if tc.other {
				if !errors.Is(err, model.ErrOtherDomain) || !strings.Contains(err.Error(), "EVIL") {
					t.Fatalf("parseUser = %+v, %v; want model.ErrOtherDomain naming EVIL", a, err)
				}
				return
			}
			if tc.bad {
				if !errors.Is(err, model.ErrBadUser) {
					t.Fatalf("parseUser = %+v, %v; want model.ErrBadUser", a, err)
				}
				return
			}
			if err != nil || a.bindName != tc.bindName || a.sam != tc.sam || a.upn != tc.upn {
				t.Fatalf("parseUser = %+v, %v", a, err)
			}
		})
	}
}

// Diagnostics as AD and Samba write them: the DSID and version differ, the
// data code is what counts.
func TestBindErrorMapping(t *testing.T) {
	ad := "80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data %s, v4563"
	samba := "80090308: LdapErr: DSID-0C0904DC, comment: AcceptSecurityContext error, data %s, v1db1"
	cases := []struct {
		code string
		want error
	}{
		{"52e", model.ErrBadCredentials}, {"525", model.ErrBadCredentials}, {"530", model.ErrLogonHours}, {"531", model.ErrWorkstation},
		{"532", model.ErrPasswordExpired}, {"533", model.ErrDisabled}, {"701", model.ErrAccountExpired}, {"773", model.ErrMustChangePassword},
		{"775", model.ErrLockedOut}, {"999", model.ErrBadCredentials},
	}
	for _, tc := range cases {
		for name, diag := range map[string]string{"ad": ad, "samba": samba} {
			t.Run(name+" "+tc.code, func(t *testing.T) {
				e := bindError("dc1:636", fmt.Errorf("bind: %w", ldap.NewError(ldap.LDAPResultInvalidCredentials, fmt.Errorf(diag, tc.code))))
				if !errors.Is(e, tc.want) || e.Code != tc.code || e.Hint() == "" {
					t.Fatalf("bindError = %+v; want %v code %s with a hint", e, tc.want, tc.code)
				}
			})
		}
	}
	if e := bindError("dc1:389", ldap.NewError(ldap.LDAPResultStrongAuthRequired, errors.New("00002028: strong auth"))); !errors.Is(e, model.ErrPlainRefused) {
		t.Errorf("strong auth required = %v; want model.ErrPlainRefused", e)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	cases := []struct {
		name string
		cfg  Config
	}{
		{"nothing", Config{}},
		{"bad scheme", Config{DCs: []string{"http://dc1"}, DNSDomain: "lab.example"}},
		{"no host", Config{DCs: []string{"ldaps://"}, DNSDomain: "lab.example"}},
		{"missing CA file", Config{DCs: []string{"ldaps://dc1"}, DNSDomain: "lab.example", CAFile: "/nonexistent/ca.pem"}},
		{"CA not PEM", Config{DCs: []string{"ldaps://dc1"}, DNSDomain: "lab.example", CAPEM: []byte("junk")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(tc.cfg); !errors.Is(err, model.ErrDirectoryConfig) {
				t.Fatalf("New = %v; want model.ErrDirectoryConfig", err)
			}
		})
	}
	c, err := New(Config{DCs: []string{"ldap://dc1"}, BaseDN: "DC=Lab,DC=Example"})
	if err != nil || c.cfg.DNSDomain != "lab.example" || c.cfg.Domain != "LAB" || c.dcs[0].Host != "dc1:389" {
		t.Fatalf("defaults from BaseDN: %+v, %v", c, err)
	}
}
