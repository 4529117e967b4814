package doctor_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/certs"
	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/doctor"
)

func quickDeps(cfg *config.Config, open error) doctor.Deps {
	return doctor.Deps{Config: cfg, Network: labNetwork, StoreSkip: map[bool]string{true: "", false: "not under test"}[open != nil],
		OpenStore: func(context.Context) (doctor.Store, error) { return nil, open }}
}

// A SQL Server that cannot be reached: the fix names the likely causes,
// the Browser first for an instance name; a refused login keeps its own.
func TestSQLCauses(t *testing.T) {
	cases := []struct {
		url, err string
		want     []string
		not      []string
	}{
		{"sqlserver://ds1.uni.edu/ALTIRIS?database=eXpress", "cannot reach SQL Server ds1.uni.edu\\ALTIRIS: no answer",
			[]string{"SQL Server Browser service (UDP 1434 on ds1.uni.edu)", "sqlserver://ds1.uni.edu:PORT?database=eXpress", "TCP/IP must be enabled", "SQL Express has it off by default", "firewall", "(and UDP 1434)"}, nil},
		{"sqlserver://ds1.uni.edu:1433?database=eXpress", "dial tcp 10.1.0.5:1433: connection refused",
			[]string{"TCP/IP must be enabled", "firewall"}, []string{"Browser", "UDP 1434"}},
		{"sqlserver://ds1.uni.edu:1433?database=eXpress", "Login failed for user 'LAB\\alice'", nil, []string{"Likely causes"}},
	}
	for _, tc := range cases {
		cfg := config.Default()
		cfg.Store.URL = tc.url
		r := doctor.Run(context.Background(), quickDeps(cfg, errors.New(tc.err)))
		c, ok := r.Find("store")
		if !ok || c.Status != doctor.Fail {
			t.Fatalf("%s: store check %+v", tc.url, c)
		}
		for _, w := range tc.want {
			if !strings.Contains(c.Fix, w) {
				t.Errorf("%s: fix lacks %q: %s", tc.url, w, c.Fix)
			}
		}
		for _, w := range tc.not {
			if strings.Contains(c.Fix, w) {
				t.Errorf("%s: fix has %q: %s", tc.url, w, c.Fix)
			}
		}
	}
}

// The CA file itself: missing, not PEM, its subjects and expiry.
func TestCAFileCheck(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	good, _ := certs.NewCA("Uni Root CA", now.Add(-time.Hour), now.Add(365*24*time.Hour))
	soon, _ := certs.NewCA("Old Root CA", now.Add(-time.Hour), now.Add(24*time.Hour))
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		file   string
		status doctor.Status
		say    string
	}{
		{write("good.pem", good.PEM), doctor.OK, `1 certificate(s): "Uni Root CA" valid until`},
		{write("two.pem", append(append([]byte{}, good.PEM...), soon.PEM...)), doctor.Warn, "expires within 30 days"},
		{write("der.cer", []byte{0x30, 0x82, 0x01}), doctor.Fail, "holds no PEM certificate"},
		{filepath.Join(dir, "missing.pem"), doctor.Fail, "cannot read"},
	}
	for _, tc := range cases {
		cfg := config.Default()
		cfg.Directory.CAFile = tc.file
		r := doctor.Run(context.Background(), quickDeps(cfg, nil))
		c, ok := r.Find("ca file")
		if !ok || c.Status != tc.status || !strings.Contains(c.Detail+" "+c.Fix, tc.say) {
			t.Errorf("%s: %+v; want %s saying %q", filepath.Base(tc.file), c, tc.status, tc.say)
		}
	}
}
