package setup_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/demo"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/internal/setup"
	"github.com/imageinvoker/imageinvoker/pkg/express"
)

// --demo builds its flow from a new config: the caller's, store and
// directory included, is exactly as it was; the new one (env.Config, the
// flow's) names the demo store and directory.
func TestDemoLeavesTheCallersConfigAlone(t *testing.T) {
	// Built twice, not cloned: Clone shares the lists, so an edit of one in
	// place would show in both and compare equal.
	caller := func() *config.Config {
		cfg := config.Default()
		cfg.Store.URL, cfg.Store.Auth, cfg.Store.Queue = "sqlserver://ds1/ALTIRIS?database=eXpress", config.AuthTechnician, config.QueueProcedure
		cfg.Directory.DCs, cfg.Directory.Domain, cfg.Directory.DNSDomain = []string{"ldaps://dc1.uni.example"}, "UNI", "uni.example"
		cfg.Directory.CAFile, cfg.Directory.DSAccounts = "/etc/uni-ca.pem", false
		cfg.Directory.Domains = []config.DomainConfig{{NetBIOS: "UNI", DNS: "uni.example"}}
		return cfg
	}
	cfg, before := caller(), caller()
	env, err := setup.Build(context.Background(), cfg, setup.Options{Demo: true, NeedDirectory: true, DemoDir: t.TempDir()})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	defer env.Close()
	if !reflect.DeepEqual(cfg, before) {
		t.Errorf("Build --demo changed the caller's config:\n store %+v\n directory %+v\nwas\n store %+v\n directory %+v",
			cfg.Store, cfg.Directory, before.Store, before.Directory)
	}
	if env.Config == cfg || env.Flow.Config() != env.Config {
		t.Fatalf("env.Config %p, the flow's %p, the caller's %p: want a new config, the flow's", env.Config, env.Flow.Config(), cfg)
	}
	store, err := env.Config.Store.Location()
	if err != nil || store.Dialect != express.DialectSQLite || env.Config.Store.Auth != config.AuthURL || env.Config.Store.Queue != config.QueueInsert {
		t.Errorf("the demo config's store: %v (%v), auth %s, queue %s", store, err, env.Config.Store.Auth, env.Config.Store.Queue)
	}
	if d := env.Config.Directory; d.Domain != demo.Domain || len(d.Domains) != 0 || !d.DSAccounts || len(d.DCs) != 1 {
		t.Errorf("the demo config's directory: %+v", d)
	}
}

// A directory that cannot be set up is named once: "directory settings:"
// came twice, once from the directory client and once from Build.
func TestDirectorySettingsErrorSaysItOnce(t *testing.T) {
	cfg := config.Default()
	cfg.Store.URL = "sqlite:" + t.TempDir() + "/express.db"
	_, err := setup.Build(context.Background(), cfg, setup.Options{NeedDirectory: true})
	if err == nil || !strings.Contains(err.Error(), "directory settings: ") {
		t.Fatalf("Build without a directory: err = %v, want a directory settings error", err)
	}
	if n := strings.Count(err.Error(), "directory settings:"); n != 1 {
		t.Errorf("%q says \"directory settings:\" %d times", err, n)
	}
	if exitcode.Of(err) != exitcode.Usage {
		t.Errorf("exit %d, want %d", exitcode.Of(err), exitcode.Usage)
	}
}
