package doctor

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	ber "github.com/go-asn1-ber/asn1-ber"
	"github.com/go-ldap/ldap/v3"
	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/directory"
)

// maxSRVProbes bounds how many DNS-discovered DCs are probed: a large
// domain lists dozens, and the client only ever needs one to answer.
const maxSRVProbes = 5

// dcPhase is what the DC phase found for one domain: the DNS answer and one
// probe per DC.
type dcPhase struct {
	// domain is the NetBIOS name with directory.domains ("" for one domain);
	// caFile is that domain's CA file.
	domain    string
	caFile    string
	dns       Check
	noDC      *Check // set when there is no DC to probe
	probes    []*probe
	notProbed int // DNS-discovered DCs beyond maxSRVProbes
	roots     *x509.CertPool
	rootsName string // "the CA file X" or "the system's trusted CAs"
	rootsErr  error
}

// probe is one DC: reached over TCP, secured with TLS (LDAPS or StartTLS),
// its certificate chain, and its clock from the rootDSE. No bind, ever.
type probe struct {
	raw        string
	url        *url.URL
	parseErr   error
	notTried   string
	connectErr error
	timeout    time.Duration
	// startTLSRefused: an ldap:// DC answered the StartTLS request with an error.
	startTLSRefused bool
	handshakeErr    error
	version         uint16
	certs           []*x509.Certificate
	verifyErr       error // at this machine's clock
	// dcSkew is the DC's currentTime minus this machine's clock, read over
	// the same connection; dcTimeOK says it was read.
	dcSkew    time.Duration
	dcTimeOK  bool
	dcTimeErr error
	// rtt is how long the rootDSE read took: one LDAP request and its
	// answer, the unit a sign-in is made of (latency.go).
	rtt time.Duration
}

func (p *probe) name() string {
	if p.url != nil {
		return p.url.Host
	}
	return p.raw
}

// dcPhases are the DC phases of every configured domain, in config order.
type dcPhases []dcPhase

// domainDCs is one domain's DC settings: directory's own, or one entry of
// directory.domains.
type domainDCs struct {
	name                      string // NetBIOS name with directory.domains, else ""
	dcs                       []string
	dnsDomain, baseDN, caFile string
}

func configuredDomains(dir config.DirectoryConfig) []domainDCs {
	if len(dir.Domains) == 0 {
		return []domainDCs{{dcs: dir.DCs, dnsDomain: dir.DNSDomain, baseDN: dir.BaseDN, caFile: dir.CAFile}}
	}
	var out []domainDCs
	for _, d := range dir.Domains {
		out = append(out, domainDCs{name: strings.ToUpper(d.NetBIOS), dcs: d.DCs, dnsDomain: d.DNS, baseDN: d.BaseDN, caFile: d.CAFile})
	}
	return out
}

// suffix tells one domain's checks from another's: "dns (OTHER)".
func (ph dcPhase) suffix() string {
	if ph.domain == "" {
		return ""
	}
	return " (" + ph.domain + ")"
}

// runDCPhase checks every configured domain's DCs, the domains side by side.
func runDCPhase(ctx context.Context, d Deps) dcPhases {
	doms := configuredDomains(d.Config.Directory)
	out := make(dcPhases, len(doms))
	var wg sync.WaitGroup
	for i, dom := range doms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = runDomainPhase(ctx, d, dom)
		}()
	}
	wg.Wait()
	return out
}

