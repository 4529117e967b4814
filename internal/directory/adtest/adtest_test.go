package adtest_test

import (
	"os"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/directory/adtest"
)

func TestMain(m *testing.M) { os.Exit(adtest.Main(m)) }

func TestStart(t *testing.T) {
	dc := adtest.Start(t)
	t.Logf("DC %s provisioned in %v, started in %v, domain SID %s", dc.URL, dc.ProvisionTime, dc.StartTime, dc.DomainSID)
	if dc.DomainSID == "" || len(dc.Users) == 0 {
		t.Fatalf("DC not seeded: %+v", dc)
	}
	st, err := os.Stat(dc.Dir + "/tls/key.pem")
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}
}

func TestStartPair(t *testing.T) {
	lab, other := adtest.StartPair(t)
	t.Logf("OTHER %s provisioned in %v, started in %v, domain SID %s", other.URL, other.ProvisionTime, other.StartTime, other.DomainSID)
	if other.DomainSID == "" || other.DomainSID == lab.DomainSID || other.SIDs[adtest.UserOlga] == "" {
		t.Fatalf("OTHER not seeded: %+v", other)
	}
	if lab.SIDs[adtest.GroupGuestImagers] == "" {
		t.Fatalf("LAB's groups for OTHER not seeded: %v", lab.SIDs)
	}
}
