package whoami

import (
	"reflect"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/directory"
	"github.com/imageinvoker/imageinvoker/internal/setup"
)

// whoami reads the domains it reports from the configuration; they are
// the ones the directory client built from it signs in to.
func TestConfiguredDomainsAreTheClients(t *testing.T) {
	cases := map[string]config.DirectoryConfig{
		"domain and dns":    {DCs: []string{"ldaps://dc1.lab.example"}, Domain: "lab", DNSDomain: "lab.example"},
		"dns only":          {DCs: []string{"ldaps://dc1.lab.example"}, DNSDomain: "corp.lab.example"},
		"base DN only":      {DCs: []string{"ldaps://dc1.lab.example"}, BaseDN: "DC=Uni,DC=Example"},
		"netbios differs":   {DCs: []string{"ldaps://dc1.lab.example"}, Domain: "ACME", DNSDomain: "lab.example"},
		"several domains":   {Domains: []config.DomainConfig{{NetBIOS: "lab", DNS: "lab.example", DCs: []string{"ldaps://dc1.lab.example"}}, {NetBIOS: "RES", DNS: "res.lab.example", DCs: []string{"ldaps://dc1.res.lab.example"}}}},
		"ds accounts alone": {DSAccounts: true},
	}
	for name, d := range cases {
		t.Run(name, func(t *testing.T) {
			got := configuredDomains(d)
			if !d.Configured() {
				if got != nil {
					t.Errorf("no AD configured, domains %v", got)
				}
				return
			}
			dcfg, err := setup.DirectoryConfig(d)
			if err != nil {
				t.Fatal(err)
			}
			c, err := directory.New(dcfg)
			if err != nil {
				t.Fatal(err)
			}
			if want := c.Domains(); !reflect.DeepEqual(got, want) {
				t.Errorf("configuredDomains = %v, the client's %v", got, want)
			}
		})
	}
}
