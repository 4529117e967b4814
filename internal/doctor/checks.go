package doctor

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"time"
)

// stamp is how times are shown: minutes are enough to tell a wrong clock,
// and UTC keeps WinPE's default time zone out of the comparison.
const stamp = "2006-01-02 15:04 UTC"

func fmtTime(t time.Time) string { return t.UTC().Format(stamp) }

// reference is a clock doctor trusts more than this machine's.
type reference struct {
	ok   bool
	skew time.Duration // reference minus this machine's clock
	who  string        // "the DC 10.0.0.5:636", "the database server" (both UTC)
}

// says is "the DC 10.0.0.5:636 says 2026-11-23 16:00 UTC".
func (r reference) says(now time.Time) string {
	return r.who + " says " + fmtTime(now.Add(r.skew))
}

// references lists every clock found: the DCs' (real UTC) first, then the database's.
func references(dcs dcPhases, st storePhase) []reference {
	var out []reference
dcs:
	for _, ph := range dcs {
		for _, p := range ph.probes {
			if p.dcTimeOK {
				out = append(out, reference{ok: true, skew: p.dcSkew, who: "the DC " + p.name()})
				break dcs
			}
		}
	}
	if st.dbTimeOK {
		out = append(out, reference{ok: true, skew: st.dbSkew, who: "the database server"})
	}
	return out
}

func bestReference(dcs dcPhases, st storePhase) reference {
	if refs := references(dcs, st); len(refs) > 0 {
		return refs[0]
	}
	return reference{}
}

// Clock tolerances. Five minutes is AD's own (Kerberos) limit; beyond a day
// certificates start to look expired or not yet valid.
const (
	clockTolerance = 5 * time.Minute
	clockFail      = 24 * time.Hour
)

func clockCheck(d Deps, dcs dcPhases, st storePhase) Check {
	c := Check{Name: "clock"}
	now := d.Now()
	refs := references(dcs, st)
	if len(refs) == 0 {
		c.Status, c.Detail = Skip, "skipped: neither a DC nor the database gave its time to compare with"
		return c
	}
	ref := refs[0]
	var says []string
	for _, r := range refs {
		says = append(says, r.says(now))
	}
	tol, fail := clockTolerance, clockFail
	off := ref.skew.Abs()
	if off <= tol {
		c.Status = OK
		c.Detail = "this machine's clock says " + fmtTime(now) + "; " + strings.Join(says, "; ")
		return c
	}
	dir := "behind"
	if ref.skew < 0 {
		dir = "ahead"
	}
	c.Status = Warn
	if off > fail {
		c.Status = Fail
	}
	c.Detail = fmt.Sprintf("this machine's clock says %s but %s: %s %s", fmtTime(now), strings.Join(says, "; "), humanDuration(off), dir)
	c.Fix = "Set the clock (BIOS/UEFI setup) or let WinPE sync time: a wrong clock makes valid DC certificates look expired or not yet valid"
	return c
}

// humanDuration says how far off a clock is in the unit a person would use.
func humanDuration(d time.Duration) string {
	const day = 24 * time.Hour
	switch {
	case d >= 365*day:
		return fmt.Sprintf("about %.1f years", d.Hours()/24/365.25)
	case d >= 2*day:
		return fmt.Sprintf("about %d days", int(d/day))
	}
	m := int(d.Round(time.Minute) / time.Minute)
	switch {
	case m < 60:
		return fmt.Sprintf("%dm", m)
	case m%60 == 0:
		return fmt.Sprintf("%dh", m/60)
	}
	return fmt.Sprintf("%dh%02dm", m/60, m%60)
}

// checks turns every domain's DC phase into checklist lines.
func (phs dcPhases) checks(d Deps, ref reference) []Check {
	var out []Check
	for _, ph := range phs {
		out = append(out, ph.checks(d, ref)...)
	}
	return out
}

// checks turns one domain's DC phase into checklist lines.
func (ph dcPhase) checks(d Deps, ref reference) []Check {
	out := []Check{ph.dns}
	if ph.noDC != nil {
		out = append(out, *ph.noDC)
	}
	for _, p := range ph.probes {
		out = append(out, p.checks(d, ph, ref)...)
	}
	if ph.notProbed > 0 {
		out = append(out, Check{Name: "dc" + ph.suffix(), Status: Skip,
			Detail: fmt.Sprintf("%d more DCs listed in DNS were not probed; the client tries them in turn", ph.notProbed)})
	}
	return out
}

