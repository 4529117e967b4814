package run

import (
	"context"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/flow"
	"github.com/imageinvoker/imageinvoker/internal/flow/flowtest"
	"github.com/imageinvoker/imageinvoker/internal/secret"
	"github.com/imageinvoker/imageinvoker/internal/setup"
	"github.com/imageinvoker/imageinvoker/pkg/express/expresstest"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// fakeAD is the directory of TestRunRun: two accounts of the lab store's
// groups. It is held to the flow's contract for every identity source
// (TestFakeADContract), so run meets a fake that refuses as AD must.
type fakeAD struct{}

var fakeAccounts = map[string]model.SignIn{
	`LAB\bob`:  {Identity: model.Identity{User: `LAB\bob`, FullName: "Bob", Groups: []string{`LAB\Techs`}}, Authority: "fake-dc"},
	`LAB\root`: {Identity: model.Identity{User: `LAB\root`, FullName: "Root", Groups: []string{`LAB\DS Admins`}}, Authority: "fake-dc"},
}

func (fakeAD) SignIn(_ context.Context, user, password string) (*model.SignIn, error) {
	if password == "" {
		return nil, model.ErrEmptyPassword
	}
	s, ok := fakeAccounts[user]
	if !ok || password != strings.TrimPrefix(user, `LAB\`)+"-pw" {
		return nil, model.ErrBadCredentials
	}
	return &s, nil
}

func TestFakeADContract(t *testing.T) {
	flowtest.RunIdentitySource(t, fakeAD{}, []flowtest.Account{
		{User: `LAB\bob`, Password: "bob-pw", WantUser: `LAB\bob`},
		{User: `LAB\root`, Password: "root-pw", WantUser: `LAB\root`},
	}, `LAB\nobody`)
}

// fakeBuild is setup.Build over the real lab store, with fakeAD for AD.
func fakeBuild() setup.Builder {
	impl := setup.Real()
	impl.Directory = func(*config.Config) (flow.IdentitySource, error) { return fakeAD{}, nil }
	return impl.Builder()
}

// run itself, as cli/cli's TestCloseRun tests closeRun: the Options filled
// in directly, run called, and what it prints compared whole.
func TestRunRun(t *testing.T) {
	cases := []struct {
		name string
		// opts sets what the flags would; stdin is the password line, then
		// the answer to the prompt.
		opts    Options
		stdin   string
		wantOut string
		wantErr string
		// err is what run's error says; "" wants none.
		err string
	}{
		{name: "queue with --yes",
			opts:    Options{SignInFlags: signInAs(`LAB\bob`), Job: "Utilities/BIOS update", Yes: true},
			stdin:   "bob-pw\n",
			wantOut: "100000001\n",
			wantErr: "Queued \"BIOS update\" for PC-042 as LAB\\bob.\n"},
		{name: "--json",
			opts:    Options{SignInFlags: signInAs(`LAB\bob`), Job: "2000150", Yes: true, JSON: true},
			stdin:   "bob-pw\n",
			wantOut: `{"schedule_id":100000001,"already_queued":false,"job":{"id":2000150,"name":"Inventory","path":"","erases_disk":false},"computer":{"id":5000001,"name":"PC-042"},"user":"LAB\\bob"}` + "\n"},
		{name: "an erasing job: the prompt says so, and no is no",
			opts:    Options{SignInFlags: signInAs(`LAB\root`), Job: "Windows/Lab/Win11 Physics"},
			stdin:   "root-pw\nn\n",
			wantErr: "Queue \"Win11 Physics\" on PC-042? THIS ERASES THE DISK. [y/N] ",
			err:     "not confirmed: nothing was queued"},
		{name: "an erasing job with --yes: a warning",
			opts:    Options{SignInFlags: signInAs(`LAB\root`), Job: "2000133", Yes: true},
			stdin:   "root-pw\n",
			wantOut: "100000001\n",
			wantErr: "warning: \"Win11 Physics\" erases the disk of PC-042.\nQueued \"Win11 Physics\" for PC-042 as LAB\\root.\n"},
		{name: "not on this user's menu",
			opts:  Options{SignInFlags: signInAs(`LAB\bob`), Job: "2000133", Yes: true},
			stdin: "bob-pw\n",
			err:   "2000133"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := expresstest.LabFile(t)
			cfg := config.Default()
			cfg.Store.URL = "sqlite:" + path
			f, ts := cmdutil.Test(nil)
			ts.In.WriteString(tc.stdin)
			o := tc.opts
			o.IO, o.Config, o.Build = f.IO, cfg, fakeBuild()
			o.Machine.MACs = []string{"AA:BB:CC:DD:EE:FF"}
			o.Secret.In = ts.In
			err := run(context.Background(), &o)
			if tc.err == "" && err != nil || tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)) {
				t.Fatalf("err = %v; want %q\nstderr: %s", err, tc.err, ts.Err)
			}
			if got := ts.Out.String(); got != tc.wantOut {
				t.Errorf("stdout:\n%q\nwant:\n%q", got, tc.wantOut)
			}
			if got := ts.Err.String(); got != tc.wantErr {
				t.Errorf("stderr:\n%q\nwant:\n%q", got, tc.wantErr)
			}
		})
	}
}

func signInAs(user string) cmdutil.SignInFlags {
	return cmdutil.SignInFlags{User: user, Secret: secret.Options{Stdin: true}}
}