func runDomainPhase(ctx context.Context, d Deps, dom domainDCs) dcPhase {
	ph := dcPhase{domain: dom.name, caFile: dom.caFile}
	dir := d.Config.Directory
	ph.roots, ph.rootsName, ph.rootsErr = loadRoots(dom.caFile, d.SystemRoots)
	dnsDomain := dom.dnsDomain
	if dnsDomain == "" && dom.baseDN != "" {
		dnsDomain = directory.DNSFromBaseDN(dom.baseDN)
	}
	var discovered []*url.URL
	ph.dns, discovered = dnsCheck(ctx, d, dnsDomain, len(dom.dcs) > 0, dom.caFile)
	ph.dns.Name += ph.suffix()
	switch {
	case len(dom.dcs) > 0:
		for _, raw := range dom.dcs {
			u, err := directory.ParseDC(raw)
			ph.probes = append(ph.probes, &probe{raw: raw, url: u, parseErr: err})
		}
	case len(discovered) > 0:
		if len(discovered) > maxSRVProbes {
			ph.notProbed = len(discovered) - maxSRVProbes
			discovered = discovered[:maxSRVProbes]
		}
		for _, u := range discovered {
			ph.probes = append(ph.probes, &probe{raw: u.String(), url: u})
		}
	case dnsDomain == "":
		ph.noDC = &Check{Name: "dc" + ph.suffix(), Status: Fail, Detail: "no domain controller configured and no DNS domain to find one",
			Fix: "Name a DC with --dc ldaps://dc1.lab.example (directory.dcs), or set --dns-domain lab.example (directory.dns_domain) to find them in DNS"}
	default:
		ph.noDC = &Check{Name: "dc" + ph.suffix(), Status: Skip, Detail: "skipped: no domain controller found (see dns" + ph.suffix() + ")"}
	}
	total, cancel := context.WithTimeout(ctx, dir.TotalTimeout)
	defer cancel()
	for _, p := range ph.probes {
		if p.parseErr != nil {
			continue
		}
		if total.Err() != nil {
			p.notTried = "not tried: directory.total_timeout (" + dir.TotalTimeout.String() + ") was used up by the DCs above"
			continue
		}
		p.timeout = dir.Timeout
		p.run(total, d, ph.roots)
	}
	return ph
}

func loadRoots(caFile string, system func() (*x509.CertPool, error)) (*x509.CertPool, string, error) {
	if caFile == "" {
		pool, err := system()
		if err != nil {
			return nil, "the system's trusted CAs", fmt.Errorf("read the system's trusted CAs: %w", err)
		}
		return pool, "the system's trusted CAs", nil
	}
	name := "the CA file " + caFile
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, name, fmt.Errorf("read the CA file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, name, errors.New("the CA file " + caFile + " holds no PEM certificate (BEGIN CERTIFICATE)")
	}
	return pool, name, nil
}

// dnsCheck looks up the SRV records the client uses to find DCs. With DCs
// configured the answer is only information; without, it is the DC list.
func dnsCheck(ctx context.Context, d Deps, domain string, haveDCs bool, caFile string) (Check, []*url.URL) {
	c := Check{Name: "dns"}
	if d.DNSSkip != "" {
		c.Status, c.Detail = Skip, "skipped: "+d.DNSSkip
		return c, nil
	}
	if domain == "" {
		c.Status, c.Detail = Skip, "skipped: no DNS domain set (directory.dns_domain)"
		if haveDCs {
			c.Detail = "skipped: DCs are configured (directory.dcs) and no DNS domain is set"
		}
		return c, nil
	}
	record := "_ldap._tcp.dc._msdcs." + domain
	ctx, cancel := context.WithTimeout(ctx, d.Config.Directory.Timeout)
	defer cancel()
	_, srvs, err := d.Resolver.LookupSRV(ctx, "ldap", "tcp", "dc._msdcs."+domain)
	if err != nil || len(srvs) == 0 {
		why := "no records"
		if err != nil {
			why = err.Error()
		}
		c.Detail = "DNS has no DC records " + record + ": " + why
		c.Fix = "Check this machine's DNS server: it must be one that serves the AD zone " + domain
		if haveDCs {
			c.Status = Warn
			c.Detail += " (not needed now: DCs are configured)"
			return c, nil
		}
		c.Status = Fail
		c.Fix += ", or name a DC with --dc ldaps://dc1." + domain + " (directory.dcs)"
		return c, nil
	}
	var urls []*url.URL
	var names, outside []string
	for _, s := range srvs {
		host := strings.TrimSuffix(s.Target, ".")
		// The client skips targets outside the AD DNS domain (a spoofed
		// answer); doctor probes what the client would use.
		if !directory.InDomain(host, domain) {
			outside = append(outside, host)
			continue
		}
		// SRV records give the plain LDAP port: the client secures it with StartTLS.
		u := &url.URL{Scheme: "ldap", Host: net.JoinHostPort(host, fmt.Sprint(s.Port))}
		urls = append(urls, u)
		names = append(names, u.Host)
	}
	c.Status = OK
	c.Detail = fmt.Sprintf("%s lists %d DC(s): %s", record, len(srvs), strings.Join(names, ", "))
	if len(outside) > 0 {
		c.Status = Warn
		c.Detail += fmt.Sprintf("; skipped %s: not inside %s", strings.Join(outside, ", "), domain)
		c.Fix = "Check this machine's DNS server: a DC record naming a host outside the domain is wrong or spoofed"
	}
	if haveDCs {
		c.Detail += " (information only: the configured DCs are used)"
	} else if caFile == "" && len(urls) > 0 {
		// Whoever answers DNS picks the DCs; with the system pool any
		// publicly trusted certificate for a name in the domain passes.
		c.Status = Warn
		c.Detail += "; the DCs come from DNS and their certificates are checked against the system's trusted CAs"
		c.Fix = "Give the domain's CA with --ca-file (directory.ca_file), or name the DCs with --dc (directory.dcs), so a spoofed DNS answer cannot choose who receives the password"
	}
	return c, urls
}