func (p *probe) checks(d Deps, ph dcPhase, ref reference) []Check {
	if p.parseErr != nil {
		return []Check{{Name: "dc " + p.raw, Status: Fail, Detail: p.parseErr.Error(),
			Fix: "Write each DC as ldaps://dc1.lab.example (LDAPS, port 636) or ldap://dc1.lab.example (StartTLS, port 389) in --dc (directory.dcs)"}}
	}
	conn := Check{Name: "dc " + p.name() + " connect"}
	tlsc := Check{Name: "dc " + p.name() + " tls"}
	switch {
	case p.notTried != "":
		conn.Status, conn.Detail = Skip, p.notTried
		tlsc.Status, tlsc.Detail = Skip, p.notTried
		return []Check{conn, tlsc}
	case p.connectErr != nil:
		conn.Status = Fail
		conn.Detail, conn.Fix = connectProblem(p, p.connectErr)
		tlsc.Status, tlsc.Detail = Skip, "skipped: the DC is not reachable"
		return []Check{conn, tlsc}
	}
	conn.Status, conn.Detail = OK, "TCP connection to "+p.url.Host+" opened"
	tlsc = p.tlsCheck(d, ph, ref, tlsc)
	return []Check{conn, tlsc}
}

func connectProblem(p *probe, err error) (string, string) {
	var dnsErr *net.DNSError
	var ne net.Error
	host := p.url.Hostname()
	switch {
	case errors.As(err, &dnsErr):
		return "cannot resolve " + host + ": " + dnsErr.Err,
			"Check this machine's DNS server, or write the DC's IP address in --dc (its certificate must then name that IP)"
	case errors.As(err, &ne) && ne.Timeout():
		return fmt.Sprintf("no answer from %s within %s", p.url.Host, p.timeout),
			"Check the network cable and that this machine has an address; a firewall may drop port " + p.url.Port() + "; raise --dc-timeout on a slow link"
	case strings.Contains(err.Error(), "refused"):
		return "nothing accepts connections on " + p.url.Host + " (connection refused)",
			"Check that the DC is up and serves LDAP" + ldapsWord(p) + " on port " + p.url.Port() + ", and the address in --dc (directory.dcs)"
	}
	return "cannot connect to " + p.url.Host + ": " + err.Error(),
		"Check the network cable, that this machine has an address, and the DC address in --dc (directory.dcs)"
}

// closedEarly: the DC dropped the connection instead of answering the
// ClientHello. AD and Samba do that on their plain LDAP port, which reads
// the hello as a malformed LDAP message.
func closedEarly(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		strings.Contains(err.Error(), "forcibly closed") // Windows' WSAECONNRESET text
}

func ldapsWord(p *probe) string {
	if p.url.Scheme == "ldaps" {
		return "S"
	}
	return ""
}

func (p *probe) tlsCheck(d Deps, ph dcPhase, ref reference, c Check) Check {
	host := p.url.Host
	switch {
	case p.handshakeErr != nil:
		c.Status = Fail
		var rec tls.RecordHeaderError
		if errors.As(p.handshakeErr, &rec) {
			c.Detail = host + " did not answer with TLS"
			c.Fix = "Use ldaps:// with port 636, or ldap:// with port 389 for StartTLS"
			return c
		}
		var ne net.Error
		if errors.Is(p.handshakeErr, context.DeadlineExceeded) || (errors.As(p.handshakeErr, &ne) && ne.Timeout()) {
			c.Detail = fmt.Sprintf("TLS handshake with %s: no answer within %s", host, p.timeout)
			c.Fix = "Check that " + p.url.Port() + " is the DC's LDAP" + ldapsWord(p) + " port and that nothing in between holds the connection; raise --dc-timeout on a slow link"
			return c
		}
		if closedEarly(p.handshakeErr) {
			c.Detail = host + " did not answer with TLS: it closed the connection during the handshake"
			c.Fix = "If port " + p.url.Port() + " is plain LDAP, write ldap://" + p.url.Hostname() + ":389 (StartTLS) or ldaps://" + p.url.Hostname() +
				":636; on the LDAPS port this means the DC offers only TLS 1.0/1.1 (ImageInvoker needs TLS 1.2 or later)"
			return c
		}
		c.Detail = "TLS handshake with " + host + " failed: " + p.handshakeErr.Error()
		c.Fix = "The DC may offer only TLS 1.0/1.1 (ImageInvoker needs TLS 1.2 or later) or no certificate at all: enable TLS 1.2 and an LDAP server certificate on the DC"
		return c
	case p.startTLSRefused:
		if d.Config.Directory.AllowPlain {
			c.Status = Warn
			c.Detail = host + " refuses StartTLS: passwords would cross the network in clear (allowed by directory.allow_plain)"
			c.Fix = "Give the DC an LDAP server certificate so it offers StartTLS, or use ldaps://" + p.url.Hostname() + ":636"
			return c
		}
		c.Status = Fail
		c.Detail = host + " refuses StartTLS, and the client never sends a password in clear"
		c.Fix = "Use ldaps://" + p.url.Hostname() + ":636, or give the DC an LDAP server certificate so it offers StartTLS"
		return c
	case ph.rootsErr != nil:
		c.Status = Fail
		c.Detail = "cannot verify the certificate of " + host + ": " + ph.rootsErr.Error()
		c.Fix = "Give the domain's CA certificate in PEM (BEGIN CERTIFICATE) with --ca-file (directory.ca_file)"
		return c
	case p.verifyErr != nil:
		c.Status = Fail
		c.Detail, c.Fix = certProblem(d, p, ph, ref, p.verifyErr)
		return c
	}
	leaf := p.certs[0]
	mode := "LDAPS"
	if p.url.Scheme == "ldap" {
		mode = "StartTLS"
	}
	c.Status = OK
	c.Detail = fmt.Sprintf("%s, %s; certificate for %s issued by %q, valid until %s, trusted by %s",
		mode, tls.VersionName(p.version), certNames(leaf), leaf.Issuer.CommonName, fmtTime(leaf.NotAfter), ph.rootsName)
	return c
}

