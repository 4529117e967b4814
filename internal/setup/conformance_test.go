package setup_test

import (
	"context"
	"reflect"
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
// every implementation setup.Real carries, on the demo: the eXpress store
// (reader and scheduler), the AD directory and DS's console accounts. A
// field of Backends without a run here fails the test.
func TestRegisteredImplementations(t *testing.T) {
	ctx := context.Background()
	impl := setup.Real()
	fx := demoFixture(t)
	tested := map[string]bool{}

	t.Run("reader", func(t *testing.T) {
		flowtest.RunReader(t, func(t *testing.T) flow.Reader {
			r, err := impl.OpenReader(ctx, demoConfig(t, false), nil)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}, fx)
	})
	tested["OpenReader"] = true
	t.Run("scheduler", func(t *testing.T) {
		flowtest.RunScheduler(t, func(t *testing.T) (flow.Reader, flow.Scheduler) {
			cfg := demoConfig(t, false)
			r, err := impl.OpenReader(ctx, cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			s, err := impl.OpenScheduler(ctx, cfg, r, nil)
			if err != nil {
				t.Fatal(err)
			}
			return r, s
		}, fx)
	})
	tested["OpenScheduler"] = true

	cfg := demoConfig(t, true)
	t.Run("identity source AD", func(t *testing.T) {
		src, err := impl.Directory(cfg)
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
	tested["Directory"] = true

	t.Run("identity source DS console accounts", func(t *testing.T) {
		r, err := impl.OpenReader(ctx, cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		src, err := impl.ConsoleAccounts(r)
		if err != nil {
			t.Fatal(err)
		}
		var accounts []flowtest.Account
		for _, a := range demo.DSAccounts {
			accounts = append(accounts, flowtest.Account{User: a.User(), Password: a.Password, WantUser: a.User()})
		}
		flowtest.RunIdentitySource(t, src, accounts, `.\nobody`)
	})
	tested["ConsoleAccounts"] = true

	for _, f := range reflect.VisibleFields(reflect.TypeFor[setup.Backends]()) {
		if !tested[f.Name] {
			t.Errorf("setup.Backends.%s is not run through the conformance suite here", f.Name)
		}
	}
}
