package certs

import (
	"crypto/x509"
	"testing"
	"time"
)

// An issued certificate verifies against the CA's PEM for each of its hosts,
// names and addresses alike, and for no other host.
func TestIssueVerifies(t *testing.T) {
	now := time.Now()
	ca, err := NewCA("test CA", now.Add(-time.Hour), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Issue([]string{"dc1.lab.example", "127.0.0.1"}, now.Add(-time.Minute), now.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	if leaf.Subject.CommonName != "dc1.lab.example" || leaf.Issuer.CommonName != "test CA" {
		t.Errorf("subject %q issuer %q", leaf.Subject.CommonName, leaf.Issuer.CommonName)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca.PEM) {
		t.Fatal("the CA's PEM holds no certificate")
	}
	for host, ok := range map[string]bool{"dc1.lab.example": true, "127.0.0.1": true, "dc2.lab.example": false, "127.0.0.2": false} {
		_, err := leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: host})
		if (err == nil) != ok {
			t.Errorf("verify for %s: %v, want ok=%v", host, err, ok)
		}
	}
	other, err := NewCA("other CA", now.Add(-time.Hour), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	otherPool := x509.NewCertPool()
	otherPool.AppendCertsFromPEM(other.PEM)
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: otherPool, DNSName: "dc1.lab.example"}); err == nil {
		t.Error("verified against a CA that did not sign it")
	}
}
