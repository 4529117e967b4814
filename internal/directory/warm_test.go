package directory_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	ber "github.com/go-asn1-ber/asn1-ber"
	"github.com/go-ldap/ldap/v3"
	"github.com/imageinvoker/imageinvoker/internal/directory"
	"github.com/imageinvoker/imageinvoker/internal/directory/adtest"
	"github.com/imageinvoker/imageinvoker/internal/latency"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// warmProxy puts a counting proxy (internal/latency, no delay) in front of
// the DC's port and returns it with the DC URL through it.
func warmProxy(t *testing.T, dc *adtest.DC, scheme, port string) (*latency.Proxy, string) {
	t.Helper()
	p, err := latency.NewProxy(net.JoinHostPort(dc.Addr, "0"), net.JoinHostPort(dc.Addr, port), 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p, scheme + "://" + p.Addr()
}

// warmClient is a client whose only DC is dc behind a counting proxy.
func warmClient(t *testing.T, dc *adtest.DC, scheme, port string) (*latency.Proxy, *directory.Client) {
	t.Helper()
	p, url := warmProxy(t, dc, scheme, port)
	c, err := directory.New(sambaConfig(dc, url))
	if err != nil {
		t.Fatal(err)
	}
	return p, c
}

// warmed starts c's warm-up and waits for it to finish.
func warmed(t *testing.T, c *directory.Client) io.Closer {
	t.Helper()
	w := c.Warm()
	<-w.(*directory.Warm).Done()
	return w
}

// waitOpen waits until p forwards n connections; a test that never gets
// there fails (after a minute: a hang guard, not a measurement).
func waitOpen(t *testing.T, p *latency.Proxy, n int, why string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := p.WaitOpen(ctx, n); err != nil {
		t.Fatalf("%s: %d connections still open; want %d", why, p.Open(), n)
	}
}

// The connection opened while the password is typed saves the TCP and TLS
// round trips after Enter (and StartTLS's), and serves one sign-in only:
// nothing stays open after it. Who-am-I and the account search share one
// round trip: a sign-in is TCP, TLS, bind, who-am-I with the search,
// tokenGroups and the group names.
func TestSambaWarmSavesTheHandshake(t *testing.T) {
	dc := adtest.Start(t)
	alice := dc.Users["alice"]
	for _, tc := range []struct {
		name, scheme, port string
		cold, warm         int64
	}{
		{"ldaps", "ldaps", "636", 6, 4},
		{"starttls", "ldap", "389", 7, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, c := warmClient(t, dc, tc.scheme, tc.port)
			ctx := context.Background()
			s, err := c.SignIn(ctx, "alice", alice.Password)
			if err != nil {
				t.Fatal(err)
			}
			if p.Conns() != 1 || p.Trips() != tc.cold {
				t.Errorf("cold sign-in: %d connections, %d round trips; want 1 and %d", p.Conns(), p.Trips(), tc.cold)
			}
			waitOpen(t, p, 0, "after a cold sign-in")

			w := warmed(t, c)
			if p.Open() != 1 {
				t.Fatalf("warm-up: %d connections open; want 1", p.Open())
			}
			p.Reset()
			s2, err := c.SignInWarm(ctx, w, "alice", alice.Password)
			if err != nil {
				t.Fatal(err)
			}
			if p.Conns() != 0 || p.Trips() != tc.warm {
				t.Errorf("warm sign-in: %d new connections, %d round trips after Enter; want 0 and %d", p.Conns(), p.Trips(), tc.warm)
			}
			if s2.Identity.User != `LAB\alice` || s2.Identity.SID != s.Identity.SID || len(s2.Groups) != len(s.Groups) || s2.RoundTrips != s.RoundTrips {
				t.Errorf("warm sign-in: %s %s, %d groups, %d requests; cold: %s %s, %d groups, %d requests",
					s2.Identity.User, s2.Identity.SID, len(s2.Groups), s2.RoundTrips, s.Identity.User, s.Identity.SID, len(s.Groups), s.RoundTrips)
			}
			waitOpen(t, p, 0, "after a warm sign-in (a bound connection is never kept)")
		})
	}
}

