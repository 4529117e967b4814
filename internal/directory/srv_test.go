package directory_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/directory"
	"github.com/imageinvoker/imageinvoker/internal/directory/adtest"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// srvResolver answers the DC locator query the way a site's DNS does: a
// dead DC first, then the real one. Every other name is unknown.
type srvResolver struct {
	want    string
	records []*net.SRV
	asked   int
}

func (r *srvResolver) LookupSRV(_ context.Context, service, proto, name string) (string, []*net.SRV, error) {
	r.asked++
	if service+"."+proto+"."+name != r.want {
		return "", nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
	}
	return "", r.records, nil
}

// With no DC configured, the client finds DCs through DNS SRV
// (_ldap._tcp.dc._msdcs.<domain>), secures the plain LDAP port with
// StartTLS, and fails over past a dead one to sign in at the real Samba DC.
func TestSambaDiscoveryThroughSRV(t *testing.T) {
	dc := adtest.Start(t)
	cfg := sambaConfig(dc)
	cfg.DCs = nil
	dead, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadPort := dead.Addr().(*net.TCPAddr).Port
	dead.Close()
	dcName := "dc1." + dc.DNSDomain // the name in the DC's certificate
	r := &srvResolver{want: "ldap.tcp.dc._msdcs." + dc.DNSDomain, records: []*net.SRV{
		{Target: dcName + ".", Port: uint16(deadPort), Priority: 0},
		{Target: dcName + ".", Port: 389, Priority: 10},
	}}
	cfg.Resolver = r
	cfg.Dial = loopbackDial(dc, nil)
	s, err := signIn(t, cfg, "alice", dc.Users["alice"].Password)
	if err != nil {
		t.Fatalf("sign in through SRV: %v", err)
	}
	if r.asked != 1 || s.Authority != dcName+":389" || s.Identity.User != dc.Domain+`\alice` {
		t.Errorf("asked DNS %d times, signed in at %q as %q", r.asked, s.Authority, s.Identity.User)
	}

	// No records: a clear error that names the domain and what to do.
	cfg.Resolver = &srvResolver{want: "nothing"}
	_, err = signIn(t, cfg, "alice", dc.Users["alice"].Password)
	var de *directory.Error
	if !errors.As(err, &de) || !errors.Is(err, model.ErrDCUnreachable) || de.Hint() == "" {
		t.Fatalf("no SRV records: err = %v", err)
	}
}

// loopbackDial resolves every name to the test DC's address, as a site's DNS
// would resolve dc1.lab.example, and records each address dialled.
func loopbackDial(dc *adtest.DC, dialled *[]string) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if dialled != nil {
			*dialled = append(*dialled, addr)
		}
		_, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		var d net.Dialer
		return d.DialContext(ctx, network, net.JoinHostPort(dc.Addr, port))
	}
}

// A DNS answer naming a host outside the AD DNS domain is never contacted
// (issue 9, attack 3): a spoofed SRV record must not receive the password,
// even from a host whose certificate the system pool would trust.
func TestSambaSRVTargetsOutsideTheDomainAreSkipped(t *testing.T) {
	dc := adtest.Start(t)
	cfg := sambaConfig(dc)
	cfg.DCs = nil
	var dialled []string
	cfg.Dial = loopbackDial(dc, &dialled)
	cfg.Resolver = &srvResolver{want: "ldap.tcp.dc._msdcs." + dc.DNSDomain, records: []*net.SRV{
		{Target: "dc1.attacker.example.", Port: 389, Priority: 0},
		{Target: "lab.example.attacker.example.", Port: 389, Priority: 0},
		{Target: "dc1." + dc.DNSDomain + ".", Port: 389, Priority: 10},
	}}
	s, err := signIn(t, cfg, "alice", dc.Users["alice"].Password)
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	for _, a := range dialled {
		if strings.Contains(a, "attacker") {
			t.Errorf("dialled %s, outside %s: %v", a, dc.DNSDomain, dialled)
		}
	}
	if !strings.Contains(strings.Join(s.Warnings, "\n"), "dc1.attacker.example") {
		t.Errorf("warnings %q: want one naming the skipped target", s.Warnings)
	}

	// Only outside targets: no DC, and the error says so.
	cfg.Resolver = &srvResolver{want: "ldap.tcp.dc._msdcs." + dc.DNSDomain, records: []*net.SRV{{Target: "dc1.attacker.example.", Port: 389}}}
	dialled = nil
	if _, err := signIn(t, cfg, "alice", dc.Users["alice"].Password); !errors.Is(err, model.ErrDCUnreachable) || len(dialled) != 0 {
		t.Fatalf("only outside targets: err = %v, dialled %v", err, dialled)
	}
}

func TestInDomain(t *testing.T) {
	for host, want := range map[string]bool{
		"dc1.lab.example": true, "DC1.LAB.EXAMPLE.": true, "lab.example": true,
		"evil.example": false, "dc1.evillab.example": false, "lab.example.evil": false, "": false,
	} {
		if got := directory.InDomain(host, "lab.example"); got != want {
			t.Errorf("InDomain(%q) = %v; want %v", host, got, want)
		}
	}
}

// After a DC answers, the next sign-in on the same client goes to it first:
// a technician who mistyped the password doesn't wait out a dead DC again.
func TestSambaRemembersTheDCThatAnswered(t *testing.T) {
	dc := adtest.Start(t)
	c, err := directory.New(sambaConfig(dc, dc.DeadURL, dc.URL))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.SignIn(ctx, "alice", "not-her-password"); !errors.Is(err, model.ErrBadCredentials) {
		t.Fatalf("first attempt: %v", err)
	}
	s, err := c.SignIn(ctx, "alice", dc.Users["alice"].Password)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range s.Warnings {
		if strings.Contains(w, "skipped") {
			t.Errorf("the dead DC was tried again before the one that answered: %q", s.Warnings)
		}
	}
	// A fresh client knows nothing yet and skips the dead DC with a warning.
	s, err = signIn(t, sambaConfig(dc, dc.DeadURL, dc.URL), "alice", dc.Users["alice"].Password)
	if err != nil || len(s.Warnings) == 0 {
		t.Fatalf("fresh client: %v, warnings %q", err, s.Warnings)
	}
}
