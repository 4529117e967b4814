package directory_test

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	ber "github.com/go-asn1-ber/asn1-ber"
	"github.com/go-ldap/ldap/v3"
	"github.com/imageinvoker/imageinvoker/internal/certs"
	"github.com/imageinvoker/imageinvoker/internal/directory"
	"github.com/imageinvoker/imageinvoker/internal/directory/adtest"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// listen starts a TCP listener that hands each connection to serve.
func listen(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go serve(c)
		}
	}()
	return l.Addr().String()
}

// relay starts a listener that connects each client c to addr (up) and
// hands both to pipe; both are closed when pipe returns.
func relay(t *testing.T, addr string, pipe func(c, up net.Conn)) string {
	return listen(t, func(c net.Conn) {
		defer c.Close()
		up, err := net.Dial("tcp", addr)
		if err != nil {
			return
		}
		defer up.Close()
		pipe(c, up)
	})
}

// forward relays to addr.
func forward(t *testing.T, addr string) string {
	return relay(t, addr, func(c, up net.Conn) {
		go io.Copy(up, c)
		io.Copy(c, up)
	})
}

// noStartTLS relays to Samba's port 389 but answers StartTLS with
// "unavailable", like a DC without a certificate, and counts bind requests.
func noStartTLS(t *testing.T, addr string, binds *atomic.Int32) string {
	return relay(t, addr, func(c, up net.Conn) {
		go io.Copy(c, up)
		for {
			p, err := ber.ReadPacket(c)
			if err != nil {
				return
			}
			if len(p.Children) < 2 {
				return
			}
			switch p.Children[1].Tag {
			case ldap.ApplicationBindRequest:
				binds.Add(1)
			case ldap.ApplicationExtendedRequest:
				resp := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "")
				resp.AppendChild(p.Children[0])
				ext := ber.Encode(ber.ClassApplication, ber.TypeConstructed, ldap.ApplicationExtendedResponse, nil, "")
				ext.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagEnumerated, int64(ldap.LDAPResultUnavailable), ""))
				ext.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, "", ""))
				ext.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, "no TLS here", ""))
				resp.AppendChild(ext)
				c.Write(resp.Bytes())
				continue
			}
			if _, err := up.Write(p.Bytes()); err != nil {
				return
			}
		}
	})
}

func TestSambaTransport(t *testing.T) {
	dc := adtest.Start(t)
	alice := dc.Users["alice"]
	var plainBinds atomic.Int32
	plain := "ldap://" + noStartTLS(t, dc.Addr+":389", &plainBinds)
	otherCA := writeCA(t)
	cases := []struct {
		name  string
		mod   func(*directory.Config)
		want  error  // nil: success
		dc    string // which DC must have answered
		inErr string
		binds int32 // bind requests the no-StartTLS proxy may see
	}{
		{name: "ldaps", mod: func(c *directory.Config) {}, dc: dc.Addr + ":636"},
		{name: "starttls", mod: func(c *directory.Config) { c.DCs = []string{dc.StartTLSURL} }, dc: dc.Addr + ":389"},
		{name: "first DC dead", mod: func(c *directory.Config) { c.DCs = []string{dc.DeadURL, dc.URL} }, dc: dc.Addr + ":636"},
		{name: "first DC hangs", mod: func(c *directory.Config) {
			c.DCs = []string{"ldaps://" + adtest.Silent(t), dc.URL}
			c.Timeout = 300 * time.Millisecond
		}, dc: dc.Addr + ":636"},
		{name: "only DC hangs", mod: func(c *directory.Config) {
			c.DCs = []string{"ldaps://" + adtest.Silent(t)}
			c.Timeout = 300 * time.Millisecond
		}, want: model.ErrDCTimeout},
		{name: "total budget", mod: func(c *directory.Config) {
			c.DCs = []string{"ldaps://" + adtest.Silent(t), "ldaps://" + adtest.Silent(t), dc.URL}
			c.Timeout, c.TotalTimeout = 2*time.Second, 300*time.Millisecond
		}, want: model.ErrDCTimeout},
		{name: "only DC dead", mod: func(c *directory.Config) { c.DCs = []string{dc.DeadURL} }, want: model.ErrDCUnreachable},
		{name: "wrong CA", mod: func(c *directory.Config) { c.CAFile = otherCA }, want: model.ErrTLS, inErr: "authority"},
		{name: "wrong CA starttls", mod: func(c *directory.Config) { c.CAFile, c.DCs = otherCA, []string{dc.StartTLSURL} }, want: model.ErrTLS, inErr: "authority"},
		{name: "name mismatch", mod: func(c *directory.Config) {
			_, port, _ := net.SplitHostPort(forward(t, dc.Addr+":636"))
			c.DCs = []string{"ldaps://localhost:" + port}
		}, want: model.ErrTLS, inErr: "another name"},
		{name: "no StartTLS, plain not allowed", mod: func(c *directory.Config) { c.DCs = []string{plain} }, want: model.ErrTLS, inErr: "never sent in clear"},
		// Samba's default "ldap server require strong auth = yes" refuses
		// the clear-text bind itself.
		{name: "no StartTLS, plain allowed", mod: func(c *directory.Config) { c.DCs, c.AllowPlain = []string{plain}, true },
			want: model.ErrPlainRefused, binds: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			plainBinds.Store(0)
			cfg := sambaConfig(dc)
			tc.mod(&cfg)
			s, err := signIn(t, cfg, "alice", alice.Password)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("SignIn: %v", err)
				}
				if s.Authority != tc.dc || s.Identity.User != `LAB\alice` {
					t.Fatalf("answered by %s as %s; want %s", s.Authority, s.Identity.User, tc.dc)
				}
				return
			}
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.inErr) {
				t.Fatalf("err = %v; want %v mentioning %q", err, tc.want, tc.inErr)
			}
			if strings.Contains(err.Error(), alice.Password) {
				t.Fatalf("error holds the password: %v", err)
			}
			if got := plainBinds.Load(); got != tc.binds {
				t.Fatalf("%d binds reached the DC in clear; want %d", got, tc.binds)
			}
		})
	}
}

