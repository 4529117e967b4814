package config

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

const sitesYAML = `store:
  url: sqlite:common.db
  timeout: 5s
menu:
  root: Common
directory:
  dns_domain: lab.example
  dcs: [ldaps://dc1.lab.example]
sites:
  - name: north
    subnets: [10.1.0.0/16, 2001:db8:1::/48]
    store:
      url: sqlite:north.db
  - name: wide
    subnets: [10.0.0.0/8]
    menu:
      root: Wide
    directory:
      dcs: [ldaps://dc-wide.lab.example]
  - name: v6only
    subnets: ["2001:db8:2::/48"]
`

func addrs(ss ...string) []netip.Addr {
	var out []netip.Addr
	for _, s := range ss {
		out = append(out, netip.MustParseAddr(s))
	}
	return out
}

func TestChooseSite(t *testing.T) {
	c, err := Parse("sites.yaml", []byte(sitesYAML))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		addrs []netip.Addr
		want  string
	}{
		{"IPv4 in the first site", addrs("10.1.2.3"), "north"},
		{"the most specific subnet wins, not file order", addrs("10.1.200.1"), "north"},
		{"later site when the first does not match", addrs("10.9.0.1"), "wide"},
		{"IPv6", addrs("2001:db8:2::42"), "v6only"},
		{"IPv6 of the first site", addrs("2001:db8:1:5::1"), "north"},
		{"any address of the machine", addrs("192.168.1.5", "2001:db8:2::1"), "v6only"},
		{"IPv4-mapped IPv6 is its IPv4", addrs("::ffff:10.1.0.9"), "north"},
		{"no match", addrs("192.168.1.5", "fd00::1"), ""},
		{"IPv6 in one site, IPv4 in another: ambiguous", addrs("10.9.0.1", "2001:db8:1::5"), ""},
		{"two addresses in one site", addrs("10.1.0.5", "2001:db8:1::5"), "north"},
		{"no addresses", nil, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, ok := ChooseSite(c, tc.addrs)
			got := ""
			if ok {
				got = s.Name
			}
			if got != tc.want || ok != (tc.want != "") {
				t.Errorf("ChooseSite = %q, %v; want %q", got, ok, tc.want)
			}
		})
	}
}