// A warm connection the DC (or a middlebox) dropped while the password was
// typed costs one new connection to the same DC, and the sign-in goes on
// as a cold one would: whether the drop was seen before the bind or only
// by the bind itself.
func TestSambaWarmDroppedRedialsOnce(t *testing.T) {
	dc := adtest.Start(t)
	alice := dc.Users["alice"]
	for _, tc := range []struct {
		name string
		drop func(p *latency.Proxy)
	}{
		{"closed while typing", func(p *latency.Proxy) { p.Cut(); waitOpen(t, p, 0, "cut") }},
		{"dead at the bind", func(p *latency.Proxy) { p.CutOnNextRequest() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, c := warmClient(t, dc, "ldaps", "636")
			w := warmed(t, c)
			tc.drop(p)
			p.Reset()
			s, err := c.SignInWarm(context.Background(), w, "alice", alice.Password)
			if err != nil {
				t.Fatalf("sign-in after the warm connection was dropped: %v", err)
			}
			if s.Identity.User != `LAB\alice` || s.Authority != p.Addr() {
				t.Errorf("signed in as %s at %s; want LAB\\alice at %s", s.Identity.User, s.Authority, p.Addr())
			}
			if p.Conns() != 1 {
				t.Errorf("%d new connections; want 1 (one redial, to the same DC)", p.Conns())
			}
			waitOpen(t, p, 0, "after the sign-in")
		})
	}
}

// Closing the warm-up unused (Esc, sign-out, its age) closes its
// connection; so does a refused password, and a sign-in whose name is
// refused before any traffic.
func TestSambaWarmClosed(t *testing.T) {
	dc := adtest.Start(t)
	p, c := warmClient(t, dc, "ldaps", "636")
	ctx := context.Background()

	w := warmed(t, c)
	waitOpen(t, p, 1, "warm-up")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	waitOpen(t, p, 0, "Close")

	w = warmed(t, c)
	p.Reset()
	_, err := c.SignInWarm(ctx, w, adtest.UserBadPassword, "not-the-password")
	if !errors.Is(err, model.ErrBadCredentials) {
		t.Fatalf("wrong password: %v; want ErrBadCredentials", err)
	}
	if p.Conns() != 0 {
		t.Errorf("the refused bind opened %d connections; want it on the warm one", p.Conns())
	}
	waitOpen(t, p, 0, "after a refused password")
	// The account's bad-password count back to zero (adtest.LockoutThreshold).
	if _, err := c.SignIn(ctx, adtest.UserBadPassword, dc.Users[adtest.UserBadPassword].Password); err != nil {
		t.Fatal(err)
	}
	waitOpen(t, p, 0, "after the right password")

	w = warmed(t, c)
	p.Reset()
	if _, err := c.SignInWarm(ctx, w, `EVIL\alice`, "whatever-1"); !errors.Is(err, model.ErrOtherDomain) {
		t.Fatalf(`EVIL\alice: %v; want ErrOtherDomain`, err)
	}
	if p.Trips() != 0 {
		t.Errorf("a name refused before any traffic sent %d round trips on the warm connection", p.Trips())
	}
	waitOpen(t, p, 0, "after a name refused before any traffic")
}

