// Package directory signs a technician in against Active Directory: find a
// domain controller, bind with the technician's password over TLS, and read
// the user's security groups (tokenGroups) in as few round trips as AD
// allows. Driver errors become *Error values a technician can act on.
package directory

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
	"unicode"

	ber "github.com/go-asn1-ber/asn1-ber"
	"github.com/go-ldap/ldap/v3"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// Resolver finds DCs through DNS SRV records; *net.Resolver is one.
type Resolver interface {
	LookupSRV(ctx context.Context, service, proto, name string) (string, []*net.SRV, error)
}

// Config says how to reach AD.
type Config struct {
	// DCs are tried in order: ldaps://dc1:636 (LDAPS) or ldap://dc1:389
	// (StartTLS). Empty means SRV discovery in DNSDomain.
	DCs []string
	// Domain is the NetBIOS name bare user names and group names are
	// qualified with (LAB).
	Domain string
	// DNSDomain is the AD DNS domain (lab.example).
	DNSDomain string
	// BaseDN defaults to the DN form of DNSDomain.
	BaseDN string
	// CAFile verifies DC certificates instead of the system pool.
	CAFile string
	// CAPEM is PEM like CAFile's, for CAs held in memory (the demo directory).
	CAPEM []byte
	// AllowPlain lets an ldap:// DC that refuses StartTLS get the password in
	// clear. Never a fallback from a failed TLS handshake.
	AllowPlain bool
	// Timeout bounds each DC (default 5s); TotalTimeout all of them (default 20s).
	Timeout, TotalTimeout time.Duration
	// Resolver defaults to net.DefaultResolver.
	Resolver Resolver
	// Dial opens the TCP connection to a DC; nil uses a net.Dialer. Tests
	// point a DC name inside the AD DNS domain at the loopback DC with it.
	Dial func(ctx context.Context, network, address string) (net.Conn, error)
	// Domains, when set, replace DCs, Domain, DNSDomain, BaseDN, CAFile and
	// CAPEM: a user signs in to their own domain (the first for a bare
	// name), and the groups every other one holds for them as foreign
	// security principals are read there too (domains.go).
	Domains []Domain
}

// Client signs users in. It is safe for concurrent use.
type Client struct {
	cfg  Config
	tls  *tls.Config
	dcs  []*url.URL
	warn []string

	// answered is the DC that last answered. A console signs in again after
	// a mistyped password; trying a dead first DC each time would cost the
	// technician its whole timeout on every attempt.
	mu       sync.Mutex
	answered string
	// srvWarn are the SRV targets skipped, reported with the next sign-in.
	srvWarn []string

	// multi is set with Config.Domains: one Client per domain.
	multi *multi
}

// ordered puts the DC that last answered first, keeping the others' order.
func (c *Client) ordered(dcs []*url.URL) []*url.URL {
	c.mu.Lock()
	last := c.answered
	c.mu.Unlock()
	for i, dc := range dcs {
		if dc.String() == last && i > 0 {
			out := append([]*url.URL{dc}, dcs[:i]...)
			return append(out, dcs[i+1:]...)
		}
	}
	return dcs
}

