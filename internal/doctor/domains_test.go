package doctor_test

import (
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/directory/adtest"
	"github.com/imageinvoker/imageinvoker/internal/doctor"
)

// With directory.domains, every domain's DCs are checked, each with its own CA.
func TestDoctorDomains(t *testing.T) {
	lab, other := adtest.StartPair(t)
	e := newEnv(t)
	e.cfg.Directory.DCs, e.cfg.Directory.CAFile = nil, ""
	e.cfg.Directory.Domains = []config.DomainConfig{
		{NetBIOS: "LAB", DNS: lab.DNSDomain, DCs: []string{lab.URL}, CAFile: lab.CAFile},
		{NetBIOS: "OTHER", DNS: other.DNSDomain, DCs: []string{other.StartTLSURL}, CAFile: other.CAFile},
	}
	e.deps.DNSSkip = "test: no DNS"
	byName := func(r *doctor.Report) map[string]doctor.Check {
		m := map[string]doctor.Check{}
		for _, c := range r.Checks {
			m[c.Name] = c
		}
		return m
	}
	checks := byName(e.run(t))
	for _, name := range []string{"dns (LAB)", "dns (OTHER)"} {
		if c, ok := checks[name]; !ok || c.Status != doctor.Skip {
			t.Errorf("%s: %+v", name, c)
		}
	}
	for name, detail := range map[string]string{
		"dc " + lab.Addr + ":636 tls":   `LDAPS, TLS 1.3; certificate for dc1.lab.example, 127.0.0.1 issued by "adtest CA"`,
		"dc " + other.Addr + ":389 tls": `StartTLS, TLS 1.3; certificate for dc2.other.example, 127.0.0.3 issued by "adtest CA OTHER"`,
	} {
		c := checks[name]
		if c.Status != doctor.OK || !strings.Contains(c.Detail, detail) {
			t.Errorf("%s: %+v; want OK with %q", name, c, detail)
		}
	}

	// OTHER's CA file holds LAB's CA: only OTHER's DC fails, with a fix naming its ca_file.
	e.cfg.Directory.Domains[1].CAFile = lab.CAFile
	checks = byName(e.run(t))
	c := checks["dc "+other.Addr+":389 tls"]
	if c.Status != doctor.Fail || !strings.Contains(c.Detail, `signed by "adtest CA OTHER"`) || !strings.Contains(c.Fix, lab.CAFile) {
		t.Errorf("OTHER with LAB's CA: %+v", c)
	}
	if c := checks["dc "+lab.Addr+":636 tls"]; c.Status != doctor.OK {
		t.Errorf("LAB: %+v", c)
	}
}
