package directory_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/directory/adtest"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// A foreign domain whose ForeignSecurityPrincipals search answers
// noSuchObject (here: a base_dn below the domain, where no such container
// is) added zero groups silently, so its denies were missed; it now fails
// the sign-in (exit 7) naming the domain.
func TestSambaForeignContainerMissingFailsClosed(t *testing.T) {
	lab, other := adtest.StartPair(t)
	cfg := pairConfig(lab, other)
	cfg.Domains[1].BaseDN = "OU=Domain Controllers,DC=" + strings.ReplaceAll(other.DNSDomain, ".", ",DC=")
	_, err := signIn(t, cfg, `LAB\alice`, lab.Users["alice"].Password)
	if !errors.Is(err, model.ErrForeignDomain) || !strings.Contains(err.Error(), "OTHER") || !strings.Contains(err.Error(), "noSuchObject") {
		t.Fatalf("err = %v; want ErrForeignDomain naming OTHER and the missing container", err)
	}
}
