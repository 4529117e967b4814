package config

import (
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/certs"
	"github.com/spf13/pflag"
)

// isInvalid reports whether err is ErrInvalid and its message says every
// one of parts.
func isInvalid(err error, parts ...string) bool {
	if !errors.Is(err, ErrInvalid) {
		return false
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			return false
		}
	}
	return true
}

// invalidCase is a config text that must be refused with an ErrInvalid
// whose message contains want.
type invalidCase struct{ name, body, want string }

// checkInvalid loads each case's body with load, which gives the error and
// what else its message must contain (the file it names, or "").
func checkInvalid(t *testing.T, load func(t *testing.T, body string) (string, error), cases []invalidCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			names, err := load(t, tc.body)
			if !isInvalid(err, names, tc.want) {
				t.Errorf("err = %v\nwant ErrInvalid naming %q and %q", err, names, tc.want)
			}
		})
	}
}

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const centralYAML = `store:
  url: sqlite:central.db
  timeout: 9s
menu:
  root: CentralRoot
  tag: '[central]'
directory:
  dns_domain: lab.example
`

// The central file's settings apply under the media file's, key by key,
// and each value says where it came from.
func TestIncludeFilePath(t *testing.T) {
	dir := t.TempDir()
	central := writeFile(t, dir, "central.yaml", centralYAML)
	media := writeFile(t, dir, "imageinvoker.yaml", "include: central.yaml\nmenu:\n  root: MediaRoot\n")
	c, err := Load(media)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Warnings) != 0 {
		t.Errorf("warnings: %v", c.Warnings)
	}
	if c.Central == nil || !c.Central.Loaded || c.Central.Lines != 8 || c.Central.Ref != central {
		t.Errorf("central info = %+v, want loaded, 8 lines, %s", c.Central, central)
	}
	checks := []struct {
		key, got, want string
		origin         Origin
	}{
		{"store.url", c.Store.URL, "sqlite:central.db", Origin{Kind: FromCentral, File: central, Line: 2}},
		{"store.timeout", c.Store.Timeout.String(), "9s", Origin{Kind: FromCentral, File: central, Line: 3}},
		{"menu.root", c.Menu.Root, "MediaRoot", Origin{Kind: FromMedia, File: media, Line: 3}},
		{"menu.tag", c.Menu.Tag, "[central]", Origin{Kind: FromCentral, File: central, Line: 6}},
		{"menu.flat", "false", "false", Origin{Kind: FromDefault}},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %q, want %q", ch.key, ch.got, ch.want)
		}
		if o := c.Origin(ch.key); o != ch.origin {
			t.Errorf("%s from %+v, want %+v", ch.key, o, ch.origin)
		}
	}
}

// An unreachable central file is a warning: the media's own settings apply.
func TestIncludeUnreachable(t *testing.T) {
	dir := t.TempDir()
	media := writeFile(t, dir, "imageinvoker.yaml", "include: 'F:\\ImageInvoker\\central.yaml'\nmenu:\n  root: MediaRoot\n")
	c, err := Load(media)
	if err != nil {
		t.Fatalf("an unreachable central file must not stop the program: %v", err)
	}
	if c.Menu.Root != "MediaRoot" || c.Store.Timeout != 15*time.Second {
		t.Errorf("media settings not applied alone: root %q timeout %s", c.Menu.Root, c.Store.Timeout)
	}
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], `F:\ImageInvoker\central.yaml not loaded`) ||
		!strings.Contains(c.Warnings[0], "using the boot media's own settings") {
		t.Errorf("warnings = %q", c.Warnings)
	}
	if c.Central == nil || c.Central.Loaded || c.Central.Err == "" {
		t.Errorf("central = %+v", c.Central)
	}
}