// With several domains the warm-up dials the first domain's DC; a user of
// another domain signs in at theirs, and the warm connection is closed
// unused (not used for reading their groups in the first domain either).
func TestSambaWarmOtherDomain(t *testing.T) {
	lab, other := adtest.StartPair(t)
	p, url := warmProxy(t, lab, "ldaps", "636")
	cfg := pairConfig(lab, other)
	cfg.Domains[0].DCs = []string{url}
	c, err := directory.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	w := warmed(t, c)
	p.Reset()
	s, err := c.SignInWarm(context.Background(), w, "olga@"+other.DNSDomain, adtest.OlgaPassword)
	if err != nil {
		t.Fatal(err)
	}
	if s.Identity.User != `OTHER\olga` {
		t.Fatalf("signed in as %s; want OTHER\\olga", s.Identity.User)
	}
	// LAB is asked for olga's groups there, as the reader account, on a
	// connection of its own.
	if p.Conns() != 1 {
		t.Errorf("LAB: %d new connections; want 1 (the group lookup's own, not the warm one)", p.Conns())
	}
	waitOpen(t, p, 0, "after the sign-in")

	// A LAB user of the same configuration takes it.
	w = warmed(t, c)
	p.Reset()
	if _, err := c.SignInWarm(context.Background(), w, "alice", lab.Users["alice"].Password); err != nil {
		t.Fatal(err)
	}
	if p.Conns() != 0 {
		t.Errorf("LAB user: %d new LAB connections; want the warm one", p.Conns())
	}
	waitOpen(t, p, 0, "after the LAB sign-in")
}

// whoamiRelay is a DC in front of dc (ldaps, its own certificate, signed by
// the CA it returns) that answers "Who am I?" itself, with whoami (the
// Samba here does not implement it; AD does): a DC whose bound account may
// not be the one the typed name finds. Everything else passes through.
func whoamiRelay(t *testing.T, dc *adtest.DC, whoami string) (caPEM []byte, url string) {
	t.Helper()
	caPEM, cert := certPair(t, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(dc.CAPEM)
	addr := listen(t, func(c net.Conn) {
		defer c.Close()
		tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{cert}})
		up, err := tls.Dial("tcp", dc.Addr+":636", &tls.Config{RootCAs: pool, ServerName: dc.Addr})
		if err != nil {
			return
		}
		defer up.Close()
		var mu sync.Mutex
		write := func(b []byte) {
			mu.Lock()
			defer mu.Unlock()
			_, _ = tc.Write(b)
		}
		go func() {
			for {
				p, err := ber.ReadPacket(up)
				if err != nil {
					tc.Close()
					return
				}
				write(p.Bytes())
			}
		}()
		for {
			p, err := ber.ReadPacket(tc)
			if err != nil {
				return
			}
			if len(p.Children) > 1 && p.Children[1].Tag == ldap.ApplicationExtendedRequest {
				ext := ber.Encode(ber.ClassApplication, ber.TypeConstructed, ldap.ApplicationExtendedResponse, nil, "")
				ext.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagEnumerated, int64(ldap.LDAPResultSuccess), ""))
				ext.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, "", ""))
				ext.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, "", ""))
				ext.AppendChild(ber.NewString(ber.ClassContext, ber.TypePrimitive, 11, whoami, ""))
				out := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "")
				out.AppendChild(p.Children[0])
				out.AppendChild(ext)
				write(out.Bytes())
				continue
			}
			if _, err := up.Write(p.Bytes()); err != nil {
				return
			}
		}
	})
	return caPEM, "ldaps://" + addr
}

