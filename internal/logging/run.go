package logging

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/internal/tlshttp"
)

// RunInfo is what a run's start line says: which build, which config
// (path, sha256, label) and which site, so runs in one log file, or log
// files copied from many machines, can be told apart.
type RunInfo struct {
	Command, Version, Config, ConfigSHA256, Label, Site string
}

// Start logs the run's start line.
func (l *Logger) Start(i RunInfo) {
	config := i.Config
	if config == "" {
		config = "(none: defaults)"
	}
	l.Info("start", "command", i.Command, "version", i.Version, "config", config, "config_sha256", i.ConfigSHA256,
		"label", i.Label, "site", i.Site)
}

// End logs the run's end line: the exit code and the sentence the error
// table (exitcode.Describe) gives err, the same the person saw.
func (l *Logger) End(err error) {
	d := exitcode.Describe(err)
	if err == nil {
		l.Info("end", "exit", d.Code)
		return
	}
	attrs := []any{"exit", d.Code, "error", d.Line()}
	if d.Detail != nil && d.Detail.Error() != d.Msg {
		attrs = append(attrs, "detail", d.Detail.Error())
	}
	l.Error("end", attrs...)
}

// Bytes is the whole log: the file when there is one, else the lines kept
// in memory.
func (l *Logger) Bytes() []byte {
	if l.path != "" {
		if data, err := os.ReadFile(l.path); err == nil {
			return data
		}
	}
	l.ring.mu.Lock()
	defer l.ring.mu.Unlock()
	if len(l.ring.lines) == 0 {
		return nil
	}
	return []byte(strings.Join(l.ring.lines, "\n") + "\n")
}

// CopyOptions say where a copy of the log goes when the run ends
// (log.copy_to): WinPE's and the initrd's RAM drive is gone once DS
// reboots the machine, the usual end of a run.
type CopyOptions struct {
	// To is an https:// URL (the log is PUT there: to URL/NAME when the
	// URL ends with /) or a folder (a mapped share, a UNC path).
	To string
	// Name is the copy's file name (CopyName).
	Name string
	// CAFile verifies the https server (default: the system's CAs).
	CAFile  string
	Timeout time.Duration
}

// CopyName is a copy's file name: the time and this machine's host name,
// so copies from many machines and runs never overwrite each other.
func CopyName(now time.Time, host string) string {
	host = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '_'
	}, host)
	return "imageinvoker-" + now.UTC().Format("20060102T150405Z") + "-" + host + ".log"
}

// CheckCopyTo refuses a destination the copy cannot go to safely: plain
// http (user names in clear) and other schemes.
func CheckCopyTo(to string) error {
	if !strings.Contains(to, "://") {
		return nil
	}
	u, err := url.Parse(to)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return errors.New("copy_to is an https:// URL or a folder (a share path); plain http would send user names in clear")
	}
	return nil
}

// Copy copies the whole log to o.To.
func (l *Logger) Copy(ctx context.Context, o CopyOptions) error {
	if err := CheckCopyTo(o.To); err != nil {
		return err
	}
	data := l.Bytes()
	if !strings.HasPrefix(o.To, "https://") {
		dest := filepath.Join(o.To, o.Name)
		if err := os.WriteFile(dest, data, 0o600); err != nil {
			return fmt.Errorf("copy the log to %s: %w", dest, err)
		}
		return nil
	}
	target := o.To
	if strings.HasSuffix(target, "/") {
		target += url.PathEscape(o.Name)
	}
	conf := &tls.Config{MinVersion: tls.VersionTLS12}
	if o.CAFile != "" {
		pem, err := os.ReadFile(o.CAFile)
		if err != nil {
			return fmt.Errorf("copy the log: CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return fmt.Errorf("copy the log: %s holds no PEM certificate", o.CAFile)
		}
		conf.RootCAs = pool
	}
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = 15 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := put(ctx, target, data, conf); err != nil {
		return fmt.Errorf("copy the log to %s: %w", redactURL(target), err)
	}
	return nil
}

// put is one HTTP/1.1 PUT over TLS (tlshttp: no http.Client, no proxy, no
// redirects).
func put(ctx context.Context, target string, data []byte, conf *tls.Config) error {
	u, err := url.Parse(target)
	if err != nil || u.Host == "" {
		return errors.New("not a URL like https://server/path/")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, target, bytes.NewReader(data))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	resp, err := tlshttp.RoundTrip(ctx, req, conf)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("the server answered %s", resp.Status)
	}
	return nil
}

// redactURL drops credentials from a URL for messages: the user info and
// the query, where a pre-signed PUT URL (a storage account's SAS) carries
// its token.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "the copy_to URL"
	}
	u.User = nil
	if u.RawQuery != "" || u.ForceQuery {
		u.RawQuery, u.ForceQuery = "", false
		return u.String() + "?***"
	}
	return u.String()
}
