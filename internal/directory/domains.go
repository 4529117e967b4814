package directory

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-ldap/ldap/v3"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// Domain is one AD domain of several (Config.Domains): its names, where its
// DCs are, and how this client reads groups there for another domain's user.
type Domain struct {
	NetBIOS string   // LAB
	DNS     string   // lab.example
	BaseDN  string   // default: from DNS
	DCs     []string // empty: DNS SRV discovery in DNS
	CAFile  string
	CAPEM   []byte
	// BindUser and BindPassword are an account of this domain (or one it
	// trusts) that a user of another configured domain's sign-in binds as
	// here to read this domain's groups. Empty: the user's own credentials,
	// DOMAIN\name of their domain, which a DC accepts across a trust.
	BindUser, BindPassword string
}

// multi holds the per-domain clients of a Config with Domains; the first
// is the default for bare user names.
type multi struct {
	domains []*Client
	specs   []Domain
}

func newMulti(cfg Config) (*Client, error) {
	if len(cfg.DCs) > 0 || cfg.Domain != "" || cfg.DNSDomain != "" || cfg.BaseDN != "" || cfg.CAFile != "" || len(cfg.CAPEM) > 0 {
		return nil, configError("give either one domain (dcs, domain, dns_domain, base_dn, ca_file) or a list of domains, not both", nil)
	}
	m := &multi{specs: cfg.Domains}
	seen := map[string]string{}
	for i, d := range cfg.Domains {
		if d.NetBIOS == "" || d.DNS == "" {
			return nil, configError(fmt.Sprintf("domain %d needs both its NetBIOS name (netbios: LAB) and its DNS name (dns: lab.example)", i+1), nil)
		}
		for _, name := range []string{strings.ToUpper(d.NetBIOS), strings.ToLower(strings.Trim(d.DNS, "."))} {
			if prev, dup := seen[name]; dup {
				return nil, configError(fmt.Sprintf("%s is configured twice (domains %s and %d)", name, prev, i+1), nil)
			}
			seen[name] = fmt.Sprint(i + 1)
		}
		if (d.BindUser == "") != (d.BindPassword == "") {
			return nil, configError("domain "+d.NetBIOS+": bind_user needs its password, and a password its bind_user", nil)
		}
		sub, err := New(Config{DCs: d.DCs, Domain: d.NetBIOS, DNSDomain: d.DNS, BaseDN: d.BaseDN, CAFile: d.CAFile, CAPEM: d.CAPEM,
			AllowPlain: cfg.AllowPlain, Timeout: cfg.Timeout, TotalTimeout: cfg.TotalTimeout, Resolver: cfg.Resolver, Dial: cfg.Dial})
		if err != nil {
			return nil, fmt.Errorf("domain %s: %w", d.NetBIOS, err)
		}
		m.domains = append(m.domains, sub)
	}
	first := m.domains[0].cfg
	cfg.Domain, cfg.DNSDomain, cfg.BaseDN = first.Domain, first.DNSDomain, first.BaseDN
	c := &Client{cfg: cfg, multi: m}
	if cfg.AllowPlain {
		c.warn = append(c.warn, "plain LDAP is allowed: a DC without StartTLS would receive the password in clear")
	}
	return c, nil
}

// Domains are the configured domains' names, the default first.
func (c *Client) Domains() []model.Domain {
	if c.multi == nil {
		return []model.Domain{{NetBIOS: c.cfg.Domain, DNS: c.cfg.DNSDomain}}
	}
	var out []model.Domain
	for _, d := range c.multi.domains {
		out = append(out, model.Domain{NetBIOS: d.cfg.Domain, DNS: d.cfg.DNSDomain})
	}
	return out
}

func (m *multi) names() string {
	var n []string
	for _, d := range m.domains {
		n = append(n, d.cfg.Domain)
	}
	return strings.Join(n, ", ")
}

