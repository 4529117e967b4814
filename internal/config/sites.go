package config

import (
	"fmt"
	"net/netip"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Site is one Deployment Server of an organisation and the subnets whose
// machines use it. Its store, menu and directory sections are laid over the
// common ones key by key: only the keys the site sets change.
type Site struct {
	Name      string          `yaml:"name"`
	Subnets   []string        `yaml:"subnets"`
	Store     StoreConfig     `yaml:"store"`
	Menu      MenuConfig      `yaml:"menu"`
	Directory DirectoryConfig `yaml:"directory"`

	prefixes []netip.Prefix
	// set are the dotted keys (store.url) this site sets, with their lines.
	set  map[string]int
	file string
	line int
}

// siteSections are the sections a site may override. Machine, session,
// look, log and policy stay the media's: they are about this boot
// console, not about which Deployment Server it talks to.
var siteSections = []string{"store", "menu", "directory"}

// SiteNames lists the configured sites in file order.
func (c *Config) SiteNames() []string {
	var out []string
	for _, s := range c.Sites {
		out = append(out, s.Name)
	}
	return out
}

// Prefixes are the site's subnets, parsed and masked.
func (s *Site) Prefixes() []netip.Prefix { return s.prefixes }

// ChooseSite picks the site of a machine with these addresses: the one
// site with a subnet holding any of them. Addresses in two different sites
// choose none (ok false): file order does not decide, since any address on
// the machine (a second NIC, an IPv6 address from a router advertisement)
// would otherwise win by coming first.
func ChooseSite(cfg *Config, addrs []netip.Addr) (site *Site, ok bool) {
	m := matchSites(cfg, addrs)
	if len(m) != 1 {
		return nil, false
	}
	return m[0].site, true
}

// siteMatch is one site that holds an address of this machine, with the
// first address and subnet that matched.
type siteMatch struct {
	site   *Site
	addr   netip.Addr
	prefix netip.Prefix
}

func (m siteMatch) String() string {
	return m.site.Name + " (" + m.addr.String() + " is in " + m.prefix.String() + ")"
}

// matchSites lists the sites this machine's addresses choose: for each
// address, the site of the most specific subnet holding it (a /16 of one
// site inside a /8 of another is the /16's); an address held equally by two
// sites chooses both. Each site appears once, with the first address that
// chose it. More than one is ambiguous: file order does not decide.
func matchSites(cfg *Config, addrs []netip.Addr) []siteMatch {
	var out []siteMatch
	seen := map[*Site]bool{}
	for _, a := range addrs {
		// An IPv4 address may arrive as ::ffff:a.b.c.d from some interface
		// listings; compare it as the IPv4 it is.
		ua := a.Unmap()
		best, bits := []siteMatch(nil), -1
		for i := range cfg.Sites {
			s := &cfg.Sites[i]
			for _, p := range s.prefixes {
				if !p.Contains(ua) {
					continue
				}
				switch {
				case p.Bits() > bits:
					best, bits = []siteMatch{{site: s, addr: a, prefix: p}}, p.Bits()
				case p.Bits() == bits && best[len(best)-1].site != s:
					best = append(best, siteMatch{site: s, addr: a, prefix: p})
				}
			}
		}
		for _, m := range best {
			if !seen[m.site] {
				seen[m.site] = true
				out = append(out, m)
			}
		}
	}
	return out
}

func (c *Config) siteNamed(name string) *Site {
	for i := range c.Sites {
		if strings.EqualFold(c.Sites[i].Name, name) {
			return &c.Sites[i]
		}
	}
	return nil
}

// ForSite returns the effective configuration on site name: the file
// layers, the site's keys over them, then the environment and flags again.
func (c *Config) ForSite(name string) (*Config, error) {
	base := c.base
	if base == nil {
		base = c
	}
	s := base.siteNamed(name)
	if s == nil {
		names := base.SiteNames()
		if len(names) == 0 {
			return nil, fmt.Errorf("%w: site %q: no sites are configured (sites: in the config file)", ErrInvalid, name)
		}
		return nil, fmt.Errorf("%w: site %q: no such site; the sites are %s", ErrInvalid, name, strings.Join(names, ", "))
	}
	out := base.Clone()
	overlay(out, s.asConfig(), s.set)
	for key, line := range s.set {
		out.setOrigin(key, Origin{Kind: FromSite, Name: s.Name, File: s.file, Line: line})
	}
	out.Site = s.Name
	out.SiteReason, out.SitePending = c.SiteReason, false
	out.base, out.later = base, nil
	for _, a := range c.later {
		if err := out.apply(a); err != nil {
			return nil, err
		}
	}
	out.Site = s.Name // a replayed --site names this same site, or ForSite was asked for another on purpose
	if err := out.Validate(); err != nil {
		return nil, out.withOrigins(err)
	}
	return out, nil
}

func (s *Site) asConfig() *Config {
	return &Config{Store: s.Store, Menu: s.Menu, Directory: s.Directory}
}

// readSites records, for each site of a parsed file, the keys it sets and
// their lines, and checks names, subnets and the values the site sets.
func readSites(name string, c *Config, root *yaml.Node) []error {
	seq := mappingValue(root, "sites")
	if seq == nil || seq.Kind != yaml.SequenceNode {
		return nil
	}
	var errs []error
	seen := map[string]int{}
	for i := range c.Sites {
		s := &c.Sites[i]
		s.file, s.set = name, map[string]int{}
		if i >= len(seq.Content) {
			break
		}
		item := seq.Content[i]
		s.line = item.Line
		where := fmt.Sprintf("line %d: sites[%d]", item.Line, i)
		if strings.TrimSpace(s.Name) == "" {
			errs = append(errs, fmt.Errorf("%s: needs a name (name: lab2)", where))
		} else if first, dup := seen[strings.ToLower(s.Name)]; dup {
			errs = append(errs, fmt.Errorf("%s: its name is already the name of the site at line %d (names are compared ignoring case)", where, first))
		} else {
			seen[strings.ToLower(s.Name)] = item.Line
			where += " (" + s.Name + ")"
		}
		for j, sub := range s.Subnets {
			p, err := netip.ParsePrefix(strings.TrimSpace(sub))
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: subnets: entry %d is not a subnet like 10.1.0.0/16 or 2001:db8:1::/48", where, j+1))
				continue
			}
			s.prefixes = append(s.prefixes, p.Masked())
		}
		for _, sec := range siteSections {
			if n := mappingValue(item, sec); n != nil {
				collectKeys(n, sec, fieldType(reflect.TypeOf(Site{}), sec), s.set)
			}
		}
		if err := checkFingerprint(s.Store.TLSFingerprint); err != nil {
			errs = append(errs, fmt.Errorf("%s: store.tls_fingerprint %w", where, err))
		}
		// Check the site's values on their own, so a bad one is reported
		// at its line in this file rather than when the site is chosen.
		probe := Default()
		overlay(probe, s.asConfig(), s.set)
		if err := probe.Validate(); err != nil {
			for _, msg := range strings.Split(strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": "), "\n") {
				key, _, _ := strings.Cut(msg, ":")
				if line, ok := s.set[key]; ok {
					errs = append(errs, fmt.Errorf("line %d: sites[%d] (%s): %s", line, i, s.Name, msg))
				}
			}
		}
	}
	return errs
}