// New checks cfg and loads the CA file. It makes no network call.
func New(cfg Config) (*Client, error) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.TotalTimeout <= 0 {
		cfg.TotalTimeout = 20 * time.Second
	}
	if cfg.Resolver == nil {
		cfg.Resolver = net.DefaultResolver
	}
	if len(cfg.Domains) > 0 {
		return newMulti(cfg)
	}
	if cfg.DNSDomain == "" && cfg.BaseDN != "" {
		cfg.DNSDomain = DNSFromBaseDN(cfg.BaseDN)
	}
	if cfg.BaseDN == "" && cfg.DNSDomain != "" {
		cfg.BaseDN = baseDNFromDNS(cfg.DNSDomain)
	}
	if cfg.Domain == "" && cfg.DNSDomain != "" {
		// The usual convention; an AD whose NetBIOS name differs must set Domain.
		cfg.Domain = strings.ToUpper(strings.SplitN(cfg.DNSDomain, ".", 2)[0])
	}
	cfg.Domain = strings.ToUpper(cfg.Domain)
	if cfg.BaseDN == "" {
		return nil, configError("set the AD DNS domain (--dns-domain lab.example) or the base DN (--base-dn)", nil)
	}
	if len(cfg.DCs) == 0 && cfg.DNSDomain == "" {
		return nil, configError("set a domain controller (--dc ldaps://dc1.lab.example) or the DNS domain to find one", nil)
	}
	c := &Client{cfg: cfg}
	for _, raw := range cfg.DCs {
		u, err := ParseDC(raw)
		if err != nil {
			return nil, err
		}
		c.dcs = append(c.dcs, u)
	}
	c.tls = &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg.CAFile != "" || len(cfg.CAPEM) > 0 {
		pool := x509.NewCertPool()
		if len(cfg.CAPEM) > 0 && !pool.AppendCertsFromPEM(cfg.CAPEM) {
			return nil, configError("the CA certificate given holds no PEM certificate", nil)
		}
		if cfg.CAFile != "" {
			pem, err := os.ReadFile(cfg.CAFile)
			if err != nil {
				return nil, configError("cannot read the CA file "+cfg.CAFile+"; check --ca-file", err)
			}
			if !pool.AppendCertsFromPEM(pem) {
				return nil, configError("the CA file "+cfg.CAFile+" holds no PEM certificate; give the CA certificate in PEM (BEGIN CERTIFICATE)", nil)
			}
		}
		c.tls.RootCAs = pool
	}
	if cfg.AllowPlain {
		c.warn = append(c.warn, "plain LDAP is allowed: a DC without StartTLS would receive the password in clear")
	}
	return c, nil
}

func configError(msg string, err error) *Error {
	return &Error{Kind: model.ErrDirectoryConfig, Msg: "directory settings: " + msg, Err: err}
}

// ParseDC reads a DC address: ldaps://host[:636], or ldap://host[:389] for
// StartTLS. doctor probes DCs by the same rules.
func ParseDC(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "ldaps" && u.Scheme != "ldap") {
		return nil, configError(fmt.Sprintf("%q is not a DC address; write ldaps://dc1.lab.example or ldap://dc1.lab.example (StartTLS)", raw), err)
	}
	if u.Port() == "" {
		port := "636"
		if u.Scheme == "ldap" {
			port = "389"
		}
		u.Host = net.JoinHostPort(u.Hostname(), port)
	}
	return u, nil
}

func baseDNFromDNS(d string) string {
	var parts []string
	for _, p := range strings.Split(strings.Trim(d, "."), ".") {
		parts = append(parts, "DC="+p)
	}
	return strings.Join(parts, ",")
}

// DNSFromBaseDN is the DNS domain of a base DN (DC=lab,DC=example → lab.example).
func DNSFromBaseDN(dn string) string {
	var parts []string
	for _, rdn := range strings.Split(dn, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(rdn), "=")
		if ok && strings.EqualFold(k, "DC") {
			parts = append(parts, v)
		}
	}
	return strings.ToLower(strings.Join(parts, "."))
}

// account is a parsed user name. Who bound is read back from the DC
// (findBound); sam and upn serve only a DC without "Who am I?" (strictBound).
type account struct {
	bindName string
	sam, upn string
}

