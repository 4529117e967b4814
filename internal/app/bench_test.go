package app

import (
	"context"
	"testing"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/directory/adtest"
	"github.com/imageinvoker/imageinvoker/internal/flow"
	"github.com/imageinvoker/imageinvoker/internal/setup"
)

// benchSignInToMenu measures what a technician waits for between Enter on
// the sign-in screen and the menu: bind, groups, snapshot, decide, build.
func benchSignInToMenu(b *testing.B, cfg *config.Config, demo bool, user, password string, o flow.Override) {
	ctx := context.Background()
	env, err := setup.Build(ctx, cfg, setup.Options{Demo: demo, NeedDirectory: true})
	if err != nil {
		b.Fatal(err)
	}
	defer env.Close()
	var trips, stmts int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m, err := env.Flow.Identify(o)
		if err != nil {
			b.Fatal(err)
		}
		sess, err := env.Flow.SignIn(ctx, user, password)
		if err != nil {
			b.Fatal(err)
		}
		mm, err := env.Flow.LoadMenu(ctx, sess, m)
		if err != nil {
			b.Fatal(err)
		}
		trips, stmts = sess.SignIn.RoundTrips, mm.Snapshot.Statements
		_ = sess.Close()
	}
	b.ReportMetric(float64(trips), "ldap-requests/op")
	b.ReportMetric(float64(stmts), "sql-statements/op")
}

func BenchmarkSignInToMenuDemo(b *testing.B) {
	benchSignInToMenu(b, config.Default(), true, "alice", "alice-demo", setup.DemoOverride())
}

func BenchmarkSignInToMenuSamba(b *testing.B) {
	dc := adtest.Start(b)
	cfg := config.Default()
	cfg.Store.URL = labStore(b)
	cfg.Directory.DCs, cfg.Directory.CAFile = []string{dc.URL}, dc.CAFile
	cfg.Directory.Domain, cfg.Directory.DNSDomain = dc.Domain, dc.DNSDomain
	cfg.Directory.Timeout = 5 * time.Second
	benchSignInToMenu(b, cfg, false, "alice", dc.Users["alice"].Password, flow.Override{MACs: []string{"AABBCCDDEEFF"}})
}
