package doctor

import (
	"context"
	"strings"

	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/pkg/express"
)

// storeTLS adds to the store check what the SQL Server's TLS comes to: an
// insecure URL is labelled (and the check warns), and the server's
// certificate fingerprint is printed with the line to paste when the
// certificate was not trusted or when the connection works (so the
// administrator can pin it). Reading the certificate sends no login.
func storeTLS(ctx context.Context, cfg *config.Config, c *Check, opened bool) {
	u, _ := cfg.Store.Location()
	if u.Dialect != express.DialectSQLServer {
		return
	}
	if why := u.InsecureTLS(); why != "" {
		c.Detail += "; INSECURE: " + why
		if c.Status == OK {
			c.Status = Warn
			c.Fix = "Give SQL Server a certificate and remove encrypt=disable/false or trustServerCertificate=true from store.url; store.ca_file (internal CA) or store.tls_fingerprint (self-signed) verify it"
		}
		return
	}
	untrusted := strings.Contains(c.Detail, "store.tls_fingerprint") || strings.Contains(c.Fix, "store.tls_fingerprint")
	if !opened && !untrusted {
		return
	}
	cert, err := express.ServerCertificate(ctx, u, cfg.Store.Timeout)
	if err != nil {
		return
	}
	fp := express.Fingerprint(cert.Raw)
	c.Detail += "; the server's certificate: " + fp + " (subject " + cert.Subject.String() + ")"
	if untrusted {
		c.Fix = "If that is your DS SQL server's certificate (compare it on the server: certlm.msc, or the SQL Server Configuration Manager), pin it: paste into the config file's store section: tls_fingerprint: \"" + fp + "\"; or set store.ca_file to the PEM of the CA that signed it"
	}
}

func isSQLServer(cfg *config.Config) bool {
	u, _ := cfg.Store.Location()
	return u.Dialect == express.DialectSQLServer
}

// dsAccountCheck says, when DS console accounts may sign in
// (directory.ds_accounts), how their passwords are checked on this store:
// by DS's own wc_sel_security_authenticate (the login reads no password),
// or by reading securityuser.password here (the login can read every DS
// console password: the cipher is reversible), or not at all.
func dsAccountCheck(ctx context.Context, cfg *config.Config, st any, c *Check) {
	if !cfg.Directory.DSAccounts {
		return
	}
	a, ok := st.(interface {
		DSAccountCheck(context.Context) (string, error)
	})
	if !ok {
		return
	}
	how, err := a.DSAccountCheck(ctx)
	switch {
	case err != nil:
		return
	case how == "procedure":
		c.Detail += "; DS console accounts: checked by DS's wc_sel_security_authenticate"
	case how == "compare" && !isSQLServer(cfg):
		c.Detail += "; DS console accounts: checked by reading securityuser.password (a SQLite copy has no DS procedures)"
	case how == "compare":
		c.Detail += "; DS console accounts: checked by reading securityuser.password (wc_sel_security_authenticate is not callable: GRANT EXECUTE on it, then revoke SELECT on securityuser.password)"
		if c.Status == OK {
			c.Status = Warn
			c.Fix = "GRANT EXECUTE ON wc_sel_security_authenticate to this login and DENY SELECT ON securityuser(password): this login can read every DS console password, and the cipher is reversible"
		}
	default:
		c.Detail += "; DS console accounts cannot sign in: this login may neither call wc_sel_security_authenticate nor read securityuser.password"
		if c.Status == OK {
			c.Status = Warn
			c.Fix = "GRANT EXECUTE ON wc_sel_security_authenticate to this login, or turn directory.ds_accounts off"
		}
	}
}