// A site overrides only the keys it sets; the environment and flags still
// beat it.
func TestForSite(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "imageinvoker.yaml", sitesYAML)
	resolve := func(args []string, env map[string]string, a ...string) (*Config, error) {
		fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
		fs.String("config", "", "")
		addFlags(fs, "site", "store-timeout", "menu-root")
		if err := fs.Parse(append([]string{"--config", path}, args...)); err != nil {
			t.Fatal(err)
		}
		return ResolveWith(fs, func(k string) string { return env[k] }, Options{Addrs: func() ([]netip.Addr, error) { return addrs(a...), nil }})
	}
	c, err := resolve([]string{"--store-timeout", "7s"}, nil, "10.77.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if c.Site != "wide" || c.SiteReason != "10.77.0.1 is in 10.0.0.0/8" {
		t.Fatalf("site %q (%s)", c.Site, c.SiteReason)
	}
	if c.Menu.Root != "Wide" || c.Directory.DCs[0] != "ldaps://dc-wide.lab.example" || c.Store.URL != "sqlite:common.db" || c.Directory.DNSDomain != "lab.example" {
		t.Errorf("site wide: root %q dcs %v url %q dns %q", c.Menu.Root, c.Directory.DCs, c.Store.URL, c.Directory.DNSDomain)
	}
	if c.Store.Timeout.String() != "7s" || c.Origin("store.timeout").String() != "flag --store-timeout" {
		t.Errorf("the flag must beat the site: %s from %s", c.Store.Timeout, c.Origin("store.timeout"))
	}
	if o := c.Origin("menu.root"); o.String() != "site wide ("+path+" line 17)" {
		t.Errorf("menu.root from %q", o)
	}

	// --site names another site; a flag still beats the site's key.
	c, err = resolve([]string{"--site", "north", "--menu-root", "FlagRoot"}, nil, "10.77.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if c.Site != "north" || c.Store.URL != "sqlite:north.db" || c.Menu.Root != "FlagRoot" || c.SiteReason != "named by flag --site" {
		t.Errorf("--site north: site %q url %q root %q reason %q", c.Site, c.Store.URL, c.Menu.Root, c.SiteReason)
	}
	// ForSite from a resolved config keeps the flags over the new site.
	c2, err := c.ForSite("wide")
	if err != nil {
		t.Fatal(err)
	}
	if c2.Site != "wide" || c2.Menu.Root != "FlagRoot" || c2.Store.URL != "sqlite:common.db" {
		t.Errorf("ForSite(wide): site %q root %q url %q", c2.Site, c2.Menu.Root, c2.Store.URL)
	}
	if _, err := c.ForSite("nowhere"); !isInvalid(err, "the sites are north, wide, v6only") {
		t.Errorf("unknown site: %v", err)
	}
	if _, err := resolve(nil, map[string]string{"IMAGEINVOKER_SITE": "south"}, "10.1.0.1"); !isInvalid(err, "IMAGEINVOKER_SITE") {
		t.Errorf("unknown site from the environment: %v", err)
	}

	// No match: the top-level settings.
	c, err = resolve(nil, nil, "192.168.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if c.Site != "" || c.SitePending || c.Menu.Root != "Common" || !strings.Contains(c.SiteReason, "192.168.0.1") {
		t.Errorf("no match: site %q pending %v root %q reason %q", c.Site, c.SitePending, c.Menu.Root, c.SiteReason)
	}
}

func TestSitesPrompt(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "imageinvoker.yaml", sitesYAML+"sites_prompt: true\n")
	opts := Options{Addrs: func() ([]netip.Addr, error) { return addrs("192.168.0.1"), nil }}
	c, err := ResolveWith(nil, func(k string) string { return map[string]string{"IMAGEINVOKER_CONFIG": path}[k] }, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !c.SitePending || c.Site != "" || !strings.Contains(c.SiteReason, "the console asks") {
		t.Fatalf("pending %v site %q reason %q", c.SitePending, c.Site, c.SiteReason)
	}
	if got := strings.Join(c.SiteNames(), ","); got != "north,wide,v6only" {
		t.Errorf("choices %q", got)
	}
	chosen, err := c.ForSite("v6only")
	if err != nil || chosen.SitePending || chosen.Site != "v6only" {
		t.Fatalf("ForSite: %v %+v", err, chosen)
	}
	// A matching machine is not asked.
	opts.Addrs = func() ([]netip.Addr, error) { return addrs("10.1.0.1"), nil }
	c, _ = ResolveWith(nil, func(k string) string { return map[string]string{"IMAGEINVOKER_CONFIG": path}[k] }, opts)
	if c.SitePending || c.Site != "north" {
		t.Errorf("matching machine: pending %v site %q", c.SitePending, c.Site)
	}
}

// Choosing a site by flag or variable chooses a Deployment Server: on the
// console and in `run` it is refused unless the media file allows overrides.
func TestSiteIsPolicyProtected(t *testing.T) {
	for _, allow := range []bool{false, true} {
		body := sitesYAML
		if allow {
			body += "policy:\n  allow_overrides: true\n"
		}
		path := writeFile(t, t.TempDir(), "imageinvoker.yaml", body)
		fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
		fs.String("config", "", "")
		addFlags(fs, "site")
		_ = fs.Parse([]string{"--config", path, "--site", "north"})
		c, err := ResolveWith(fs, func(string) string { return "" }, Options{})
		if err != nil {
			t.Fatal(err)
		}
		err = c.EnforcePolicy(nil)
		if allow && err != nil {
			t.Errorf("allow_overrides: %v", err)
		}
		if !allow && !isInvalid(err, "--site sets site") {
			t.Errorf("--site on the console without allow_overrides: %v", err)
		}
	}
	// site: in the file itself is the administrator's choice.
	path := writeFile(t, t.TempDir(), "imageinvoker.yaml", sitesYAML+"site: wide\n")
	c, err := ResolveWith(nil, func(k string) string { return map[string]string{"IMAGEINVOKER_CONFIG": path}[k] }, Options{})
	if err != nil || c.Site != "wide" || c.EnforcePolicy(nil) != nil {
		t.Errorf("site: in the file: %v, site %q", err, c.Site)
	}
}