// mappingValue is the value node of key in mapping n (or a document's).
func mappingValue(n *yaml.Node, key string) *yaml.Node {
	if n != nil && n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// collectKeys records the dotted setting keys set under n (of type t) with
// their lines. A list or map setting is one key.
func collectKeys(n *yaml.Node, prefix string, t reflect.Type, out map[string]int) {
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	if n.Kind != yaml.MappingNode || t == nil || t.Kind() != reflect.Struct {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := k.Value
		if prefix != "" {
			key = prefix + "." + k.Value
		}
		ft := fieldType(t, k.Value)
		if ft != nil && ft.Kind() == reflect.Struct && ft.PkgPath() == t.PkgPath() && v.Kind == yaml.MappingNode {
			collectKeys(v, key, ft, out)
			continue
		}
		out[key] = k.Line
	}
}

// chooseSite sets the site of c: the one named by site (file, variable or
// flag), else the first whose subnets hold one of this machine's addresses.
func (c *Config) chooseSite(o Options) (*Config, error) {
	if c.Site != "" {
		from := c.Origin("site")
		c.SiteReason = "named by " + from.String()
		out, err := c.ForSite(c.Site)
		if err != nil {
			return nil, fmt.Errorf("%w (site named by %s)", err, from)
		}
		return out, nil
	}
	if len(c.Sites) == 0 {
		return c, nil
	}
	addrs, err := o.addrs()
	if err != nil {
		c.Warnings = append(c.Warnings, "could not read this machine's IP addresses to choose its site: "+err.Error())
	}
	matches := matchSites(c, addrs)
	if len(matches) > 1 {
		var parts []string
		for _, m := range matches {
			parts = append(parts, m.String())
		}
		c.SiteReason = "this machine's addresses fall in several sites: " + strings.Join(parts, " and ")
		if !c.SitesPrompt {
			return nil, fmt.Errorf("%w: %s; which Deployment Server to use is not guessed: name the site (site: in the boot media's config file), make the subnets not overlap this machine's networks, or set sites_prompt: true to ask at the console", ErrInvalid, c.SiteReason)
		}
		c.SitePending = true
		c.SiteReason += "; sites_prompt: the console asks which site"
		return c, nil
	}
	if len(matches) == 0 {
		shown := "none"
		if len(addrs) > 0 {
			var parts []string
			for _, a := range addrs {
				parts = append(parts, a.String())
			}
			shown = strings.Join(parts, ", ")
		}
		c.SiteReason = "no site's subnets hold this machine's addresses (" + shown + ")"
		if c.SitesPrompt {
			c.SitePending = true
			c.SiteReason += "; sites_prompt: the console asks which site"
		} else {
			c.SiteReason += "; the top-level settings apply"
		}
		return c, nil
	}
	m := matches[0]
	out, err := c.ForSite(m.site.Name)
	if err != nil {
		return nil, err
	}
	out.ChosenSite(m.addr.String() + " is in " + m.prefix.String())
	return out, nil
}

// ChosenSite records why the site was chosen when no setting named it (by
// address, or by the technician at the console).
func (c *Config) ChosenSite(reason string) {
	c.SiteReason = reason
	c.setOrigin("site", Origin{Kind: FromChoice, Name: reason})
}
