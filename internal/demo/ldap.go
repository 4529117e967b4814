package demo

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	ber "github.com/go-asn1-ber/asn1-ber"
	"github.com/go-ldap/ldap/v3"
	"github.com/imageinvoker/imageinvoker/internal/certs"
)

// Directory is the demo's in-process AD: LDAPS on loopback, serving
// Accounts and Groups the way AD answers the sign-in's requests (simple
// bind with AD's diagnostics, sAMAccountName/UPN search, base-scope
// tokenGroups, batched objectSid search). It passes the same conformance
// suite as a real Samba DC (internal/directory/directorytest).
type Directory struct {
	listener net.Listener
	url      string
	caPEM    []byte

	entries []*entry
	byDN    map[string]*entry

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

type entry struct {
	dn       string
	attrs    map[string][]string // lower-case names; binary values as strings
	password string
	disabled bool
	tokens   []string // tokenGroups values (binary SIDs), users only
}

// AD's diagnostics for a refused simple bind; clients parse "data XXX".
const adBindDiag = "80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data %s, v4563"

// StartDirectory starts the demo directory on 127.0.0.1. Close stops it
// (so does cancelling ctx).
func StartDirectory(ctx context.Context) (*Directory, error) {
	d := &Directory{byDN: map[string]*entry{}, conns: map[net.Conn]struct{}{}}
	d.build()
	cert, caPEM, err := demoCert()
	if err != nil {
		return nil, fmt.Errorf("demo directory certificate: %w", err)
	}
	d.caPEM = caPEM
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	if err != nil {
		return nil, fmt.Errorf("demo directory: %w", err)
	}
	d.listener, d.url = l, "ldaps://"+l.Addr().String()
	d.wg.Add(1)
	go d.serve()
	context.AfterFunc(ctx, func() { d.Close() })
	return d, nil
}

// URL is the directory's ldaps:// address.
func (d *Directory) URL() string { return d.url }

// CAPEM is the PEM of the CA that signed the directory's certificate.
func (d *Directory) CAPEM() []byte { return d.caPEM }

// Close stops the directory and ends its connections.
func (d *Directory) Close() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	err := d.listener.Close()
	for c := range d.conns {
		_ = c.Close()
	}
	d.mu.Unlock()
	d.wg.Wait()
	return err
}

func sidBytes(rid uint32) string {
	// S-1-5-21-a-b-c-rid: revision 1, 5 sub-authorities, NT authority 5.
	b := []byte{1, 5, 0, 0, 0, 0, 0, 5}
	parts := strings.Split(strings.TrimPrefix(DomainSID, "S-1-5-"), "-")
	for _, p := range parts {
		v, _ := strconv.ParseUint(p, 10, 32)
		b = binary.LittleEndian.AppendUint32(b, uint32(v))
	}
	return string(binary.LittleEndian.AppendUint32(b, rid))
}

func (d *Directory) build() {
	add := func(e *entry) {
		d.entries = append(d.entries, e)
		d.byDN[strings.ToLower(e.dn)] = e
	}
	groups := map[string]Group{}
	for _, g := range Groups {
		groups[g.Sam] = g
		// AD's groupType: 0x80000002 global security; 2 global distribution.
		gt := "-2147483646"
		if g.Distribution {
			gt = "2"
		}
		add(&entry{dn: "CN=" + g.Sam + ",CN=Users," + BaseDN, attrs: map[string][]string{
			"objectclass": {"top", "group"}, "objectcategory": {"CN=Group,CN=Schema,CN=Configuration," + BaseDN},
			"samaccountname": {g.Sam}, "objectsid": {sidBytes(g.RID)}, "grouptype": {gt},
		}})
	}
	for _, a := range Accounts {
		// tokenGroups: every security group reachable through nesting, plus
		// the primary group; distribution groups never count.
		seen := map[string]bool{}
		var tokens []string
		var walk func(string)
		walk = func(name string) {
			g, ok := groups[name]
			if !ok || seen[name] || g.Distribution {
				return
			}
			seen[name] = true
			tokens = append(tokens, sidBytes(g.RID))
			for _, p := range g.Nested {
				walk(p)
			}
		}
		walk(DomainUsers)
		for _, g := range a.Groups {
			walk(g)
		}
		add(&entry{dn: "CN=" + a.Sam + ",CN=Users," + BaseDN, password: a.Password, disabled: a.Disabled, tokens: tokens,
			attrs: map[string][]string{
				"objectclass":    {"top", "person", "organizationalPerson", "user"},
				"objectcategory": {"CN=Person,CN=Schema,CN=Configuration," + BaseDN},
				"samaccountname": {a.Sam}, "displayname": {a.DisplayName},
				"userprincipalname": {a.Sam + "@" + DNSDomain}, "objectsid": {sidBytes(a.RID)},
				"primarygroupid": {"513"},
			}})
	}
}

