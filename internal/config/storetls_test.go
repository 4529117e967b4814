package config

import (
	"path/filepath"
	"strings"
	"testing"
)

// An insecure SQL Server URL is labelled loudly wherever it is read, and on
// the console only the boot media's own file may carry it.
func TestInsecureStoreURLIsPolicy(t *testing.T) {
	const insecure = "sqlserver://ds1/SQLEXPRESS?database=eXpress&encrypt=disable"
	t.Run("media file: allowed, labelled", func(t *testing.T) {
		media := writeFile(t, t.TempDir(), FileName, "store:\n  url: "+insecure+"\n")
		c, err := Load(media)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Warnings) != 1 || !strings.HasPrefix(c.Warnings[0], "INSECURE: store.url") || !strings.Contains(c.Warnings[0], "encrypt=disable") {
			t.Errorf("warnings = %q, want the URL labelled insecure", c.Warnings)
		}
		if err := c.EnforcePolicy(nil); err != nil {
			t.Errorf("the media file may choose an insecure URL: %v", err)
		}
	})
	t.Run("central file: refused on the console", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, dir, "central.yaml", "store:\n  url: "+insecure+"\n")
		c, err := Load(writeFile(t, dir, FileName, "include: central.yaml\n"))
		if err != nil {
			t.Fatal(err)
		}
		if err := c.EnforcePolicy(nil); !isInvalid(err, "central file", "only the boot media's own config file") {
			t.Errorf("err = %v, want the central file's insecure URL refused", err)
		}
	})
	t.Run("central site: labelled and refused", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, dir, "central.yaml", "sites:\n  - name: north\n    subnets: [10.1.0.0/16]\n    store: {url: \"sqlserver://n/I?database=eXpress&trustServerCertificate=true\"}\n")
		c, err := Load(writeFile(t, dir, FileName, "include: central.yaml\nsite: north\n"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(strings.Join(c.Warnings, "\n"), "INSECURE: sites (north) store.url") {
			t.Errorf("warnings = %q", c.Warnings)
		}
		s, err := c.ForSite("north")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.EnforcePolicy(nil); !isInvalid(err, "site north", "trustServerCertificate=true") {
			t.Errorf("err = %v, want the site's insecure URL refused", err)
		}
	})
}

func TestStoreTLSSettings(t *testing.T) {
	dir := t.TempDir()
	fp := "sha256:" + strings.Repeat("ab:", 31) + "ab"
	c, err := Load(writeFile(t, dir, FileName, "store:\n  url: sqlserver://ds1/SQLEXPRESS?database=eXpress\n  ca_file: sql-ca.pem\n  tls_fingerprint: \""+fp+"\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if o := c.StoreTLS(); o.CAFile != filepath.Join(dir, "sql-ca.pem") || o.Fingerprint != fp {
		t.Errorf("StoreTLS = %+v", o)
	}
	if len(c.Warnings) != 0 {
		t.Errorf("a verified URL got warnings: %q", c.Warnings)
	}
	_, err = Load(writeFile(t, dir, "bad.yaml", "store:\n  tls_fingerprint: abc\n"))
	if !isInvalid(err, "line 2: store.tls_fingerprint is not a SHA-256 fingerprint") {
		t.Errorf("err = %v", err)
	}
}
