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
	if !strings.HasPrefix(cfg.Store.URL, "sqlserver://") {
		return
	}
	if why := express.InsecureTLS(cfg.Store.URL); why != "" {
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
	cert, err := express.ServerCertificate(ctx, cfg.Store.URL, cfg.Store.Timeout)
	if err != nil {
		return
	}
	fp := express.Fingerprint(cert.Raw)
	c.Detail += "; the server's certificate: " + fp + " (subject " + cert.Subject.String() + ")"
	if untrusted {
		c.Fix = "If that is your DS SQL server's certificate (compare it on the server: certlm.msc, or the SQL Server Configuration Manager), pin it: paste into the config file's store section: tls_fingerprint: \"" + fp + "\"; or set store.ca_file to the PEM of the CA that signed it"
	}
}