// findBinder resolves a bind name the way AD does: DOMAIN\sam, a UPN (or
// the implicit sam@dnsdomain), or a DN.
func (d *Directory) findBinder(name string) *entry {
	if dom, sam, ok := strings.Cut(name, `\`); ok {
		if !strings.EqualFold(dom, Domain) {
			return nil
		}
		return d.bySam(sam)
	}
	if sam, dom, ok := strings.Cut(name, "@"); ok {
		for _, e := range d.entries {
			if e.password != "" && strings.EqualFold(first(e, "userprincipalname"), name) {
				return e
			}
		}
		if strings.EqualFold(dom, DNSDomain) {
			return d.bySam(sam)
		}
		return nil
	}
	if e := d.byDN[strings.ToLower(name)]; e != nil && e.password != "" {
		return e
	}
	return nil
}

func (d *Directory) bySam(sam string) *entry {
	for _, e := range d.entries {
		if e.password != "" && strings.EqualFold(first(e, "samaccountname"), sam) {
			return e
		}
	}
	return nil
}

func first(e *entry, attr string) string {
	if v := e.attrs[attr]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// matches evaluates the filter kinds the sign-in sends: and, or, not,
// equality, presence. AD compares strings case-insensitively, SIDs byte for
// byte, and lets objectCategory=person stand for the category's full DN.
func matches(e *entry, f *ber.Packet) bool {
	switch f.Tag {
	case ldap.FilterAnd:
		for _, c := range f.Children {
			if !matches(e, c) {
				return false
			}
		}
		return true
	case ldap.FilterOr:
		for _, c := range f.Children {
			if matches(e, c) {
				return true
			}
		}
		return false
	case ldap.FilterNot:
		return len(f.Children) == 1 && !matches(e, f.Children[0])
	case ldap.FilterPresent:
		_, ok := e.attrs[strings.ToLower(f.Data.String())]
		return ok
	case ldap.FilterEqualityMatch:
		if len(f.Children) != 2 {
			return false
		}
		attr := strings.ToLower(f.Children[0].Data.String())
		val := f.Children[1].Data.String()
		for _, v := range e.attrs[attr] {
			switch attr {
			case "objectsid":
				if v == val {
					return true
				}
			case "objectcategory":
				if strings.EqualFold(v, val) || strings.EqualFold(strings.TrimPrefix(strings.SplitN(v, ",", 2)[0], "CN="), val) {
					return true
				}
			default:
				if strings.EqualFold(v, val) {
					return true
				}
			}
		}
	}
	return false
}

// demoCert makes a throwaway CA and a certificate for 127.0.0.1/localhost.
func demoCert() (tls.Certificate, []byte, error) {
	now := time.Now()
	ca, err := certs.NewCA("ImageInvoker demo CA", now.Add(-time.Hour), now.Add(7*24*time.Hour))
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	cert, err := ca.Issue([]string{"dc1." + DNSDomain, "localhost", "127.0.0.1"}, now.Add(-time.Hour), now.Add(7*24*time.Hour))
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	return cert, ca.PEM, nil
}
