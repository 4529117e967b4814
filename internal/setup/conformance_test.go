package setup_test

import (
	"context"
	"slices"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/demo"
	"github.com/imageinvoker/imageinvoker/internal/flow"
	"github.com/imageinvoker/imageinvoker/internal/flow/flowtest"
	"github.com/imageinvoker/imageinvoker/internal/setup"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// demoConfig is a config that Build pointed at a fresh demo store (and,
// with directory, the demo directory), as --demo does.
func demoConfig(t *testing.T, directory bool) *config.Config {
	t.Helper()
	cfg := config.Default()
	env, err := setup.Build(context.Background(), cfg, setup.Options{Demo: true, NeedDirectory: directory, DemoDir: t.TempDir()})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	t.Cleanup(env.Close)
	return env.Config
}

func demoFixture(t *testing.T) flowtest.Fixture {
	id, err := demo.IdentityFor("carol")
	if err != nil {
		t.Fatal(err)
	}
	return flowtest.Fixture{
		Known:             model.ComputerKey{By: model.MatchMAC, Values: []string{demo.ComputerMAC}},
		KnownID:           demo.ComputerID,
		Unknown:           model.ComputerKey{By: model.MatchMAC, Values: []string{"020000000099"}},
		Identity:          id,
		Options:           model.SnapshotOptions{RootFolder: demo.RootFolderName},
		JobID:             demo.JobBIOSUpdateDell,  // on carol's demo menu
		DeniedJobID:       demo.JobWin11PhysicsLab, // a candidate carol may not queue
		MissingJobID:      2999999,
		MissingScheduleID: 199999999,
		MissingComputerID: 5999999,
	}
}

// TestRegisteredImplementations runs the seams' conformance suite against
// every implementation setup.Registry carries, built by its registered
// factory on the demo: the eXpress store (reader and scheduler), the AD
// directory and DS's console accounts. An implementation registered
// without a run here fails the test.
func TestRegisteredImplementations(t *testing.T) {
	ctx := context.Background()
	reg := setup.Registry()
	fx := demoFixture(t)
	tested := map[string][]string{}

	openReader, err := reg.Reader(setup.Express)
	if err != nil {
		t.Fatal(err)
	}
	openScheduler, err := reg.Scheduler(setup.Express)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("reader "+setup.Express, func(t *testing.T) {
		flowtest.RunReader(t, func(t *testing.T) flow.Reader {
			r, err := openReader(ctx, demoConfig(t, false), nil)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}, fx)
	})
	tested["reader"] = append(tested["reader"], setup.Express)
	t.Run("scheduler "+setup.Express, func(t *testing.T) {
		flowtest.RunScheduler(t, func(t *testing.T) (flow.Reader, flow.Scheduler) {
			cfg := demoConfig(t, false)
			r, err := openReader(ctx, cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			s, err := openScheduler(ctx, cfg, r, nil)
			if err != nil {
				t.Fatal(err)
			}
			return r, s
		}, fx)
	})
	tested["scheduler"] = append(tested["scheduler"], setup.Express)

	cfg := demoConfig(t, true)
	newDirectory, err := reg.Identity(setup.ActiveDirectory)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("identity source "+setup.ActiveDirectory, func(t *testing.T) {
		src, err := newDirectory(cfg)
		if err != nil {
			t.Fatal(err)
		}
		var accounts []flowtest.Account
		for _, a := range demo.Accounts {
			if !a.Disabled {
				accounts = append(accounts, flowtest.Account{User: a.Sam, Password: a.Password, WantUser: demo.Domain + `\` + a.Sam})
			}
		}
		flowtest.RunIdentitySource(t, src, accounts, "no-such-user")
	})
	tested["identity source"] = append(tested["identity source"], setup.ActiveDirectory)

	consoleAccounts, err := reg.StoreIdentity(setup.ConsoleAccounts)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("store identity source "+setup.ConsoleAccounts, func(t *testing.T) {
		r, err := openReader(ctx, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		src, err := consoleAccounts(r)
		if err != nil {
			t.Fatal(err)
		}
		var accounts []flowtest.Account
		for _, a := range demo.DSAccounts {
			accounts = append(accounts, flowtest.Account{User: a.User(), Password: a.Password, WantUser: a.User()})
		}
		flowtest.RunIdentitySource(t, src, accounts, `.\nobody`)
	})
	tested["store identity source"] = append(tested["store identity source"], setup.ConsoleAccounts)

	for kind, names := range reg.Names() {
		for _, n := range names {
			if !slices.Contains(tested[kind], n) {
				t.Errorf("%s %q is registered but not run through the conformance suite here", kind, n)
			}
		}
	}
}