// A malformed central file is an error naming it, the line and the key.
func TestIncludeMalformed(t *testing.T) {
	checkInvalid(t, func(t *testing.T, body string) (string, error) {
		dir := t.TempDir()
		central := writeFile(t, dir, "central.yaml", body)
		_, err := Load(writeFile(t, dir, "imageinvoker.yaml", "include: central.yaml\n"))
		return central + ": ", err
	}, []invalidCase{
		{"bad value", "store:\n  url: sqlite:x.db\n  auth: kerberos\n", "line 3: store.auth"},
		{"unknown key", "menu:\n  flatt: true\n", "line 2: unknown key menu.flatt: did you mean menu.flat?"},
		{"syntax", "store:\n\turl: x\n", "line 2"},
		{"include chain", "menu:\n  flat: true\ninclude: other.yaml\n", "line 3: include: a central file cannot include another"},
		{"policy", "policy:\n  allow_overrides: true\n", "line 2: policy.allow_overrides: only the boot media's own config file may set it"},
		{"bad site", "sites:\n  - name: a\n    subnets: [10.0.0.0/33]\n", "line 2: sites[0] (a): subnets: entry 1 is not a subnet"},
	})
}

func TestIncludeRefusedSchemes(t *testing.T) {
	for _, ref := range []string{"http://ds1/central.yaml", "ftp://ds1/central.yaml"} {
		_, err := Parse("m.yaml", []byte("include: "+ref+"\n"))
		if !isInvalid(err, "m.yaml: line 1: include:") {
			t.Errorf("%s: err = %v", ref, err)
		}
	}
}

// tlsServer serves body over https on 127.0.0.1 and returns the PEM file of
// its own CA.
func tlsServer(t *testing.T, body string) (*httptest.Server, string) {
	t.Helper()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/central.yaml":
			_, _ = w.Write([]byte(body))
		case "/chunked.yaml":
			// Flushed in two parts: sent chunked, with no Content-Length.
			half := len(body) / 2
			_, _ = w.Write([]byte(body[:half]))
			w.(http.Flusher).Flush()
			_, _ = w.Write([]byte(body[half:]))
		case "/moved.yaml":
			http.Redirect(w, r, "/central.yaml", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	return srv, writeFile(t, t.TempDir(), "ca.pem", string(ca))
}

// selfSignedCA is a CA certificate of its own (every httptest server shares
// one built-in certificate, so another server's is no "other CA").
func selfSignedCA(t *testing.T) []byte {
	t.Helper()
	ca, err := certs.NewCA("Other Test CA", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return ca.PEM
}

func TestIncludeHTTPS(t *testing.T) {
	srv, caFile := tlsServer(t, centralYAML)
	otherCA := writeFile(t, t.TempDir(), "other-ca.pem", string(selfSignedCA(t)))
	dir := t.TempDir()
	media := func(body string) string { return writeFile(t, dir, "imageinvoker.yaml", body) }

	t.Run("trusted through include_ca_file", func(t *testing.T) {
		c, err := Load(media("include: " + srv.URL + "/central.yaml\ninclude_ca_file: " + caFile + "\n"))
		if err != nil {
			t.Fatal(err)
		}
		if !c.Central.Loaded || c.Store.URL != "sqlite:central.db" || len(c.Warnings) != 0 {
			t.Fatalf("central = %+v, store %q, warnings %v", c.Central, c.Store.URL, c.Warnings)
		}
		if o := c.Origin("menu.root"); o.Kind != FromCentral || o.File != srv.URL+"/central.yaml" || o.Line != 5 {
			t.Errorf("origin %+v", o)
		}
		t.Logf("include over https on loopback took %s", c.Central.Took)
	})
	t.Run("chunked", func(t *testing.T) {
		c, err := Load(media("include: " + srv.URL + "/chunked.yaml\ninclude_ca_file: " + caFile + "\n"))
		if err != nil || !c.Central.Loaded || c.Central.Lines != 8 || c.Menu.Root != "CentralRoot" {
			t.Fatalf("err %v, central %+v", err, c.Central)
		}
	})
	t.Run("trusted through directory.ca_file", func(t *testing.T) {
		c, err := Load(media("include: " + srv.URL + "/central.yaml\ndirectory:\n  ca_file: " + caFile + "\n"))
		if err != nil || !c.Central.Loaded {
			t.Fatalf("err %v, central %+v", err, c.Central)
		}
	})
	warns := []struct{ name, body, want string }{
		{"another CA", "include: " + srv.URL + "/central.yaml\ninclude_ca_file: " + otherCA + "\n",
			"the server's certificate is not signed by a CA in include_ca_file " + otherCA},
		{"system pool", "include: " + srv.URL + "/central.yaml\n",
			"not signed by a CA this machine trusts (the system pool): set include_ca_file"},
		{"not found", "include: " + srv.URL + "/nope.yaml\ninclude_ca_file: " + caFile + "\n", "the server answered 404 Not Found"},
		{"redirect", "include: " + srv.URL + "/moved.yaml\ninclude_ca_file: " + caFile + "\n", "the server answered 302 Found, to /central.yaml: name that URL in include (redirects are not followed)"},
		{"nothing listening", "include: https://127.0.0.1:1/central.yaml\ninclude_ca_file: " + caFile + "\n", "connection refused"},
		{"missing CA file", "include: " + srv.URL + "/central.yaml\ninclude_ca_file: nope.pem\n", "include_ca_file " + filepath.Join(dir, "nope.pem")},
	}
	for _, w := range warns {
		t.Run(w.name, func(t *testing.T) {
			c, err := Load(media(w.body))
			if err != nil {
				t.Fatal(err)
			}
			if c.Central.Loaded || c.Store.URL != "" || len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], w.want) {
				t.Fatalf("central %+v, store %q, warnings %q; want a warning with %q", c.Central, c.Store.URL, c.Warnings, w.want)
			}
		})
	}
}