func TestSiteErrors(t *testing.T) {
	checkInvalid(t, func(_ *testing.T, body string) (string, error) {
		_, err := Parse("s.yaml", []byte(body))
		return "", err
	}, []invalidCase{
		{"no name", "sites:\n  - subnets: [10.0.0.0/8]\n", "line 2: sites[0]: needs a name"},
		{"duplicate", "sites:\n  - name: a\n  - name: A\n", "line 3: sites[1]: its name is already the name of the site at line 2"},
		{"bad subnet", "sites:\n  - name: a\n    subnets: [10.0.0.1]\n", "line 2: sites[0] (a): subnets: entry 1 is not a subnet"},
		{"unknown key in a site section", "sites:\n  - name: a\n    store:\n      urll: x\n", "line 4: unknown key sites[0].store.urll: did you mean store.url?"},
		{"unknown key of a site", "sites:\n  - name: a\n    sunbets: [10.0.0.0/8]\n", "line 3: unknown key sites[0].sunbets: did you mean subnets?"},
		{"section a site may not set", "sites:\n  - name: a\n    session:\n      idle_action: exit\n", "line 3: unknown key sites[0].session"},
		{"bad value in a site", "sites:\n  - name: a\n    store:\n      auth: kerberos\n", "line 4: sites[0] (a): store.auth: the value is not one of"},
		{"bad duration in a site", "sites:\n  - name: a\n    store:\n      timeout: 5\n", "line 4: sites[0].store.timeout: needs a duration"},
		{"sites not a list", "sites: north\n", "line 1: sites: needs a list"},
		{"site names no site", "sites:\n  - name: a\nsite: b\n", "line 3: site: is not one of the sites (a)"},
	})
}

// Addresses in two different sites are ambiguous: the console asks when
// sites_prompt is on, otherwise the configuration is refused naming both.
// A rogue router advertisement gave an IPv6 address in north's prefix to a
// machine whose IPv4 address is in wide's, and north won by file order.
func TestAmbiguousSite(t *testing.T) {
	two := Options{Addrs: func() ([]netip.Addr, error) { return addrs("10.9.0.1", "2001:db8:1::5"), nil }}
	resolve := func(body string) (*Config, error) {
		path := writeFile(t, t.TempDir(), "imageinvoker.yaml", body)
		return ResolveWith(nil, func(k string) string { return map[string]string{"IMAGEINVOKER_CONFIG": path}[k] }, two)
	}
	_, err := resolve(sitesYAML)
	if !isInvalid(err, "several sites", "north (2001:db8:1::5 is in 2001:db8:1::/48)", "wide (10.9.0.1 is in 10.0.0.0/8)") {
		t.Errorf("err = %v, want the ambiguity refused naming both sites", err)
	}
	c, err := resolve(sitesYAML + "sites_prompt: true\n")
	if err != nil || !c.SitePending || c.Site != "" || !strings.Contains(c.SiteReason, "several sites") {
		t.Errorf("with sites_prompt: err %v, pending %v, site %q, reason %q", err, c != nil && c.SitePending, c.Site, c.SiteReason)
	}
	c, err = resolve(sitesYAML + "site: wide\n")
	if err != nil || c.Site != "wide" {
		t.Errorf("a site named in the file decides: %v %+v", err, c)
	}
}
