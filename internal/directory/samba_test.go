package directory_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/directory"
	"github.com/imageinvoker/imageinvoker/internal/directory/adtest"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

func TestMain(m *testing.M) { os.Exit(adtest.Main(m)) }

func sambaConfig(dc *adtest.DC, urls ...string) directory.Config {
	if len(urls) == 0 {
		urls = []string{dc.URL}
	}
	return directory.Config{DCs: urls, Domain: dc.Domain, DNSDomain: dc.DNSDomain, BaseDN: dc.BaseDN,
		CAFile: dc.CAFile, Timeout: 5 * time.Second, TotalTimeout: 20 * time.Second}
}

func signIn(t *testing.T, cfg directory.Config, user, password string) (*model.SignIn, error) {
	t.Helper()
	c, err := directory.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c.SignIn(context.Background(), user, password)
}

// Every refusal AD can give maps to its own error, with the DC's data code.
func TestSambaRefusals(t *testing.T) {
	dc := adtest.Start(t)
	pw := adtest.EdgePassword
	cases := []struct {
		name, user, password string
		want                 error
		code                 string
	}{
		{"wrong password", adtest.UserBadPassword, "not-the-password", model.ErrBadCredentials, "52e"},
		{"unknown user", "nosuchuser", "whatever-1", model.ErrBadCredentials, "52e"},
		{"disabled", adtest.UserDisabled, dc.Users[adtest.UserDisabled].Password, model.ErrDisabled, "533"},
		{"locked out", adtest.UserLocked, pw, model.ErrLockedOut, "775"},
		{"password expired", adtest.UserPasswordExpired, pw, model.ErrPasswordExpired, "532"},
		{"must change password", adtest.UserMustChange, pw, model.ErrMustChangePassword, "773"},
		{"account expired", adtest.UserAccountExpired, pw, model.ErrAccountExpired, "701"},
		{"logon hours", adtest.UserLogonHours, pw, model.ErrLogonHours, "530"},
		{"workstation", adtest.UserWorkstation, pw, model.ErrWorkstation, "531"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := signIn(t, sambaConfig(dc), tc.user, tc.password)
			if err == nil {
				t.Fatalf("signed in as %s; want %v", s.Identity.User, tc.want)
			}
			var de *directory.Error
			if !errors.As(err, &de) || !errors.Is(err, tc.want) {
				t.Fatalf("err = %v (%T); want %v", err, err, tc.want)
			}
			if de.Code != tc.code {
				t.Errorf("data code = %q; want %q (%v)", de.Code, tc.code, de.Err)
			}
			if de.Hint() == "" || strings.Contains(err.Error(), tc.password) {
				t.Errorf("error %q: want a next step and no password", err)
			}
		})
	}
}