// Who-am-I and the search for the typed account leave together, and the
// search's answer is used only when it is the account who-am-I names: the
// identity is the account that bound, never the string typed. Here a DC
// says bob bound when alice's name and password were sent: the sign-in is
// bob's (his SID, his groups), not alice's, whom the typed name finds.
// A name typed in another case than the account's is the account.
func TestSambaPipelinedLookupIsWhoBound(t *testing.T) {
	dc := adtest.Start(t)
	alice, bob := dc.Users["alice"], dc.Users["bob"]
	sid := func(user, password string) string {
		s, err := signIn(t, sambaConfig(dc), user, password)
		if err != nil {
			t.Fatal(err)
		}
		return s.Identity.SID
	}
	aliceSID, bobSID := sid("alice", alice.Password), sid("bob", bob.Password)
	for _, tc := range []struct {
		name, whoami, want, sid string
		requests                int // bind, who-am-I with the search, [findBound,] tokenGroups, names
	}{
		{"who-am-I names the typed account", `u:` + dc.Domain + `\alice`, `\alice`, aliceSID, 5},
		{"who-am-I names another account", `u:` + dc.Domain + `\bob`, `\bob`, bobSID, 6},
		{"who-am-I names it in another case", `u:` + dc.Domain + `\ALICE`, `\alice`, aliceSID, 6},
		{"who-am-I names another domain", `u:EVIL\alice`, "", "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			caPEM, url := whoamiRelay(t, dc, tc.whoami)
			cfg := sambaConfig(dc, url)
			cfg.CAFile, cfg.CAPEM = "", caPEM
			s, err := signIn(t, cfg, "alice", alice.Password)
			if tc.want == "" {
				if !errors.Is(err, model.ErrOtherDomain) {
					t.Fatalf("signed in (%v), err %v; want ErrOtherDomain", s, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Identity.User != dc.Domain+tc.want || s.Identity.SID != tc.sid || s.RoundTrips != tc.requests {
				t.Errorf("who-am-I said %s; signed in as %s (SID %s) in %d requests, want %s%s (SID %s) in %d",
					tc.whoami, s.Identity.User, s.Identity.SID, s.RoundTrips, dc.Domain, tc.want, tc.sid, tc.requests)
			}
		})
	}
	// Samba itself has no "Who am I?": the typed name's search is the
	// lookup (strictBound), whatever its case.
	for _, typed := range []string{"ALICE", strings.ToLower(dc.Domain) + `\Alice`} {
		s, err := signIn(t, sambaConfig(dc), typed, alice.Password)
		if err != nil {
			t.Fatal(err)
		}
		if s.Identity.User != dc.Domain+`\alice` || s.Identity.SID != aliceSID {
			t.Errorf("%s signed in as %s; want %s\\alice", typed, s.Identity.User, dc.Domain)
		}
	}
}

// A warm connection left unused longer than its age bound is closed on
// its own; the sign-in that comes later dials afresh.
func TestSambaWarmExpires(t *testing.T) {
	dc := adtest.Start(t)
	p, c := warmClient(t, dc, "ldaps", "636")
	defer directory.SetWarmMaxAge(time.Millisecond)()
	w := c.Warm()
	waitOpen(t, p, 0, "past its age")
	p.Reset()
	if _, err := c.SignInWarm(context.Background(), w, "alice", dc.Users["alice"].Password); err != nil {
		t.Fatal(err)
	}
	if p.Conns() != 1 {
		t.Errorf("%d new connections; want 1 (the expired one is not used)", p.Conns())
	}
	waitOpen(t, p, 0, "after the sign-in")
}

// Warm-ups closed, used, refused and expired leave no goroutine behind
// (go-ldap's reader and processor included).
func TestSambaWarmLeavesNoGoroutine(t *testing.T) {
	dc := adtest.Start(t)
	p, c := warmClient(t, dc, "ldaps", "636")
	ctx := context.Background()
	base := runtime.NumGoroutine()
	for range 3 {
		warmed(t, c).Close()
		if _, err := c.SignInWarm(ctx, warmed(t, c), "alice", dc.Users["alice"].Password); err != nil {
			t.Fatal(err)
		}
		if _, err := c.SignInWarm(ctx, c.Warm(), `EVIL\alice`, "whatever-1"); err == nil {
			t.Fatal(`EVIL\alice signed in`)
		}
	}
	waitOpen(t, p, 0, "after the sign-ins")
	restore := directory.SetWarmMaxAge(time.Millisecond)
	c.Warm()
	waitOpen(t, p, 0, "past its age")
	restore()
	// go-ldap's goroutines end just after the connection closes: wait for
	// them (a hang guard, not a measurement).
	deadline := time.Now().Add(time.Minute)
	for runtime.NumGoroutine() > base && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > base {
		buf := make([]byte, 1<<20)
		t.Fatalf("%d goroutines, %d before:\n%s", n, base, buf[:runtime.Stack(buf, true)])
	}
}
