package doctor

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/imageinvoker/imageinvoker/pkg/express"
)

// sqlCauses adds to a failed store check the likely causes of a SQL Server
// that cannot be reached, most likely first: an instance name needs the SQL
// Server Browser (UDP 1434) to find its port; SQL Express ships with TCP/IP
// disabled; a firewall. A refused login is not about the network and keeps
// its own fix.
func sqlCauses(c *Check, u express.URL) {
	if c.Status != Fail || u.Dialect != express.DialectSQLServer {
		return
	}
	if low := strings.ToLower(c.Detail); strings.Contains(low, "login") || strings.Contains(low, "password") {
		return
	}
	var causes []string
	inst := u.Instance
	if inst != "" && u.Port == "" {
		causes = append(causes, fmt.Sprintf("the SQL Server Browser service (UDP 1434 on %s) must run and be reachable to find instance %s's port; or give the port instead: sqlserver://%s:PORT?database=eXpress", u.Host, inst, u.Host))
	}
	causes = append(causes,
		"TCP/IP must be enabled for the instance (SQL Server Configuration Manager > Network Configuration > Protocols; SQL Express has it off by default), and the service restarted",
		"a firewall on the server or between this subnet and it must let the TCP port through"+map[bool]string{true: " (and UDP 1434)", false: ""}[inst != "" && u.Port == ""])
	list := ""
	for i, cs := range causes {
		list += fmt.Sprintf(" (%d) %s;", i+1, cs)
	}
	c.Fix = strings.TrimSuffix(c.Fix, ".") + ". Likely causes:" + strings.TrimSuffix(list, ";")
}

// caFileChecks check each configured CA file itself: it exists, parses,
// and whose certificates it holds until when. A DC's TLS check then says
// whether it is the right CA.
func caFileChecks(d Deps) []Check {
	cfg := d.Config
	files := []string{}
	if cfg.Directory.CAFile != "" {
		files = append(files, cfg.Directory.CAFile)
	}
	for _, dom := range cfg.Directory.Domains {
		if dom.CAFile != "" {
			files = append(files, dom.CAFile)
		}
	}
	now := time.Now()
	if d.Now != nil {
		now = d.Now()
	}
	var out []Check
	for _, f := range files {
		out = append(out, caFileCheck(f, now))
	}
	return out
}

func caFileCheck(path string, now time.Time) Check {
	c := Check{Name: "ca file"}
	data, err := os.ReadFile(path)
	if err != nil {
		c.Status, c.Detail = Fail, "cannot read "+path+": "+err.Error()
		c.Fix = "Put the CA certificate next to the config on the boot media (directory.ca_file); `imageinvoker config check` finds a missing one before the media is built"
		return c
	}
	var subjects []string
	expired, soon := 0, 0
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			continue
		}
		name := cert.Subject.CommonName
		if name == "" {
			name = cert.Subject.String()
		}
		state := "valid until " + fmtTime(cert.NotAfter)
		switch {
		case now.After(cert.NotAfter):
			state = "EXPIRED " + fmtTime(cert.NotAfter)
			expired++
		case now.Before(cert.NotBefore):
			state = "not valid before " + fmtTime(cert.NotBefore)
			expired++
		case cert.NotAfter.Sub(now) < 30*24*time.Hour:
			soon++
		}
		subjects = append(subjects, fmt.Sprintf("%q %s", name, state))
	}
	if len(subjects) == 0 {
		c.Status, c.Detail = Fail, path+" holds no PEM certificate (-----BEGIN CERTIFICATE-----)"
		c.Fix = "Export the CA certificate as Base-64 encoded X.509 (.cer) and use that file"
		return c
	}
	c.Status, c.Detail = OK, fmt.Sprintf("%s: %d certificate(s): %s", path, len(subjects), strings.Join(subjects, "; "))
	switch {
	case expired > 0:
		c.Status = Warn
		c.Fix = "A certificate here is outside its validity by this machine's clock: check the clock (see clock), else renew the CA certificate in this file"
	case soon > 0:
		c.Status = Warn
		c.Fix = "A certificate here expires within 30 days: put the renewed CA certificate in this file and rebuild the boot media"
	}
	return c
}