func TestIncludeTimeout(t *testing.T) {
	block := make(chan struct{})
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block }))
	defer srv.Close()
	defer close(block)
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	dir := t.TempDir()
	caFile := writeFile(t, dir, "ca.pem", string(ca))
	media := writeFile(t, dir, "imageinvoker.yaml", "include: "+srv.URL+"/central.yaml\ninclude_ca_file: "+caFile+"\n")
	start := time.Now()
	c, err := LoadWith(media, Options{IncludeTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("took %s with a 300ms timeout", took)
	}
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "no answer within 300ms") {
		t.Errorf("warnings %q", c.Warnings)
	}
}

// The whole precedence: defaults < central < media < environment < flags,
// with each value's origin.
func TestPrecedenceTable(t *testing.T) {
	dir := t.TempDir()
	central := writeFile(t, dir, "central.yaml", "menu:\n  root: C\n  tag: C\n  flat: true\nstore:\n  timeout: 1s\n  url: sqlite:c.db\n")
	media := writeFile(t, dir, "imageinvoker.yaml", "include: central.yaml\nmenu:\n  tag: M\n  root: M\nstore:\n  timeout: 2s\n")
	env := map[string]string{"IMAGEINVOKER_CONFIG": media, "IMAGEINVOKER_MENU_ROOT": "E", "IMAGEINVOKER_STORE_TIMEOUT": "3s"}
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	fs.String("config", "", "")
	addFlags(fs, "store-timeout", "menu-root", "menu-tag")
	if err := fs.Parse([]string{"--store-timeout", "4s"}); err != nil {
		t.Fatal(err)
	}
	c, err := Resolve(fs, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		key  string
		val  any
		from string
	}{
		{"menu.flat", true, "central file " + central + " line 4"},
		{"store.url", "sqlite:c.db", "central file " + central + " line 7"},
		{"menu.tag", "M", "media file " + media + " line 3"},
		{"menu.root", "E", "environment IMAGEINVOKER_MENU_ROOT"},
		{"store.timeout", "4s", "flag --store-timeout"},
		{"session.idle_timeout", "10m0s", "default"},
	}
	got := map[string]Value{}
	for _, v := range c.Effective() {
		got[v.Key] = v
	}
	for _, w := range want {
		v := got[w.key]
		if v.Value != w.val || v.Origin.String() != w.from {
			t.Errorf("%s = %v from %q, want %v from %q", w.key, v.Value, v.Origin, w.val, w.from)
		}
	}
}
