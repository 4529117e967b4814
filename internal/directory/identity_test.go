package directory_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/directory/adtest"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// The identity is the account that bound, as the DC says ("Who am I?"),
// never a search on the typed name (issue 9, attack 2).
func TestSambaIdentityIsWhoBound(t *testing.T) {
	dc := adtest.Start(t)
	dave := dc.Users["dave"]
	victimSID := func(t *testing.T) string {
		s, err := signIn(t, sambaConfig(dc), adtest.UserVictim, adtest.EdgePassword)
		if err != nil {
			t.Fatalf("victim signs in: %v", err)
		}
		return s.Identity.SID
	}(t)

	t.Run("another domain typed", func(t *testing.T) {
		s, err := signIn(t, sambaConfig(dc), `EVIL\dave`, dave.Password)
		if err == nil {
			t.Fatalf(`EVIL\dave signed in as %s (SID %s, groups %v); want a refusal`, s.Identity.User, s.Identity.SID, s.Identity.Groups)
		}
		if !errors.Is(err, model.ErrOtherDomain) || !strings.Contains(err.Error(), "EVIL") {
			t.Fatalf("err = %v; want ErrOtherDomain naming EVIL", err)
		}
	})

	t.Run("UPN of an account outside the base DN", func(t *testing.T) {
		cfg := sambaConfig(dc)
		cfg.BaseDN = "CN=Users," + dc.BaseDN
		s, err := signIn(t, cfg, adtest.OutsideUPN, adtest.EdgePassword)
		if err == nil {
			t.Fatalf("%s (owned by %s, outside %s) signed in as %s, SID %s (the victim's is %s), groups %v",
				adtest.OutsideUPN, adtest.UserOutside, cfg.BaseDN, s.Identity.User, s.Identity.SID, victimSID, s.Identity.Groups)
		}
		if !errors.Is(err, model.ErrUserNotFound) {
			t.Fatalf("err = %v; want ErrNotFound", err)
		}
	})

	t.Run("UPN read back is the bound account", func(t *testing.T) {
		s, err := signIn(t, sambaConfig(dc), adtest.OutsideUPN, adtest.EdgePassword)
		if err != nil {
			t.Fatalf("sign in with the whole domain as base: %v", err)
		}
		if s.Identity.User != dc.Domain+`\`+adtest.UserOutside || s.Identity.SID == victimSID {
			t.Fatalf("signed in as %s (SID %s); want %s\\%s, not the victim", s.Identity.User, s.Identity.SID, dc.Domain, adtest.UserOutside)
		}
	})
}
