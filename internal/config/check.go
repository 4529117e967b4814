package config

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/imageinvoker/imageinvoker/pkg/express"
	"go.yaml.in/yaml/v3"
)

// Target is the system a config file is meant for (config check --target):
// a path of the other system is an error there.
type Target string

const (
	TargetAny     Target = ""
	TargetLinux   Target = "linux"
	TargetWindows Target = "windows"
)

// Findings are what Lint reports: errors the console would refuse at boot,
// and warnings about values that are valid but likely wrong.
type Findings struct {
	Errors   []string
	Warnings []string
}

// LintOptions are Lint's inputs beyond the config.
type LintOptions struct {
	// Dir is the config file's folder, where a ca_file written as a WinPE or
	// Linux absolute path is looked for at build time (by its base name).
	Dir    string
	Target Target
	// Line finds the line of a dotted key in the file (0 when unknown).
	Line func(key string) int
}

// Lint checks what Validate does not, because commands other than the
// console may use such values (menu previews console_security: off): the
// console's own refusals, settings that contradict each other, DC and
// store URLs as the console reads them, the CA files themselves, paths of
// the other system, and values still the sample's. Every finding in one
// pass, so an image builder fixes them all at once.
func (c *Config) Lint(o LintOptions) Findings {
	l := &linter{o: o}
	if l.o.Line == nil {
		l.o.Line = func(key string) int {
			if or := c.Origin(key); or.Kind == FromMedia || or.Kind == FromCentral {
				return or.Line
			}
			return 0
		}
	}
	l.section("", c.Store, c.Directory)
	for _, s := range c.Sites {
		l.section("sites["+s.Name+"].", s.Store, s.Directory)
	}
	// ds_accounts is read from the top level: a DS console account has no
	// AD password for NTLM, so with store.auth technician it can sign in
	// but never open the store, here or on any site.
	if c.Directory.DSAccounts {
		auths := []StoreAuth{c.Store.Auth}
		for _, s := range c.Sites {
			auths = append(auths, s.Store.Auth)
		}
		for _, a := range auths {
			if a == AuthTechnician {
				l.err("directory.ds_accounts", "true does not work with store.auth: technician: a DS console account (.\\name) has no domain password to log in to SQL Server with. Use store.auth: url, or turn ds_accounts off")
				break
			}
		}
	}
	l.path("include_ca_file", c.IncludeCAFile, true)
	l.path("log.file", c.Log.File, false)
	if strings.Contains(c.Include, "://") {
		l.example("include", hostOf(c.Include))
	} else {
		l.path("include", c.Include, false)
	}
	if c.Policy.AllowOverrides {
		l.warn("policy.allow_overrides", "true lets whoever sits at a booted machine point it at another store or DC from the command line: keep it off on boot media")
	}
	if c.Directory.AllowPlain {
		l.warn("directory.allow_plain", "true: a domain controller that refuses StartTLS receives technicians' passwords in clear over the network")
	}
	l.sources(c)
	return Findings{Errors: l.errs, Warnings: l.warns}
}

// LintFile is Lint for a file that did not load (Validate or the sites
// refused it): it reads the file leniently, so Lint's findings come in
// the same pass as the loader's errors. Nothing is reported when even the
// lenient read fails (the loader's error already says why).
func LintFile(path string, o LintOptions) Findings {
	data, err := os.ReadFile(path)
	if err != nil {
		return Findings{}
	}
	c := Default()
	var root yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(c); yaml.Unmarshal(data, &root) != nil || err != nil && !errors.Is(err, io.EOF) {
		return Findings{}
	}
	c.resolveRelative(filepath.Dir(path))
	if o.Line == nil {
		o.Line = func(key string) int { return findKey(&root, key) }
	}
	if o.Dir == "" {
		o.Dir = filepath.Dir(path)
	}
	return c.Lint(o)
}

type linter struct {
	o           LintOptions
	errs, warns []string
}

func (l *linter) at(key, msg string) string {
	base, _, _ := strings.Cut(key, "[")
	if n := l.o.Line(strings.TrimSuffix(base, ".")); n > 0 {
		return fmt.Sprintf("line %d: %s: %s", n, key, msg)
	}
	return key + ": " + msg
}

func (l *linter) err(key, msg string)  { l.errs = append(l.errs, l.at(key, msg)) }
func (l *linter) warn(key, msg string) { l.warns = append(l.warns, l.at(key, msg)) }