func (c *Client) parseUser(user string) (account, error) {
	user = strings.TrimSpace(user)
	bad := func(why string) (account, error) {
		return account{}, &Error{Kind: model.ErrBadUser, Msg: "the user name " + why,
			Next: `Type it as name, ` + c.cfg.Domain + `\name or name@` + c.cfg.DNSDomain}
	}
	if user == "" {
		return bad("is empty")
	}
	if len(user) > 256 {
		return bad("is too long")
	}
	for _, r := range user {
		if unicode.IsControl(r) {
			return bad("contains a control character")
		}
	}
	if dom, name, ok := strings.Cut(user, `\`); ok {
		if dom == "" || name == "" || strings.ContainsAny(name, `\@`) {
			return bad("is not of the form DOMAIN\\name")
		}
		// Another domain's account (a trusted one, or a name the DC maps
		// back to ours) is never sent: the console signs in to one domain,
		// and the groups it reads are that domain's (multi-domain is later).
		if !c.ownDomain(dom) {
			return account{}, otherDomain(strings.ToUpper(dom), c.cfg.Domain)
		}
		return account{bindName: c.cfg.Domain + `\` + name, sam: name}, nil
	}
	if name, dom, ok := strings.Cut(user, "@"); ok {
		if name == "" || dom == "" || strings.Contains(dom, "@") {
			return bad("is not of the form name@domain")
		}
		// A UPN suffix may be any the forest allows (corp.example as well as
		// lab.example): the DC's "Who am I?" answer says whose it was.
		return account{bindName: user, upn: user}, nil
	}
	if c.cfg.Domain != "" {
		return account{bindName: c.cfg.Domain + `\` + user, sam: user}, nil
	}
	return account{bindName: user + "@" + c.cfg.DNSDomain, sam: user}, nil
}

// ownDomain says whether dom names the configured domain, by its NetBIOS or DNS name.
func (c *Client) ownDomain(dom string) bool {
	return strings.EqualFold(dom, c.cfg.Domain) || (c.cfg.DNSDomain != "" && strings.EqualFold(dom, c.cfg.DNSDomain))
}

func otherDomain(dom, own string) *Error {
	return &Error{Kind: model.ErrOtherDomain, Msg: "the account belongs to domain " + dom + ", and this console signs in to " + own + " only",
		Next: "Sign in with an account of " + own + " (" + own + `\name)`}
}

// SignIn checks user and password against AD and returns the user's groups.
// An empty password is refused before any network traffic: AD treats it as
// an anonymous bind and answers success (docs/active-directory.md).
func (c *Client) SignIn(ctx context.Context, user, password string) (*model.SignIn, error) {
	return c.signIn(ctx, nil, user, password)
}

// signIn is SignIn, with the connection Warm opened (nil: none). w is
// offered to the first DC tried only, and closed unused otherwise.
func (c *Client) signIn(ctx context.Context, w *Warm, user, password string) (*model.SignIn, error) {
	if password == "" {
		return nil, EmptyPasswordError()
	}
	if c.multi != nil {
		return c.signInMulti(ctx, w, user, password)
	}
	acct, err := c.parseUser(user)
	if err != nil {
		return nil, err
	}
	var s *model.SignIn
	_, skipped, err := c.firstAnswer(ctx, w.list(c), func(ctx context.Context, dc *url.URL) error {
		var err error
		s, err = c.signInAt(ctx, dc, acct, password, w)
		w = nil // the first DC only
		return err
	})
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	s.Warnings = append(append(append([]string(nil), c.warn...), c.srvWarn...), s.Warnings...)
	c.mu.Unlock()
	s.Warnings = append(s.Warnings, skipped...)
	return s, nil
}

// firstAnswer asks the domain's DCs in turn (the one that answered last
// time first), within directory.total_timeout, until one answers: try's
// error is that DC's. Trouble with a DC moves on to the next (failover); a
// refusal is the domain's answer and ends the search. It returns the DC
// that answered and, as warnings, the DCs it skipped on the way.
//
// dcs, when not nil, is the DC list resolved while the password was typed
// (Warm): no second SRV lookup after Enter.
func (c *Client) firstAnswer(ctx context.Context, dcs []*url.URL, try func(ctx context.Context, dc *url.URL) error) (*url.URL, []string, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.TotalTimeout)
	defer cancel()
	if len(dcs) == 0 {
		var err error
		if dcs, err = c.domainControllers(ctx); err != nil {
			return nil, nil, err
		}
	}
	var failures []*Error
	for _, dc := range c.ordered(dcs) {
		if ctx.Err() != nil {
			break
		}
		var e *Error
		if err := try(ctx, dc); err != nil {
			e = bindError(dc.Host, err)
		}
		if e == nil || !failover(e) {
			// This DC answered (a refused password is an answer too).
			c.mu.Lock()
			c.answered = dc.String()
			c.mu.Unlock()
		}
		if e == nil {
			skipped := make([]string, len(failures))
			for i, f := range failures {
				skipped[i] = "skipped " + f.DC + ": " + f.Msg
			}
			return dc, skipped, nil
		}
		if !failover(e) {
			return dc, nil, e
		}
		failures = append(failures, e)
	}
	return nil, nil, summarize(failures, ctx.Err())
}

// failover: only trouble with the DC itself moves on to the next one. A
// refused password is the domain's answer; asking another DC would only
// count one more bad try against the account.
func failover(e *Error) bool {
	return e.Kind == model.ErrDCUnreachable || e.Kind == model.ErrDCTimeout || e.Kind == model.ErrTLS
}

// summarize picks the most useful error when every DC failed: a TLS problem
// is fixable, a timeout says the network is slow, else nothing answered.
func summarize(failures []*Error, ctxErr error) *Error {
	if len(failures) == 0 {
		return &Error{Kind: model.ErrDCTimeout, Err: ctxErr, Msg: "no domain controller could be tried in the time allowed",
			Next: "Raise --dc-total-timeout or check the network"}
	}
	best := failures[len(failures)-1]
	for _, f := range failures {
		if f.Kind == model.ErrDCTimeout && best.Kind != model.ErrTLS {
			best = f
		}
		if f.Kind == model.ErrTLS {
			best = f
			break
		}
	}
	if len(failures) > 1 {
		var errs []error
		for _, f := range failures {
			errs = append(errs, fmt.Errorf("%s: %s", f.DC, f.Msg))
		}
		out := *best
		out.Msg = fmt.Sprintf("none of %d domain controllers answered; %s", len(failures), best.Msg)
		out.Err = errors.Join(errs...)
		return &out
	}
	return best
}

func (c *Client) domainControllers(ctx context.Context) ([]*url.URL, error) {
	if len(c.dcs) > 0 {
		return c.dcs, nil
	}
	_, srvs, err := c.cfg.Resolver.LookupSRV(ctx, "ldap", "tcp", "dc._msdcs."+c.cfg.DNSDomain)
	if err != nil || len(srvs) == 0 {
		return nil, &Error{Kind: model.ErrDCUnreachable, Err: err,
			Msg:  "no domain controller found in DNS for " + c.cfg.DNSDomain + " (_ldap._tcp.dc._msdcs)",
			Next: "Check this machine's DNS server, or name a DC with --dc ldaps://dc1." + c.cfg.DNSDomain}
	}
	var out []*url.URL
	for _, s := range srvs {
		// SRV records give the plain LDAP port: secure it with StartTLS.
		host := strings.TrimSuffix(s.Target, ".")
		// A spoofed or poisoned DNS answer could send the password to any
		// host whose certificate the system pool trusts; a DC of the domain
		// is named inside the domain, so anything else is skipped.
		if !InDomain(host, c.cfg.DNSDomain) {
			c.addWarning("skipped the DNS SRV target " + host + ": it is not inside the AD DNS domain " + c.cfg.DNSDomain)
			continue
		}
		out = append(out, &url.URL{Scheme: "ldap", Host: net.JoinHostPort(host, fmt.Sprint(s.Port))})
	}
	if len(out) == 0 {
		return nil, &Error{Kind: model.ErrDCUnreachable,
			Msg:  "DNS names no domain controller inside " + c.cfg.DNSDomain + " (_ldap._tcp.dc._msdcs)",
			Next: "Check this machine's DNS server, or name a DC with --dc ldaps://dc1." + c.cfg.DNSDomain}
	}
	return out, nil
}

// InDomain says whether host is the DNS domain or a name inside it.
func InDomain(host, domain string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	domain = strings.ToLower(strings.Trim(domain, "."))
	return domain != "" && (host == domain || strings.HasSuffix(host, "."+domain))
}

// addWarning keeps a warning for the next sign-in's answer, once.
func (c *Client) addWarning(w string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, have := range c.srvWarn {
		if have == w {
			return
		}
	}
	c.srvWarn = append(c.srvWarn, w)
}

// signInAt runs the whole sign-in on one DC within the per-DC timeout, on
// the connection w opened while the password was typed when it is to dc
// (w.take), else on a new one.
func (c *Client) signInAt(ctx context.Context, dc *url.URL, acct account, password string, w *Warm) (*model.SignIn, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	conn, trips, warn := w.take(ctx, c, dc)
	warmed := conn != nil
	if warmed {
		if dl, ok := ctx.Deadline(); ok {
			conn.SetTimeout(time.Until(dl))
		}
	} else {
		var err error
		if conn, trips, warn, err = c.connect(ctx, dc); err != nil {
			return nil, err
		}
	}
	// Closing the connection is the only way to interrupt go-ldap
	// mid-request; use (re)arms that for the connection in use.
	stop := func() bool { return true }
	use := func(lc *dcConn) {
		conn = lc
		stop = context.AfterFunc(ctx, func() { lc.Close() })
	}
	use(conn)
	defer func() {
		stop()
		conn.Close()
	}()
	s := &model.SignIn{Authority: dc.Host, RoundTrips: trips}
	run := func(step string, f func() error) error {
		s.RoundTrips++
		if err := f(); err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("%s: %w: %w", step, errTimeout, ctx.Err())
			}
			return fmt.Errorf("%s: %w", step, err)
		}
		return nil
	}
	s.RoundTrips++
	err := conn.Bind(acct.bindName, password)
	if err != nil && warmed && droppedUnanswered(conn, err) && ctx.Err() == nil {
		// The connection opened while the password was typed was dropped
		// (by the DC or a middlebox) before any answer: dial this DC again,
		// with the same checks, and bind there, as a cold sign-in would
		// have from the start.
		stop()
		conn.Close()
		lc, n, wn, cerr := c.connect(ctx, dc)
		if cerr != nil {
			return nil, cerr
		}
		use(lc)
		s.RoundTrips += n
		warn = wn
		err = conn.Bind(acct.bindName, password)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("bind: %w: %w", errTimeout, ctx.Err())
		}
		return nil, fmt.Errorf("bind: %w", err)
	}
	if warn != "" {
		s.Warnings = append(s.Warnings, warn)
	}
	entry, err := c.boundAccount(conn, acct, run)
	if err != nil {
		return nil, err
	}
	var sids [][]byte
	if err := run("read tokenGroups", func() (err error) { sids, err = tokenGroups(conn.Conn, entry.DN); return err }); err != nil {
		return nil, err
	}
	groups, trips, err := c.resolveSIDs(conn.Conn, sids)
	s.RoundTrips += trips
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("resolve groups: %w: %w", errTimeout, ctx.Err())
		}
		return nil, fmt.Errorf("resolve groups: %w", err)
	}
	sid, err := ParseSID(entry.GetRawAttributeValue("objectSid"))
	if err != nil {
		return nil, fmt.Errorf("user objectSid: %w", err)
	}
	s.DN, s.Groups = entry.DN, groups
	s.Identity = model.Identity{User: c.cfg.Domain + `\` + entry.GetAttributeValue("sAMAccountName"),
		FullName: entry.GetAttributeValue("displayName"), SID: sid, UPN: entry.GetAttributeValue("userPrincipalName")}
	for _, g := range groups {
		if g.Name != "" {
			s.Identity.Groups = append(s.Identity.Groups, g.Name)
		}
	}
	return s, nil
}

// connect opens a TLS-protected connection (or, only with AllowPlain and a
// DC that refuses StartTLS, a plain one). It returns the round trips spent.
func (c *Client) connect(ctx context.Context, dc *url.URL) (*dcConn, int, string, error) {
	dial := c.cfg.Dial
	if dial == nil {
		var d net.Dialer
		dial = d.DialContext
	}
	raw, err := dial(ctx, "tcp", dc.Host)
	if err != nil {
		return nil, 0, "", err
	}
	stop := context.AfterFunc(ctx, func() { raw.SetDeadline(time.Now()) })
	defer stop()
	tc := c.tls.Clone()
	tc.ServerName = dc.Hostname()
	trips, warn, secure := 0, "", true
	if dc.Scheme == "ldap" {
		trips++
		ok, err := StartTLS(raw)
		switch {
		case err != nil:
			raw.Close()
			return nil, trips, "", err
		case !ok && !c.cfg.AllowPlain:
			raw.Close()
			return nil, trips, "", &Error{Kind: model.ErrTLS, DC: dc.Host,
				Msg:  "the domain controller " + dc.Host + " refused StartTLS, and the password is never sent in clear",
				Next: "Use ldaps://" + dc.Hostname() + ":636, or allow plain LDAP (--allow-plain-ldap) knowing the password crosses the network readable"}
		case !ok:
			warn = "the password went to " + dc.Host + " in clear: it refused StartTLS and plain LDAP is allowed"
		}
		secure = ok
	}
	conn := raw
	if secure {
		t := tls.Client(raw, tc)
		if err := t.HandshakeContext(ctx); err != nil {
			raw.Close()
			return nil, trips, "", err
		}
		conn = t
	}
	_ = conn.SetDeadline(time.Time{})
	out := &batchConn{Conn: conn}
	lc := ldap.NewConn(out, secure)
	lc.Start()
	if dl, ok := ctx.Deadline(); ok {
		lc.SetTimeout(time.Until(dl))
	}
	return &dcConn{Conn: lc, out: out}, trips, warn, nil
}

// dcConn is an LDAP connection to a DC, with its writes (batchConn).
type dcConn struct {
	*ldap.Conn
	out *batchConn
}

// batchConn can hold the next requests written to a DC to send them in one
// write (boundAccount): they then cross the network together, whatever
// the order the goroutines sending them run in.
type batchConn struct {
	net.Conn
	mu   sync.Mutex
	hold int
	buf  []byte
}

// batch holds the next n writes, sending them all with the nth.
func (b *batchConn) batch(n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.hold = n
}

// flush sends what is held now, and holds nothing more (a request of the
// batch failed before it was written).
func (b *batchConn) flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.hold = 0
	if len(b.buf) > 0 {
		_, _ = b.Conn.Write(b.buf)
		b.buf = nil
	}
}

func (b *batchConn) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.hold == 0 {
		return b.Conn.Write(p)
	}
	b.buf = append(b.buf, p...)
	if b.hold--; b.hold > 0 {
		return len(p), nil
	}
	buf := b.buf
	b.buf = nil
	if _, err := b.Conn.Write(buf); err != nil {
		return 0, err
	}
	return len(p), nil
}

const oidStartTLS = "1.3.6.1.4.1.1466.20037"

// StartTLS sends the StartTLS extended request on the raw connection, so the
// TLS handshake that follows is the caller's: with a deadline, and with
// errors whose x509 detail survives (go-ldap's StartTLS flattens them to
// text). It reports false when the DC refused StartTLS.
func StartTLS(conn net.Conn) (bool, error) {
	p := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "LDAP Request")
	p.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagInteger, int64(1), "MessageID"))
	req := ber.Encode(ber.ClassApplication, ber.TypeConstructed, ldap.ApplicationExtendedRequest, nil, "Start TLS")
	req.AppendChild(ber.NewString(ber.ClassContext, ber.TypePrimitive, 0, oidStartTLS, "TLS Extended Command"))
	p.AppendChild(req)
	if _, err := conn.Write(p.Bytes()); err != nil {
		return false, err
	}
	resp, err := ber.ReadPacket(conn)
	if err != nil {
		return false, err
	}
	if len(resp.Children) < 2 || resp.Children[1].Tag != ldap.ApplicationExtendedResponse {
		return false, errors.New("starttls: unexpected answer")
	}
	if err := ldap.GetLDAPError(resp); err != nil {
		var le *ldap.Error
		if errors.As(err, &le) && le.ResultCode != ldap.ErrorNetwork {
			return false, nil
		}
		return false, err
	}
	return true, nil
}

var userAttrs = []string{"sAMAccountName", "displayName", "objectSid", "userPrincipalName"}

// findBound reads the account that bound, by the DC's "Who am I?" answer:
// u:DOMAIN\name (AD, Samba) or dn:DN. The account must be of the
// configured domain and under the base DN.
func (c *Client) findBound(conn *ldap.Conn, authz string) (*ldap.Entry, error) {
	notUnder := &Error{Kind: model.ErrUserNotFound, Msg: "the password was accepted but the account is not under " + c.cfg.BaseDN,
		Next: "Check --base-dn, and that the user belongs to domain " + c.cfg.Domain}
	var req *ldap.SearchRequest
	switch {
	case strings.HasPrefix(authz, "u:"):
		dom, name, ok := strings.Cut(strings.TrimPrefix(authz, "u:"), `\`)
		if !ok || name == "" {
			return nil, &Error{Kind: model.ErrUserNotFound, Msg: fmt.Sprintf("the domain controller named the signed-in account %q, not DOMAIN\\name", authz),
				Next: "Ask an AD administrator to check the domain controller"}
		}
		if !c.ownDomain(dom) {
			return nil, otherDomain(strings.ToUpper(dom), c.cfg.Domain)
		}
		req = ldap.NewSearchRequest(c.cfg.BaseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 2, 0, false,
			"(&(objectCategory=person)(objectClass=user)(sAMAccountName="+ldap.EscapeFilter(name)+"))", userAttrs, nil)
	case strings.HasPrefix(authz, "dn:"):
		dn := strings.TrimPrefix(authz, "dn:")
		if !underDN(dn, c.cfg.BaseDN) {
			return nil, notUnder
		}
		req = ldap.NewSearchRequest(dn, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 1, 0, false,
			"(&(objectCategory=person)(objectClass=user))", userAttrs, nil)
	default:
		return nil, &Error{Kind: model.ErrUserNotFound, Msg: fmt.Sprintf("the domain controller did not say which account signed in (who am I: %q)", authz),
			Next: "Ask an AD administrator to check the domain controller"}
	}
	res, err := conn.Search(req)
	if err != nil {
		var le *ldap.Error
		if errors.As(err, &le) && le.ResultCode == ldap.LDAPResultNoSuchObject {
			return nil, notUnder
		}
		return nil, err
	}
	switch len(res.Entries) {
	case 0:
		return nil, notUnder
	case 1:
		return res.Entries[0], nil
	}
	return nil, &Error{Kind: model.ErrUserNotFound, Msg: "the bound account matches several entries under " + c.cfg.BaseDN,
		Next: "Ask an AD administrator to check the account"}
}

// unsupported says the DC does not implement "Who am I?". AD (since 2003)
// does; the Samba DC the tests run (it answers protocolError) and the
// embedded demo directory do not.
func unsupported(err error) bool {
	var le *ldap.Error
	return errors.As(err, &le) && (le.ResultCode == ldap.LDAPResultUnwillingToPerform || le.ResultCode == ldap.LDAPResultProtocolError)
}

// typedSearch is the search for the account by exactly the name that
// bound: DOMAIN\name (the domain already checked to be ours) by
// sAMAccountName, a UPN only by an explicit userPrincipalName — never by
// the name part of a UPN, which may belong to another account.
func (c *Client) typedSearch(acct account) *ldap.SearchRequest {
	filter := "(sAMAccountName=" + ldap.EscapeFilter(acct.sam) + ")"
	if acct.upn != "" {
		filter = "(userPrincipalName=" + ldap.EscapeFilter(acct.upn) + ")"
	}
	return ldap.NewSearchRequest(c.cfg.BaseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 2, 0, false,
		"(&(objectCategory=person)(objectClass=user)"+filter+")", userAttrs, nil)
}

// strictBound is the account typedSearch found, for a DC without "Who am
// I?": it must be found exactly once.
func (c *Client) strictBound(res *ldap.SearchResult, err error) (*ldap.Entry, error) {
	if err != nil {
		return nil, err
	}
	if len(res.Entries) != 1 {
		return nil, &Error{Kind: model.ErrUserNotFound, Msg: "the password was accepted but the account is not found once under " + c.cfg.BaseDN,
			Next: `Sign in as ` + c.cfg.Domain + `\name`}
	}
	return res.Entries[0], nil
}

// boundAccount reads the entry of the account that bound. "Who am I?" and
// typedSearch go out together, one round trip for both; the identity is
// the account that bound, never the string typed, so the search's entry
// is used only when it is the very account "Who am I?" names (sameAccount).
// Otherwise findBound asks for that account by the DC's answer, one more
// round trip; a DC without "Who am I?" gets strictBound, as before.
func (c *Client) boundAccount(conn *dcConn, acct account, run func(string, func() error) error) (*ldap.Entry, error) {
	type found struct {
		res *ldap.SearchResult
		err error
	}
	typed := make(chan found, 1)
	conn.out.batch(2)
	go func() {
		res, err := conn.Search(c.typedSearch(acct))
		conn.out.flush() // in case it failed before it was written
		typed <- found{res, err}
	}()
	var authz string
	whoami := true
	err := run("who am I", func() error {
		r, err := conn.WhoAmI(nil)
		conn.out.flush()
		if unsupported(err) {
			whoami = false
			return nil
		}
		if err == nil {
			authz = r.AuthzID
		}
		return err
	})
	t := <-typed // always: no request outlives the sign-in
	if err != nil {
		return nil, err
	}
	var entry *ldap.Entry
	if err := run("find user", func() (err error) {
		if !whoami {
			entry, err = c.strictBound(t.res, t.err)
			return err
		}
		if t.err == nil {
			entry = c.sameAccount(t.res, authz)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if entry != nil {
		return entry, nil
	}
	err = run("find user", func() (err error) {
		entry, err = c.findBound(conn.Conn, authz)
		return err
	})
	return entry, err
}

// sameAccount is the one entry of res when it is provably the account
// "Who am I?" named (authz), by the same rules findBound reads it: for
// u:DOMAIN\name, a domain that is ours and exactly that sAMAccountName
// (unique in a domain; any difference, even of case, falls back to
// findBound); for dn:DN, that DN, under the base DN. Else nil.
func (c *Client) sameAccount(res *ldap.SearchResult, authz string) *ldap.Entry {
	if res == nil || len(res.Entries) != 1 {
		return nil
	}
	e := res.Entries[0]
	switch {
	case strings.HasPrefix(authz, "u:"):
		dom, name, ok := strings.Cut(strings.TrimPrefix(authz, "u:"), `\`)
		if ok && name != "" && c.ownDomain(dom) && e.GetAttributeValue("sAMAccountName") == name {
			return e
		}
	case strings.HasPrefix(authz, "dn:"):
		dn := strings.TrimPrefix(authz, "dn:")
		a, err1 := ldap.ParseDN(dn)
		b, err2 := ldap.ParseDN(e.DN)
		if err1 == nil && err2 == nil && a.Equal(b) && underDN(dn, c.cfg.BaseDN) {
			return e
		}
	}
	return nil
}

// droppedUnanswered says a request on conn failed because the connection
// was closed under it, with no answer from the DC: the reader saw the end
// of the connection (go-ldap then closes it) and the error is not one the
// DC sent.
func droppedUnanswered(conn *dcConn, err error) bool {
	if !conn.IsClosing() {
		return false
	}
	var le *ldap.Error
	return !errors.As(err, &le) || le.ResultCode == ldap.ErrorNetwork
}

// underDN says whether dn is base or below it, comparing RDNs as AD does
// (case-insensitively, spaces around separators ignored).
func underDN(dn, base string) bool {
	d, err1 := ldap.ParseDN(dn)
	b, err2 := ldap.ParseDN(base)
	if err1 != nil || err2 != nil {
		return false
	}
	return b.AncestorOfFold(d) || b.EqualFold(d)
}

// tokenGroups reads the constructed attribute that lists every security
// group SID of the user: nested, primary, no distribution groups. AD only
// computes it for a base-scope search.
func tokenGroups(conn *ldap.Conn, dn string) ([][]byte, error) {
	res, err := conn.Search(ldap.NewSearchRequest(dn, ldap.ScopeBaseObject, ldap.NeverDerefAliases,
		1, 0, false, "(objectClass=*)", []string{"tokenGroups"}, nil))
	if err != nil {
		return nil, err
	}
	if len(res.Entries) != 1 {
		return nil, fmt.Errorf("tokenGroups: %d entries for %s", len(res.Entries), dn)
	}
	return res.Entries[0].GetRawAttributeValues("tokenGroups"), nil
}

// sidBatch bounds one (|(objectSid=...)...) filter; a user in more groups
// than this costs one more round trip per batch.
const sidBatch = 400

const builtinPrefix = "S-1-5-32-"

func (c *Client) resolveSIDs(conn *ldap.Conn, raw [][]byte) ([]model.Group, int, error) {
	byBin := map[string]int{}
	groups := make([]model.Group, 0, len(raw))
	for _, b := range raw {
		sid, err := ParseSID(b)
		if err != nil {
			return nil, 0, fmt.Errorf("tokenGroups: %w", err)
		}
		byBin[string(b)] = len(groups)
		groups = append(groups, model.Group{SID: sid})
	}
	trips := 0
	for start := 0; start < len(raw); start += sidBatch {
		end := min(start+sidBatch, len(raw))
		var f strings.Builder
		f.WriteString("(|")
		for _, b := range raw[start:end] {
			f.WriteString("(objectSid=" + sidFilterValue(b) + ")")
		}
		f.WriteString(")")
		trips++
		res, err := conn.Search(ldap.NewSearchRequest(c.cfg.BaseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases,
			0, 0, false, f.String(), []string{"sAMAccountName", "objectSid"}, nil))
		if err != nil {
			return nil, trips, err
		}
		for _, e := range res.Entries {
			i, ok := byBin[string(e.GetRawAttributeValue("objectSid"))]
			if !ok {
				continue
			}
			domain := c.cfg.Domain
			if strings.HasPrefix(groups[i].SID, builtinPrefix) {
				domain = "BUILTIN"
			}
			groups[i].Name = domain + `\` + e.GetAttributeValue("sAMAccountName")
			groups[i].Domain = domain
		}
	}
	sortGroups(groups)
	return groups, trips, nil
}