func (p *probe) run(ctx context.Context, d Deps, roots *x509.CertPool) {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	raw, err := d.Dial(ctx, "tcp", p.url.Host)
	if err != nil {
		p.connectErr = err
		return
	}
	defer raw.Close()
	// go-ldap and crypto/tls block on the socket; closing it is what ends them.
	stop := context.AfterFunc(ctx, func() { raw.Close() })
	defer stop()
	conn := raw
	secure := true
	if p.url.Scheme == "ldap" {
		ok, err := directory.StartTLS(raw)
		if err != nil {
			p.handshakeErr = fmt.Errorf("starttls: %w", err)
			return
		}
		p.startTLSRefused, secure = !ok, ok
	}
	if secure {
		// Verification is done by verify, below, with the same inputs
		// crypto/tls would use: it needs the chain even when it fails, to
		// say why, and to read the DC's clock over the connection. Nothing
		// secret is ever sent on it (doctor never binds).
		tc := tls.Client(raw, &tls.Config{MinVersion: tls.VersionTLS12, ServerName: p.url.Hostname(), InsecureSkipVerify: true})
		if err := tc.HandshakeContext(ctx); err != nil {
			p.handshakeErr = err
			return
		}
		st := tc.ConnectionState()
		p.version, p.certs = st.Version, st.PeerCertificates
		if roots != nil {
			p.verifyErr = verify(p.certs, roots, p.url.Hostname(), d.Now())
		}
		conn = tc
	}
	p.readTime(ctx, conn, secure, d.Now)
}

// verify checks a chain the way crypto/tls does for a client, at time at.
func verify(certs []*x509.Certificate, roots *x509.CertPool, serverName string, at time.Time) error {
	if len(certs) == 0 {
		return errors.New("the DC sent no certificate")
	}
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	_, err := certs[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, DNSName: serverName, CurrentTime: at})
	return err
}

// readTime reads the rootDSE's currentTime, which AD and Samba give to an
// anonymous reader: the DC's clock, to compare this machine's with.
func (p *probe) readTime(ctx context.Context, conn net.Conn, secure bool, now func() time.Time) {
	lc := ldap.NewConn(conn, secure)
	lc.Start()
	defer lc.Close()
	if dl, ok := ctx.Deadline(); ok {
		lc.SetTimeout(time.Until(dl))
	}
	sent := time.Now()
	res, err := lc.Search(ldap.NewSearchRequest("", ldap.ScopeBaseObject, ldap.NeverDerefAliases, 1, 0, false,
		"(objectClass=*)", []string{"currentTime"}, nil))
	local := now()
	if err == nil {
		p.rtt = time.Since(sent)
	}
	if err != nil {
		p.dcTimeErr = fmt.Errorf("read the DC's time: %w", err)
		return
	}
	if len(res.Entries) != 1 {
		p.dcTimeErr = errors.New("read the DC's time: no rootDSE")
		return
	}
	v := res.Entries[0].GetAttributeValue("currentTime")
	if v == "" {
		p.dcTimeErr = errors.New("read the DC's time: the rootDSE has no currentTime")
		return
	}
	t, err := ber.ParseGeneralizedTime([]byte(v))
	if err != nil {
		p.dcTimeErr = fmt.Errorf("read the DC's time: %q: %w", v, err)
		return
	}
	p.dcSkew, p.dcTimeOK = t.Sub(local), true
}
