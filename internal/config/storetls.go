package config

import (
	"fmt"
	"strings"

	"github.com/imageinvoker/imageinvoker/pkg/express"
)

// StoreTLS is how the SQL Server's certificate is verified.
func (c *Config) StoreTLS() express.TLSOptions {
	return express.TLSOptions{CAFile: c.Store.CAFile, Fingerprint: c.Store.TLSFingerprint}
}

// insecureStores labels every store URL of c that would not be encrypted
// and verified (express.URL.InsecureTLS), top level and per site, loudly: a
// LAN attacker posing as the DS SQL server gets the login.
func insecureStores(c *Config) []string {
	var out []string
	label := func(where string, st StoreConfig) {
		u, err := st.Location()
		if err != nil {
			return // Validate says what is wrong with it
		}
		if why := u.InsecureTLS(); why != "" {
			out = append(out, "INSECURE: "+where+" "+u.Redacted()+": "+why+
				" — anyone on the network who poses as the DS SQL server gets the SQL login; give SQL Server a certificate and drop the setting (store.ca_file or store.tls_fingerprint verify an internal or self-signed one)")
		}
	}
	label("store.url", c.Store)
	for _, s := range c.Sites {
		label("sites ("+s.Name+") store.url", s.Store)
	}
	return out
}

// checkStoreTLS refuses a store URL that turns encryption or the
// certificate check off unless the boot media's own file says so: a central
// file or a site in it (shared by every site's media, writable by whoever
// runs the web server or the share) must not weaken whom the client trusts.
func (c *Config) checkStoreTLS() error {
	u, err := c.Store.Location()
	if err != nil || u.InsecureTLS() == "" {
		return nil
	}
	o := c.Origin("store.url")
	switch o.Kind {
	case FromMedia, FromDefault:
		return nil
	case FromSite:
		if o.File == c.Source {
			return nil
		}
	case FromEnv, FromFlag:
		return nil // policy settings: refused unless the media file allows overrides
	}
	return fmt.Errorf("store.url from %s turns SQL Server encryption or its certificate check off (%s): on the console and in `run` only the boot media's own config file may do that",
		o, u.InsecureTLS())
}

// checkFingerprint says what is wrong with a store.tls_fingerprint, or nil.
func checkFingerprint(fp string) error {
	if strings.TrimSpace(fp) == "" {
		return nil
	}
	_, err := express.ParseFingerprint(fp)
	return err
}
