package config

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/tlshttp"
	"github.com/imageinvoker/imageinvoker/pkg/express"
)

// Options are what resolving a configuration needs from outside.
type Options struct {
	// Addrs lists this machine's IP addresses, to choose its site. The
	// command layer passes the machine package's reader; tests pass theirs.
	Addrs func() ([]netip.Addr, error)
	// IncludeTimeout bounds reading the central file (DefaultIncludeTimeout).
	IncludeTimeout time.Duration
	// Offline leaves an https:// include unread (`config check`).
	Offline bool
	// Boot is the console and `run` (not the demo): a config file at a
	// default location is the config, and --config or IMAGEINVOKER_CONFIG
	// naming another is refused unless that file allows it (checkLocation).
	Boot bool
	// MediaPaths replace SearchPaths (tests: the default locations of a
	// boot medium in a temporary folder).
	MediaPaths []string
}

// DefaultIncludeTimeout bounds the fetch of an https:// central file: a
// boot console whose central server is down must still start, on the boot
// media's own settings, before the technician gives up on it.
const DefaultIncludeTimeout = 10 * time.Second

// maxCentral is the largest central file read: a config file is a few
// kilobytes, and a misconfigured URL can point at something huge.
const maxCentral = 1 << 20

var errNoAddrs = errors.New("no address reader was given")

func (o Options) addrs() ([]netip.Addr, error) {
	if o.Addrs == nil {
		return nil, errNoAddrs
	}
	return o.Addrs()
}

// Central says whether the include was read.
type Central struct {
	// Ref is the include as written (a path or URL; credentials redacted).
	Ref string `json:"ref"`
	// Loaded: its settings are in effect. Lines is its length.
	Loaded bool `json:"loaded"`
	Lines  int  `json:"lines,omitempty"`
	// Err says why it was not loaded; the boot media's settings apply alone.
	Err string `json:"error,omitempty"`
	// Took is how long reading it took.
	Took time.Duration `json:"took_ns"`
}

// checkInclude refuses an include that could never be trusted: plain
// http:// (anyone on the network could rewrite store.url and the DCs) and
// schemes other than https.
func checkInclude(ref string) error {
	if userinfoRE.MatchString(ref) {
		// Never sent (no basic auth), and a password in it would be printed
		// with the include wherever it is named.
		return fmt.Errorf("%q: a user name or password in the include is refused (it is never sent): name the file's URL or path alone", RedactInclude(ref))
	}
	scheme, _, isURL := strings.Cut(ref, "://")
	if !isURL {
		return nil
	}
	switch strings.ToLower(scheme) {
	case "https":
		return nil
	case "http":
		return fmt.Errorf("%q: plain http:// is refused, since anyone on the network could change the settings; use https:// (verified against include_ca_file) or a file path", express.RedactURL(ref))
	}
	return fmt.Errorf("%q: only a file path (F:\\ImageInvoker\\central.yaml, \\\\server\\share\\central.yaml) or an https:// URL can be included", express.RedactURL(ref))
}

// userinfoRE spots credentials in an include however it is written:
// https://u:p@host, https//u:p@host, https:u:p@host, u:p@host/path.
var userinfoRE = regexp.MustCompile(`^(?:[A-Za-z][A-Za-z0-9+.-]*[:/]+)?[^/\\@\s]*@[^/\\]`)

// RedactInclude is an include as it may be shown: credentials hidden
// however malformed the value (express.RedactURL's rule: everything before
// the last @ of the authority goes).
func RedactInclude(ref string) string {
	if strings.Contains(ref, "@") {
		return express.RedactURL(ref)
	}
	return ref
}

// keys only the boot media's own file may set: one level of include, and
// only the media may loosen the boot-media policy (a central file is shared
// by every site's media, and whoever can write it should not also be able
// to let technicians' command lines pick the store or the DCs).
var mediaOnlyKeys = []string{"include", "include_ca_file", "include_fallback", "policy.allow_overrides"}

// LoadWith reads one config file (the boot media's) and its include, if
// any: defaults, then the central file, then this file.
func LoadWith(path string, o Options) (*Config, error) {
	c, err := loadWith(path, o)
	if err != nil {
		return nil, err
	}
	c.Warnings = append(c.Warnings, insecureStores(c)...)
	return c, nil
}

func loadWith(path string, o Options) (*Config, error) {
	data, err := readConfigFile(path, 0)
	if err != nil {
		return nil, fmt.Errorf("%w: read config: %w", ErrInvalid, err)
	}
	media, err := parseFile(path, data)
	if err != nil {
		return nil, err
	}
	mediaDir := filepath.Dir(path)
	media.cfg.resolveRelative(mediaDir)
	if media.cfg.Include == "" {
		c := media.cfg
		for key, line := range media.keys {
			c.setOrigin(key, Origin{Kind: FromMedia, File: path, Line: line})
		}
		return c, nil
	}
	return withCentral(media, path, o)
}