// A DC certificate outside its validity names the clock as the first suspect.
func TestCertificateValidity(t *testing.T) {
	now := time.Now()
	cases := []struct {
		name                string
		notBefore, notAfter time.Time
		inErr               string
	}{
		{"expired", now.Add(-48 * time.Hour), now.Add(-24 * time.Hour), "has expired"},
		{"not yet valid", now.Add(24 * time.Hour), now.Add(48 * time.Hour), "not valid yet"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			caPEM, cert := certPair(t, tc.notBefore, tc.notAfter)
			addr := listen(t, func(c net.Conn) {
				defer c.Close()
				tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert}}).Handshake()
			})
			c, err := directory.New(directory.Config{DCs: []string{"ldaps://" + addr}, Domain: "LAB", DNSDomain: "lab.example", CAPEM: caPEM})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.SignIn(context.Background(), "alice", "x-password")
			var de *directory.Error
			if !errors.As(err, &de) || !errors.Is(err, model.ErrTLS) || !strings.Contains(err.Error(), tc.inErr) || !strings.Contains(de.Hint(), "clock") {
				t.Fatalf("err = %v; want ErrTLS %q with a hint about the clock", err, tc.inErr)
			}
		})
	}
}

// certPair is a CA's PEM and a certificate it signed for 127.0.0.1, valid
// from notBefore to notAfter; the CA itself is valid now.
func certPair(t *testing.T, notBefore, notAfter time.Time) ([]byte, tls.Certificate) {
	t.Helper()
	ca, err := certs.NewCA("test CA", time.Now().Add(-72*time.Hour), time.Now().Add(72*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Issue([]string{"127.0.0.1"}, notBefore, notAfter)
	if err != nil {
		t.Fatal(err)
	}
	return ca.PEM, cert
}

func writeCA(t *testing.T) string {
	caPEM, _ := certPair(t, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	p := filepath.Join(t.TempDir(), "other-ca.pem")
	if err := os.WriteFile(p, caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// BenchmarkSignIn measures bind → groups resolved, one sign-in per op, and
// reports the LDAP requests it took.
func BenchmarkSignIn(b *testing.B) {
	targets := map[string]func(b *testing.B) directory.Config{
		"demo": func(b *testing.B) directory.Config { return demoTarget(b).Config },
		"samba-ldaps": func(b *testing.B) directory.Config {
			dc := adtest.Start(b)
			return dc.Target.Config
		},
		"samba-starttls": func(b *testing.B) directory.Config {
			dc := adtest.Start(b)
			cfg := dc.Target.Config
			cfg.DCs = []string{dc.StartTLSURL}
			return cfg
		},
	}
	for _, name := range []string{"demo", "samba-ldaps", "samba-starttls"} {
		b.Run(name, func(b *testing.B) {
			c, err := directory.New(targets[name](b))
			if err != nil {
				b.Fatal(err)
			}
			trips := 0
			for b.Loop() {
				s, err := c.SignIn(context.Background(), "alice", "alice-demo")
				if err != nil {
					b.Fatal(err)
				}
				trips = s.RoundTrips
			}
			b.ReportMetric(float64(trips), "requests/op")
		})
	}
}
