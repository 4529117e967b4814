package config

import (
	"fmt"
	"strings"
)

// DomainConfig is one AD domain of directory.domains.
type DomainConfig struct {
	// NetBIOS is the domain's NetBIOS name (LAB): DOMAIN\name picks it, and
	// its groups are named DOMAIN\group.
	NetBIOS string `yaml:"netbios"`
	// DNS is its AD DNS domain (lab.example): name@lab.example picks it, and
	// its DCs are found in DNS when DCs is empty.
	DNS string `yaml:"dns"`
	// DCs are its domain controllers, tried in order; empty: DNS SRV.
	DCs []string `yaml:"dcs"`
	// BaseDN defaults to the DN form of DNS.
	BaseDN string `yaml:"base_dn"`
	// CAFile verifies its DCs' certificates instead of the system pool.
	CAFile string `yaml:"ca_file"`
	// BindUser is an account this domain accepts, bound to read its groups
	// for users of the other configured domains, with the password in the
	// first line of BindPasswordFile. Empty: the user's own DOMAIN\name and
	// password, which a DC accepts across a trust. Only for domains without
	// one: the file is a secret on the boot media.
	BindUser         string `yaml:"bind_user"`
	BindPasswordFile string `yaml:"bind_password_file"`
}

// validateDomains checks directory.domains: names given and distinct, DC
// addresses, a bind_user with its password file, and no single-domain key
// beside the list.
func (d DirectoryConfig) validateDomains() []error {
	if len(d.Domains) == 0 {
		return nil
	}
	var errs []error
	single := []struct {
		key string
		set bool
	}{
		{"directory.dcs", len(d.DCs) > 0}, {"directory.domain", d.Domain != ""}, {"directory.dns_domain", d.DNSDomain != ""},
		{"directory.base_dn", d.BaseDN != ""}, {"directory.ca_file", d.CAFile != ""},
	}
	for _, s := range single {
		if s.set {
			errs = append(errs, fmt.Errorf("%s: not used with directory.domains; put it in the domain's entry of the list", s.key))
		}
	}
	seen := map[string]int{}
	for i, dom := range d.Domains {
		name := fmt.Sprintf("directory.domains: entry %d", i+1)
		if dom.NetBIOS != "" {
			name += " (" + dom.NetBIOS + ")"
		}
		bad := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf(name+": "+format, args...))
		}
		if strings.TrimSpace(dom.NetBIOS) == "" || strings.ContainsAny(dom.NetBIOS, "\\@. /") {
			bad("netbios: needs the domain's NetBIOS name, like LAB")
		}
		if strings.TrimSpace(dom.DNS) == "" || strings.ContainsAny(dom.DNS, "\\@ /") {
			bad("dns: needs the domain's DNS name, like lab.example")
		}
		for _, n := range []string{strings.ToUpper(dom.NetBIOS), strings.ToLower(strings.Trim(dom.DNS, "."))} {
			if n == "" {
				continue
			}
			if j, dup := seen[n]; dup {
				bad("%s is already entry %d", n, j)
			}
			seen[n] = i + 1
		}
		for _, dc := range dom.DCs {
			if !strings.HasPrefix(dc, "ldaps://") && !strings.HasPrefix(dc, "ldap://") {
				bad("dcs: %q is not ldaps://HOST[:636] or ldap://HOST[:389] (StartTLS)", dc)
			}
		}
		if (dom.BindUser == "") != (dom.BindPasswordFile == "") {
			bad("bind_user and bind_password_file go together")
		}
	}
	return errs
}

// domainPaths are the file paths of directory.domains, made relative to the
// config file's folder like ca_file.
func (d *DirectoryConfig) domainPaths() []*string {
	var out []*string
	for i := range d.Domains {
		out = append(out, &d.Domains[i].CAFile, &d.Domains[i].BindPasswordFile)
	}
	return out
}

// An unknown key inside an entry of directory.domains is named as such.
func init() { sectionOf["DomainConfig"] = "directory.domains[]." }

// DefaultDomain is the NetBIOS and DNS name bare user names sign in to: the
// first of directory.domains, else directory.domain and dns_domain.
func (d DirectoryConfig) DefaultDomain() (netbios, dns string) {
	if len(d.Domains) > 0 {
		return strings.ToUpper(d.Domains[0].NetBIOS), d.Domains[0].DNS
	}
	return d.Domain, d.DNSDomain
}

// Configured reports whether any AD domain is configured.
func (d DirectoryConfig) Configured() bool {
	return len(d.Domains) > 0 || len(d.DCs) > 0 || d.DNSDomain != "" || d.BaseDN != ""
}