// section checks one store and directory: the top level's, or a site's
// (prefix sites[NAME].).
func (l *linter) section(prefix string, st StoreConfig, d DirectoryConfig) {
	if st.ConsoleSecurity == SecurityOff {
		l.err(prefix+"store.console_security", "off is refused on the console and in `run` (it would let anyone schedule any job); use auto or on")
	}
	switch u, _ := st.Location(); u.Dialect {
	case express.DialectSQLServer:
		if u.Database == "" {
			l.err(prefix+"store.url", "names no database: add ?database=eXpress (the console would log in to the login's default database, not DS's)")
		}
		if u.Credentials && st.Auth == AuthTechnician {
			l.err(prefix+"store.url", "has a user name and password in it, and store.auth is technician, which logs in as the technician: drop them from the URL (a secret on the boot media for nothing), or use store.auth: url")
		}
		l.example(prefix+"store.url", u.Host)
	case express.DialectSQLite:
		l.path(prefix+"store.url", u.Path, false)
	}
	dcs := func(key string, list []string) {
		for _, dc := range list {
			u, err := url.Parse(dc)
			if err != nil || u.Host == "" || (u.Scheme != "ldaps" && u.Scheme != "ldap") {
				l.err(key, fmt.Sprintf("%q is not a DC address: write ldaps://HOST[:636] or ldap://HOST[:389] (StartTLS)", dc))
				continue
			}
			l.example(key, u.Hostname())
		}
	}
	dcs(prefix+"directory.dcs", d.DCs)
	l.example(prefix+"directory.dns_domain", d.DNSDomain)
	l.path(prefix+"directory.ca_file", d.CAFile, true)
	for i, dom := range d.Domains {
		key := fmt.Sprintf("%sdirectory.domains[%d]", prefix, i+1)
		dcs(key+".dcs", dom.DCs)
		l.example(key+".dns", dom.DNS)
		l.path(key+".ca_file", dom.CAFile, true)
		l.path(key+".bind_password_file", dom.BindPasswordFile, false)
	}
}

// sources warns when no store or no way to find a DC is configured
// anywhere: valid, but the console cannot start (no store) or sign anyone
// in from AD (no DC).
func (l *linter) sources(c *Config) {
	central := ""
	if c.Include != "" && (c.Central == nil || !c.Central.Loaded) {
		central = ", unless the central file (include) sets it"
	}
	store, dc := c.Store.URL != "", c.Directory.Configured()
	for _, s := range c.Sites {
		store = store || s.Store.URL != ""
		dc = dc || s.Directory.Configured()
	}
	if !store {
		l.warn("store.url", "not set: the console cannot start without the eXpress database"+central)
	}
	if !dc && !c.Directory.DSAccounts {
		l.warn("directory", "no dcs, dns_domain or domains: nobody can sign in with an AD account"+central)
	}
}

// exampleSuffixes are the names RFC 2606 reserves for documentation: the
// sample's hosts are among them, so one in a config is most likely a value
// nobody replaced.
var exampleSuffixes = []string{".example", ".test", ".invalid", ".localhost", "example.com", "example.net", "example.org"}

func (l *linter) example(key, host string) {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if h == "" {
		return
	}
	for _, s := range exampleSuffixes {
		if h == strings.TrimPrefix(s, ".") || strings.HasSuffix(h, s) {
			l.warn(key, fmt.Sprintf("%s is a documentation name (RFC 2606): still the sample's value?", host))
			return
		}
	}
}

// path checks a file path for the target system, and, for a CA file, that
// the file is there at build time and holds PEM certificates.
func (l *linter) path(key, p string, ca bool) {
	if p == "" {
		return
	}
	win := isWindowsAbs(p) || strings.HasPrefix(p, `\\`)
	posix := strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//")
	switch {
	case l.o.Target == TargetLinux && win:
		l.err(key, fmt.Sprintf("%s is a Windows path, and this config is for Linux boot media", p))
		return
	case l.o.Target == TargetWindows && posix && !strings.HasPrefix(p, l.o.Dir+string(filepath.Separator)):
		l.err(key, fmt.Sprintf("%s is a Linux path, and this config is for WinPE", p))
		return
	}
	if !ca {
		return
	}
	local := p
	if _, err := os.Stat(local); err != nil && l.o.Dir != "" {
		// X:\ImageInvoker\ca.pem on a build machine is looked for next
		// to the config, where it goes onto the media with it.
		local = filepath.Join(l.o.Dir, baseName(p))
	}
	data, err := os.ReadFile(local)
	if err != nil {
		l.err(key, fmt.Sprintf("%s: not found next to the config (looked for %s); put the CA file there so it goes onto the media with it", p, local))
		return
	}
	if n := pemCerts(data); n == 0 {
		l.err(key, fmt.Sprintf("%s holds no PEM certificate (-----BEGIN CERTIFICATE-----); export the CA certificate as Base-64 X.509", local))
	}
}

// baseName is the last element of a Windows or a Linux path.
func baseName(p string) string {
	if i := strings.LastIndexAny(p, `\/`); i >= 0 {
		return p[i+1:]
	}
	return p
}

// pemCerts counts the certificates that parse in a PEM file.
func pemCerts(data []byte) int {
	n := 0
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return n
		}
		if b.Type == "CERTIFICATE" {
			if _, err := x509.ParseCertificate(b.Bytes); err == nil {
				n++
			}
		}
	}
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Hostname()
}