func withCentral(media *parsed, mediaPath string, o Options) (*Config, error) {
	m := media.cfg
	ref := m.Include
	info := &Central{Ref: RedactInclude(ref)}
	start := time.Now()
	data, err := readCentral(m, o)
	info.Took = time.Since(start)
	if err != nil {
		info.Err = err.Error()
		for key, line := range media.keys {
			m.setOrigin(key, Origin{Kind: FromMedia, File: mediaPath, Line: line})
		}
		m.Central = info
		if m.IncludeFallback {
			m.Warnings = append(m.Warnings, fmt.Sprintf("central settings %s not loaded: %v; using the boot media's own settings (%s) only (include_fallback)", info.Ref, err, mediaPath))
		} else {
			m.Warnings = append(m.Warnings, fmt.Sprintf("central settings %s not loaded: %v; using the boot media's own settings (%s) only for this preview: the console and `run` stop (include_fallback is not set)", info.Ref, err, mediaPath))
		}
		return m, nil
	}
	central, err := parseFile(info.Ref, data)
	if err != nil {
		return nil, err
	}
	var errs []string
	for _, k := range mediaOnlyKeys {
		if line, ok := central.keys[k]; ok {
			why := "only the boot media's own config file may set it (only the media may loosen the boot-media policy)"
			if k == "include_fallback" {
				why = "only the boot media's own config file may say what happens when the central file cannot be read"
			} else if k != "policy.allow_overrides" {
				why = "a central file cannot include another: includes go one level deep, from the boot media's file"
			}
			errs = append(errs, fmt.Sprintf("line %d: %s: %s", line, k, why))
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%w: %s: %s", ErrInvalid, info.Ref, strings.Join(errs, "; "))
	}
	// A relative ca_file in a central file on a share is next to that file;
	// one fetched over https can only mean the boot media's folder.
	dir := filepath.Dir(mediaPath)
	if !strings.Contains(ref, "://") {
		dir = filepath.Dir(ref)
	}
	central.cfg.resolveRelative(dir)
	c := central.cfg
	for key, line := range central.keys {
		c.setOrigin(key, Origin{Kind: FromCentral, File: info.Ref, Line: line})
	}
	overlay(c, m, media.keys)
	for key, line := range media.keys {
		c.setOrigin(key, Origin{Kind: FromMedia, File: mediaPath, Line: line})
	}
	info.Loaded, info.Lines = true, bytes.Count(data, []byte("\n"))
	if len(data) > 0 && data[len(data)-1] != '\n' {
		info.Lines++
	}
	c.Source, c.Central = mediaPath, info
	return c, nil
}

// readCentral reads the include: a file (a mapped DS share or a UNC path
// is just a path to the OS) or an https:// URL.
func readCentral(m *Config, o Options) ([]byte, error) {
	ref := m.Include
	if !strings.Contains(ref, "://") {
		// The https limits hold for a path too: a FIFO or a share that
		// stops answering must not hang the console, /dev/zero must not
		// fill its memory.
		timeout := o.IncludeTimeout
		if timeout <= 0 {
			timeout = DefaultIncludeTimeout
		}
		data, err := readConfigFile(ref, timeout)
		if err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				return nil, pe.Err
			}
			return nil, err
		}
		return data, nil
	}
	if o.Offline {
		return nil, errors.New("not fetched: this check works offline (`imageinvoker config show` and `doctor` fetch it)")
	}
	timeout := o.IncludeTimeout
	if timeout <= 0 {
		timeout = DefaultIncludeTimeout
	}
	return fetch(ref, m, timeout)
}

func fetch(ref string, m *Config, timeout time.Duration) ([]byte, error) {
	caFile, which := m.IncludeCAFile, "include_ca_file"
	if caFile == "" {
		caFile, which = m.Directory.CAFile, "directory.ca_file"
	}
	var pool *x509.CertPool // nil: the system's CAs
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("%s %s: %w", which, caFile, err)
		}
		pool = x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s %s holds no PEM certificate", which, caFile)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	data, err := get(ctx, ref, &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12})
	if err != nil {
		return nil, explainFetch(err, ctx, timeout, which, caFile)
	}
	return data, nil
}

// get is one HTTP/1.1 GET over TLS (tlshttp: no http.Client; no proxy,
// since the central file lives on the organisation's network and on Linux
// boot media the kernel command line becomes the environment, so an
// HTTPS_PROXY there must not route this; no redirects: name the file's own
// URL).
func get(ctx context.Context, ref string, conf *tls.Config) ([]byte, error) {
	u, err := url.Parse(ref)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("not a URL like https://server/path/central.yaml")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ref, nil)
	if err != nil {
		return nil, err
	}
	resp, err := tlshttp.RoundTrip(ctx, req, conf)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		if loc := resp.Header.Get("Location"); loc != "" {
			return nil, fmt.Errorf("the server answered %s, to %s: name that URL in include (redirects are not followed)", resp.Status, loc)
		}
		return nil, fmt.Errorf("the server answered %s", resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxCentral+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxCentral {
		return nil, fmt.Errorf("larger than %d bytes: is the URL that of the config file?", maxCentral)
	}
	return data, nil
}

// explainFetch turns a fetch error into the sentence an administrator needs.
func explainFetch(err error, ctx context.Context, timeout time.Duration, which, caFile string) error {
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	var netErr net.Error
	switch {
	case errors.As(err, &unknown):
		if caFile == "" {
			return errors.New("the server's certificate is not signed by a CA this machine trusts (the system pool): set include_ca_file to the PEM file of the CA that signed it")
		}
		return fmt.Errorf("the server's certificate is not signed by a CA in %s %s: put the CA that signed it in that file (or in include_ca_file)", which, caFile)
	case errors.As(err, &host):
		return fmt.Errorf("the server's certificate is not for this host name (%v): use the name the certificate carries", host)
	case errors.As(err, &invalid):
		return fmt.Errorf("the server's certificate is not valid (%v): check this machine's clock", invalid)
	case ctx.Err() != nil, errors.As(err, &netErr) && netErr.Timeout():
		// The connection's deadline is the context's, and may fire first.
		return fmt.Errorf("no answer within %s", timeout)
	}
	return err
}