// certProblem explains a failed verification: the wrong name, an unknown
// CA, or — the boot-media classic — a clock so wrong that a valid
// certificate looks expired or not yet valid.
func certProblem(d Deps, p *probe, ph dcPhase, ref reference, err error) (string, string) {
	host := p.url.Host
	var (
		hostErr  x509.HostnameError
		unknown  x509.UnknownAuthorityError
		invalid  x509.CertificateInvalidError
		leaf     = p.certs[0]
		hostname = p.url.Hostname()
	)
	switch {
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return clockTrap(d, p, ph, ref, invalid.Cert)
	case errors.As(err, &hostErr):
		return fmt.Sprintf("the certificate of %s is for %s, not for %s", host, certNames(hostErr.Certificate), hostname),
			"Write the DC in --dc (directory.dcs) by a name its certificate holds, e.g. ldaps://" + firstName(hostErr.Certificate) + ", or have the certificate re-issued with " + hostname
	case errors.As(err, &unknown):
		issuer := leaf.Issuer.CommonName
		if issuer == "" {
			issuer = leaf.Issuer.String()
		}
		detail := fmt.Sprintf("the certificate of %s is signed by %q, which %s does not hold", host, issuer, ph.rootsName)
		if ph.caFile == "" {
			if ph.domain != "" {
				return detail, "Give the CA certificate (PEM) of " + ph.domain + " in its ca_file (directory.domains): WinPE has no enterprise CAs in its store"
			}
			return detail, "Give the domain's CA certificate (PEM) with --ca-file (directory.ca_file): WinPE has no enterprise CAs in its store"
		}
		return detail, "Put the certificate of the CA that issued the DC's certificate (" + issuer + "), in PEM, in " + ph.caFile
	}
	return "the certificate of " + host + " is not valid here: " + err.Error(),
		"Ask an AD administrator to check the DC's certificate"
}

func clockTrap(d Deps, p *probe, ph dcPhase, ref reference, cert *x509.Certificate) (string, string) {
	if cert == nil {
		cert = p.certs[0]
	}
	now := d.Now()
	state := "has expired"
	if now.Before(cert.NotBefore) {
		state = "is not valid yet"
	}
	detail := fmt.Sprintf("the certificate of %s %s by this machine's clock: it is valid from %s to %s, and this machine's clock says %s",
		p.url.Host, state, fmtTime(cert.NotBefore), fmtTime(cert.NotAfter), fmtTime(now))
	if !ref.ok {
		return detail, "Check this machine's clock first (BIOS/UEFI setup); if it is right, the DC's certificate must be renewed"
	}
	real := now.Add(ref.skew)
	realErr := verify(p.certs, ph.roots, p.url.Hostname(), real)
	clockFix := fmt.Sprintf("This machine's clock says %s but %s: set the clock (BIOS) or let WinPE sync time", fmtTime(now), ref.says(now))
	var invalid x509.CertificateInvalidError
	switch {
	case realErr == nil:
		return detail, clockFix + "; the certificate is valid for the real date"
	case errors.As(realErr, &invalid) && invalid.Reason == x509.Expired:
		if ref.skew.Abs() <= clockTolerance {
			return detail, "The clock is right (" + ref.says(now) + "): the DC's certificate must be renewed"
		}
		return detail, clockFix + "; even at that date the certificate is not valid, so it must be renewed too"
	}
	_, next := certProblem(d, &probe{url: p.url, certs: p.certs}, ph, reference{}, realErr)
	return detail, clockFix + "; then: " + next
}

func certNames(c *x509.Certificate) string {
	if c == nil {
		return "an unknown name"
	}
	names := append([]string(nil), c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 {
		names = append(names, c.Subject.CommonName)
	}
	return strings.Join(names, ", ")
}

func firstName(c *x509.Certificate) string {
	if c != nil && len(c.DNSNames) > 0 {
		return c.DNSNames[0]
	}
	if c != nil && len(c.IPAddresses) > 0 {
		return c.IPAddresses[0].String()
	}
	return "dc1.lab.example"
}
