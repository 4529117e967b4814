package run

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/internal/setup"
)

// A domain's bind_password_file is a secret of the boot media, and on the
// Linux initrd IMAGEINVOKER_ARGS reaches `run` and `rehearse`: naming it as
// --password-file would sign the technician in as the bind account with a
// password they never knew. Refused, unless the config file allows
// overrides (a script host).
func TestRunRefusesBindPasswordFile(t *testing.T) {
	dir := t.TempDir()
	bind := filepath.Join(dir, "bind.pw")
	if err := os.WriteFile(bind, []byte("s3cret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, rehearse := range []bool{false, true} {
		cfg := config.Default()
		cfg.Directory.Domains = []config.DomainConfig{{NetBIOS: "LAB2", DNS: "lab2.example", BindUser: `LAB2\svc-read`, BindPasswordFile: bind}}
		built := false
		f, _ := cmdutil.Test(nil)
		o := &Options{IO: f.IO, Config: cfg, Job: "7", Yes: true, Rehearse: rehearse,
			Build: func(context.Context, *config.Config, setup.Options) (*setup.Env, error) {
				built = true
				return nil, errors.New("not reached in this test")
			}}
		o.User = `LAB2\svc-read`
		o.Secret.File = filepath.Join(dir, ".", "bind.pw")
		err := run(context.Background(), o)
		if built || err == nil || !strings.Contains(err.Error(), "bind_password_file") {
			t.Fatalf("rehearse=%v: --password-file naming the bind password file: built=%v err=%v", rehearse, built, err)
		}
		if exitcode.Of(err) != exitcode.Usage {
			t.Errorf("exit %d, want %d", exitcode.Of(err), exitcode.Usage)
		}
		cfg.Policy.AllowOverrides = true
		built = false
		_ = run(context.Background(), o)
		if !built {
			t.Errorf("rehearse=%v: allow_overrides: the file should be taken", rehearse)
		}
	}
}
