package express_test

import (
	"context"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imageinvoker/imageinvoker/pkg/express"
	"github.com/imageinvoker/imageinvoker/pkg/express/expresstest"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// The red-team server of issue 20: it answers PRELOGIN with "encryption
// not supported". The default URL (no encrypt=) must refuse it before the
// LOGIN7 packet, which carries the password, is sent; so must
// technician (NTLM) sign-in.
func TestServerWithoutEncryptionGetsNoLogin(t *testing.T) {
	for _, tc := range []struct {
		name, url string
		opts      express.OpenOptions
	}{
		{"sql login", "sqlserver://sa:Pw-9876@%s?database=eXpress", express.OpenOptions{}},
		{"encrypt=true", "sqlserver://sa:Pw-9876@%s?database=eXpress&encrypt=true", express.OpenOptions{}},
		{"technician", "sqlserver://%s?database=eXpress", express.OpenOptions{NTLMUser: `LAB\tech1`, NTLMPassword: "Pw-9876"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := expresstest.StartFakeTDS(t, 2, nil)
			tc.opts.Timeout = 3 * time.Second
			err := openFails(t, strings.Replace(tc.url, "%s", srv.Addr, 1), tc.opts)
			clear, _, _ := srv.Seen()
			if expresstest.HasType(clear, expresstest.TDSLogin7) {
				t.Fatalf("a LOGIN7 packet reached the server in clear (packets %x); err = %v", clear, err)
			}
			if !expresstest.HasType(clear, expresstest.TDSPrelogin) {
				t.Fatalf("the server saw no PRELOGIN (packets %x): the test proves nothing", clear)
			}
			if !errors.Is(err, model.ErrStoreUnreachable) || !strings.Contains(err.Error(), "offers no encryption") {
				t.Errorf("err = %v, want the server refused as offering no encryption", err)
			}
		})
	}
}

// A server with a self-signed certificate: refused by default (the
// certificate is verified), accepted when store.tls_fingerprint pins that
// very certificate (and the LOGIN7 then travels inside TLS), refused when
// the pin is another certificate's.
func TestSQLServerCertificateVerified(t *testing.T) {
	cert, der := expresstest.SelfSigned(t, "127.0.0.1")
	other, otherDER := expresstest.SelfSigned(t, "127.0.0.1")
	_ = other
	url := func(srv *expresstest.FakeTDS) string {
		return "sqlserver://sa:Pw-9876@" + srv.Addr + "?database=eXpress"
	}

	t.Run("unknown CA refused", func(t *testing.T) {
		srv := expresstest.StartFakeTDS(t, 1, &cert)
		err := openFails(t, url(srv), express.OpenOptions{Timeout: 3 * time.Second})
		clear, inTLS, _ := srv.Seen()
		if expresstest.HasType(clear, expresstest.TDSLogin7) || len(inTLS) > 0 {
			t.Fatalf("a login reached a server whose certificate is not trusted: clear %x, in TLS %x", clear, inTLS)
		}
		if !strings.Contains(err.Error(), "store.ca_file") || !strings.Contains(err.Error(), "store.tls_fingerprint") {
			t.Errorf("err = %v, want the two ways to trust it", err)
		}
	})
	t.Run("ca_file trusts it", func(t *testing.T) {
		srv := expresstest.StartFakeTDS(t, 1, &cert)
		ca := filepath.Join(t.TempDir(), "sql-ca.pem")
		if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		_ = openFails(t, url(srv), express.OpenOptions{Timeout: 3 * time.Second, TLS: express.TLSOptions{CAFile: ca}})
		if _, inTLS, ok := srv.Seen(); !ok || !expresstest.HasType(inTLS, expresstest.TDSLogin7) {
			t.Fatalf("handshake %v, packets in TLS %x: want the login sent inside TLS", ok, inTLS)
		}
	})
	t.Run("pinned", func(t *testing.T) {
		srv := expresstest.StartFakeTDS(t, 1, &cert)
		_ = openFails(t, url(srv), express.OpenOptions{Timeout: 3 * time.Second, TLS: express.TLSOptions{Fingerprint: express.Fingerprint(der)}})
		if _, inTLS, ok := srv.Seen(); !ok || !expresstest.HasType(inTLS, expresstest.TDSLogin7) {
			t.Fatalf("handshake %v, packets in TLS %x: want the login sent inside TLS", ok, inTLS)
		}
	})
	t.Run("pin of another certificate", func(t *testing.T) {
		srv := expresstest.StartFakeTDS(t, 1, &cert)
		err := openFails(t, url(srv), express.OpenOptions{Timeout: 3 * time.Second, TLS: express.TLSOptions{Fingerprint: express.Fingerprint(otherDER)}})
		if _, inTLS, _ := srv.Seen(); len(inTLS) > 0 {
			t.Fatalf("a login reached a server whose certificate is not the pinned one: %x", inTLS)
		}
		if !strings.Contains(err.Error(), "store.tls_fingerprint pins") {
			t.Errorf("err = %v, want the pin named", err)
		}
	})
	t.Run("doctor reads the certificate without logging in", func(t *testing.T) {
		srv := expresstest.StartFakeTDS(t, 1, &cert)
		got, err := express.ServerCertificate(context.Background(), expresstest.URL(t, url(srv)), 3*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if express.Fingerprint(got.Raw) != express.Fingerprint(der) {
			t.Errorf("fingerprint %s, want %s", express.Fingerprint(got.Raw), express.Fingerprint(der))
		}
		if clear, inTLS, _ := srv.Seen(); expresstest.HasType(clear, expresstest.TDSLogin7) || len(inTLS) > 0 {
			t.Errorf("reading the certificate sent a login: clear %x, in TLS %x", clear, inTLS)
		}
	})
}

func TestInsecureTLS(t *testing.T) {
	for url, want := range map[string]string{
		"sqlserver://h/I?database=eXpress":                                          "",
		"sqlserver://h/I?database=eXpress&encrypt=true":                             "",
		"sqlserver://h/I?database=eXpress&encrypt=strict":                           "",
		"sqlserver://h/I?database=eXpress&encrypt=disable":                          "nothing is encrypted",
		"sqlserver://h/I?database=eXpress&encrypt=false":                            "only the login",
		"sqlserver://h/I?database=eXpress&encrypt=true&trustServerCertificate=true": "any server's certificate",
		"sqlserver://h/I?database=eXpress&TrustServerCertificate=true":              "any server's certificate",
		"sqlite:x.db": "",
	} {
		got := expresstest.URL(t, url).InsecureTLS()
		if (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("InsecureTLS(%s) = %q, want %q", url, got, want)
		}
	}
}
