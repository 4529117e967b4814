package doctor_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/doctor"
	"github.com/imageinvoker/imageinvoker/internal/flow"
	"github.com/imageinvoker/imageinvoker/pkg/express"
	"github.com/imageinvoker/imageinvoker/pkg/express/expresstest"
)

// A SQL Server with a self-signed certificate: doctor's store check fails
// (the certificate is verified by default), and prints the certificate's
// fingerprint and the line to paste to pin it; reading it sends no login.
func TestDoctorPrintsSQLServerFingerprint(t *testing.T) {
	cert, der := expresstest.SelfSigned(t, "127.0.0.1")
	srv := expresstest.StartFakeTDS(t, 1, &cert)
	cfg := config.Default()
	cfg.Store.URL = "sqlserver://sa:Pw-9876@" + srv.Addr + "?database=eXpress"
	cfg.Store.Timeout = 3 * time.Second
	cfg.Directory.DCs = []string{"ldaps://127.0.0.1:1"}
	cfg.Directory.Timeout = 100 * time.Millisecond
	r := doctor.Run(context.Background(), doctor.Deps{Config: cfg})
	c, _ := r.Find("store")
	fp := express.Fingerprint(der)
	if c.Status != doctor.Fail || !strings.Contains(c.Detail, fp) || !strings.Contains(c.Fix, `tls_fingerprint: "`+fp+`"`) {
		t.Fatalf("store check = %+v; want a failure with the fingerprint %s and the line to paste", c, fp)
	}
	if clear, inTLS, _ := srv.Seen(); expresstest.HasType(clear, expresstest.TDSLogin7) || len(inTLS) > 0 {
		t.Errorf("doctor sent a login to an untrusted server: clear %x, in TLS %x", clear, inTLS)
	}
}

// An insecure store URL is labelled as such in doctor.
func TestDoctorLabelsInsecureStoreURL(t *testing.T) {
	srv := expresstest.StartFakeTDS(t, 2, nil)
	cfg := config.Default()
	cfg.Store.URL = "sqlserver://sa:Pw-9876@" + srv.Addr + "?database=eXpress&encrypt=disable"
	cfg.Store.Timeout = time.Second
	cfg.Directory.DCs = []string{"ldaps://127.0.0.1:1"}
	cfg.Directory.Timeout = 100 * time.Millisecond
	r := doctor.Run(context.Background(), doctor.Deps{Config: cfg})
	c, _ := r.Find("store")
	if !strings.Contains(c.Detail, "INSECURE: encrypt=disable") {
		t.Fatalf("store check = %+v; want it labelled insecure", c)
	}
}

// With DS console accounts on, doctor says how their passwords are checked:
// on SQLite (no procedure) by reading securityuser.password.
func TestDoctorSaysHowDSAccountsAreChecked(t *testing.T) {
	path := expresstest.NewFile(t, expresstest.Fixture(t, "basic.sql"))
	cfg := config.Default()
	cfg.Store.URL = "sqlite:" + path
	cfg.Directory.DSAccounts = true
	r := doctor.Run(context.Background(), doctor.Deps{Config: cfg, Override: flow.Override{MACs: []string{knownMAC}}})
	c, _ := r.Find("store")
	if !strings.Contains(c.Detail, "DS console accounts: checked by reading securityuser.password") {
		t.Fatalf("store check = %+v", c)
	}
}