// home picks the domain a typed name signs in to: DOMAIN\name by NetBIOS or
// DNS name (another domain is refused before any traffic), name@suffix by a
// configured DNS name (any other suffix, an alternative UPN suffix, goes to
// the first domain, whose DC says who bound), a bare name the first.
func (m *multi) home(user string) (int, error) {
	user = strings.TrimSpace(user)
	if dom, _, ok := strings.Cut(user, `\`); ok && dom != "" {
		for i, d := range m.domains {
			if d.ownDomain(dom) {
				return i, nil
			}
		}
		dom = strings.ToUpper(dom)
		return 0, &Error{Kind: model.ErrOtherDomain, Msg: "the account belongs to domain " + dom + ", and this console signs in to " + m.names() + " only",
			Next: `Sign in with an account of one of them (DOMAIN\name)`}
	}
	if _, suffix, ok := strings.Cut(user, "@"); ok {
		for i, d := range m.domains {
			if strings.EqualFold(suffix, d.cfg.DNSDomain) {
				return i, nil
			}
		}
	}
	return 0, nil
}

// signInMulti signs the user in at a DC of their own domain (bind, "Who am
// I?", tokenGroups, as with one domain), then asks every other configured
// domain, in parallel, for the groups that hold the user or one of their
// groups as a foreign security principal. Any domain that cannot answer
// refuses the sign-in (model.ErrForeignDomain).
//
// w, the connection Warm opened to the first domain, serves only a user of
// that domain; it is closed unused for any other.
func (c *Client) signInMulti(ctx context.Context, w *Warm, user, password string) (*model.SignIn, error) {
	t0 := time.Now()
	h, err := c.multi.home(user)
	if err != nil {
		return nil, err
	}
	home := c.multi.domains[h]
	if w != nil && w.home != home {
		_ = w.Close()
		w = nil
	}
	s, err := home.signIn(ctx, w, user, password)
	if err != nil {
		return nil, err
	}
	if h != 0 {
		dropBuiltin(s)
	}
	s.Lookups = []model.DomainLookup{{Domain: home.cfg.Domain, DC: s.Authority, Home: true, Groups: len(s.Groups),
		RoundTrips: s.RoundTrips, Millis: time.Since(t0).Milliseconds()}}
	sids := homeSIDs(s)
	type result struct {
		groups []model.Group
		look   model.DomainLookup
		warn   []string
		err    error
	}
	results := make([]result, len(c.multi.domains))
	var wg sync.WaitGroup
	for i, d := range c.multi.domains {
		if i == h {
			continue
		}
		bindName, bindPw := s.Identity.User, password
		if sp := c.multi.specs[i]; sp.BindUser != "" {
			bindName, bindPw = sp.BindUser, sp.BindPassword
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.Now()
			g, dc, trips, warn, err := d.foreignGroups(ctx, bindName, bindPw, sids)
			results[i] = result{groups: g, warn: warn, err: err,
				look: model.DomainLookup{Domain: d.cfg.Domain, DC: dc, Groups: len(g), RoundTrips: trips, Millis: time.Since(t).Milliseconds()}}
		}()
	}
	wg.Wait()
	for i, r := range results {
		if i == h {
			continue
		}
		if r.err != nil {
			return nil, c.foreignError(c.multi.domains[i], c.multi.specs[i].BindUser != "", home.cfg.Domain, r.err)
		}
		s.Groups = append(s.Groups, r.groups...)
		s.RoundTrips += r.look.RoundTrips
		s.Lookups = append(s.Lookups, r.look)
		s.Warnings = append(s.Warnings, r.warn...)
		for _, g := range r.groups {
			s.Identity.Groups = append(s.Identity.Groups, g.Name)
		}
	}
	sortGroups(s.Groups)
	s.Identity.Domains = c.Domains()
	return s, nil
}

// dropBuiltin removes BUILTIN aliases from a sign-in at a domain other than
// the first: BUILTIN\Administrators there means an administrator of that
// domain's DCs, not of the first (DS's) domain, and a console group
// "BUILTIN\Administrators" is the first domain's. Every user of a domain is
// in its BUILTIN\Users, so keeping them would hand that group's rights to
// every user of every configured domain.
func dropBuiltin(s *model.SignIn) {
	keep := s.Groups[:0]
	for _, g := range s.Groups {
		if g.Domain != "BUILTIN" {
			keep = append(keep, g)
		}
	}
	s.Groups = keep
	ids := s.Identity.Groups[:0]
	for _, name := range s.Identity.Groups {
		if !strings.HasPrefix(strings.ToUpper(name), `BUILTIN\`) {
			ids = append(ids, name)
		}
	}
	s.Identity.Groups = ids
}

// wellKnownMember are SIDs every authenticated user's token carries, which
// a domain holds as foreign security principals too: a group of another
// domain that holds Authenticated Users or Everyone holds this user there
// (a DS deny on it applies to them).
var wellKnownMember = []string{"S-1-5-11", "S-1-1-0"}

// homeSIDs are the SIDs another domain may hold as foreign security
// principals: the user's and their groups' of their own domain (builtin
// SIDs are every domain's own), and the well-known wellKnownMember.
func homeSIDs(s *model.SignIn) []string {
	user := s.Identity.SID
	i := strings.LastIndexByte(user, '-')
	if i < 0 {
		return nil
	}
	prefix := user[:i+1]
	out := append([]string{user}, wellKnownMember...)
	for _, g := range s.Groups {
		if strings.HasPrefix(g.SID, prefix) {
			out = append(out, g.SID)
		}
	}
	return out
}

func (c *Client) foreignError(d *Client, service bool, homeDomain string, err error) *Error {
	e := &Error{Kind: model.ErrForeignDomain, Err: err}
	var de *Error
	detail := err.Error()
	if errors.As(err, &de) {
		e.DC, detail = de.DC, de.Msg
	}
	e.Msg = "your groups in domain " + d.cfg.Domain + " (" + d.cfg.DNSDomain + ") could not be read: " + detail +
		". A group there may deny you a job, so the sign-in is refused"
	switch {
	case de != nil && (de.Kind == model.ErrDCUnreachable || de.Kind == model.ErrDCTimeout || de.Kind == model.ErrTLS):
		e.Next = "Check the network to " + d.cfg.Domain + "'s domain controllers; " + de.Next
	case de != nil && de.Code != "" && service:
		e.Next = "The account in directory.domains[].bind_user for " + d.cfg.Domain + " was refused: check it and its password file"
	case de != nil && de.Code != "":
		e.Next = d.cfg.Domain + " does not accept " + homeDomain + " accounts (no trust?): give it a read-only bind_user in directory.domains, or remove it from the list"
	default:
		e.Next = "Try again, or ask an AD administrator to check " + d.cfg.Domain
	}
	return e
}

// foreignGroups reads, at a DC of this domain, the security groups that hold
// any of sids as a foreign security principal, directly or through groups
// of this domain (the in-chain matching rule follows the nesting).
func (c *Client) foreignGroups(ctx context.Context, bindName, bindPw string, sids []string) ([]model.Group, string, int, []string, error) {
	if bindPw == "" {
		return nil, "", 0, nil, EmptyPasswordError()
	}
	var groups []model.Group
	trips := 0
	dc, skipped, err := c.firstAnswer(ctx, nil, func(ctx context.Context, dc *url.URL) error {
		g, n, err := c.foreignAt(ctx, dc, bindName, bindPw, sids)
		groups, trips = g, trips+n
		return err
	})
	host := ""
	if dc != nil {
		host = dc.Host
	}
	if err != nil {
		return nil, host, trips, nil, err
	}
	c.mu.Lock()
	warn := append(skipped, c.srvWarn...)
	c.mu.Unlock()
	return groups, host, trips, warn, nil
}

// fspBatch bounds one (|(member:in-chain:=FSP)...) filter: each term is a
// transitive walk on the DC.
const fspBatch = 100

const oidInChain = "1.2.840.113556.1.4.1941"

// securityGroup is groupType's security bit (0x80000000): distribution
// groups are left out, as tokenGroups leaves them out.
const securityGroup = "(groupType:1.2.840.113556.1.4.803:=2147483648)"

func (c *Client) foreignAt(ctx context.Context, dc *url.URL, bindName, bindPw string, sids []string) ([]model.Group, int, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	conn, trips, _, err := c.connect(ctx, dc)
	if err != nil {
		return nil, trips, err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	wrap := func(step string, err error) error {
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w: %w", step, errTimeout, ctx.Err())
		}
		return fmt.Errorf("%s: %w", step, err)
	}
	trips++
	if err := conn.Bind(bindName, bindPw); err != nil {
		return nil, trips, wrap("bind", err)
	}
	// Which of the SIDs this domain holds as foreign security principals:
	// a cheap one-level search, by objectSid (the FSP's own name may have
	// been changed), that is usually empty or nearly so.
	var fsps []string
	for start := 0; start < len(sids); start += sidBatch {
		end := min(start+sidBatch, len(sids))
		var f strings.Builder
		f.WriteString("(&(objectClass=foreignSecurityPrincipal)(|")
		for _, sid := range sids[start:end] {
			b, err := EncodeSID(sid)
			if err != nil {
				return nil, trips, err
			}
			f.WriteString("(objectSid=" + sidFilterValue(b) + ")")
		}
		f.WriteString("))")
		trips++
		res, err := conn.Search(ldap.NewSearchRequest("CN=ForeignSecurityPrincipals,"+c.cfg.BaseDN, ldap.ScopeSingleLevel,
			ldap.NeverDerefAliases, 0, 0, false, f.String(), []string{"objectSid"}, nil))
		if err != nil {
			var le *ldap.Error
			if errors.As(err, &le) && le.ResultCode == ldap.LDAPResultNoSuchObject {
				// Every AD domain has the container: without it (a wrong
				// base_dn, a server that is not this domain's DC) its groups,
				// denies included, cannot be read: fail closed.
				return nil, trips, &Error{Kind: model.ErrForeignDomain, Err: err,
					Msg:  "its container CN=ForeignSecurityPrincipals," + c.cfg.BaseDN + " does not exist (noSuchObject)",
					Next: "Check directory.domains[].base_dn for " + c.cfg.Domain + ", and that its DCs are that domain's"}
			}
			return nil, trips, wrap("search foreign security principals", err)
		}
		for _, e := range res.Entries {
			fsps = append(fsps, e.DN)
		}
	}
	// The security groups holding them, directly or through groups of this
	// domain: the in-chain rule, one term per FSP that exists. (Samba walks
	// every group per term, ~10 ms each on a small domain: asking only for
	// the FSPs that exist keeps that small.)
	var groups []model.Group
	seen := map[string]bool{}
	for start := 0; start < len(fsps); start += fspBatch {
		end := min(start+fspBatch, len(fsps))
		var f strings.Builder
		f.WriteString("(&(objectCategory=group)" + securityGroup + "(|")
		for _, dn := range fsps[start:end] {
			f.WriteString("(member:" + oidInChain + ":=" + ldap.EscapeFilter(dn) + ")")
		}
		f.WriteString("))")
		trips++
		res, err := conn.Search(ldap.NewSearchRequest(c.cfg.BaseDN, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases,
			0, 0, false, f.String(), []string{"sAMAccountName", "objectSid"}, nil))
		if err != nil {
			return nil, trips, wrap("search foreign members", err)
		}
		for _, e := range res.Entries {
			sid, err := ParseSID(e.GetRawAttributeValue("objectSid"))
			if err != nil {
				return nil, trips, fmt.Errorf("group %s objectSid: %w", e.DN, err)
			}
			// A builtin alias (CN=Builtin) is every domain's own: its name
			// would not say which domain's it is.
			if seen[sid] || strings.HasPrefix(sid, builtinPrefix) {
				continue
			}
			seen[sid] = true
			groups = append(groups, model.Group{Name: c.cfg.Domain + `\` + e.GetAttributeValue("sAMAccountName"), SID: sid, Domain: c.cfg.Domain})
		}
	}
	return groups, trips, nil
}

func sortGroups(groups []model.Group) {
	sort.Slice(groups, func(i, j int) bool {
		if (groups[i].Name == "") != (groups[j].Name == "") {
			return groups[i].Name != ""
		}
		if groups[i].Name != groups[j].Name {
			return groups[i].Name < groups[j].Name
		}
		return groups[i].SID < groups[j].SID
	})
}
