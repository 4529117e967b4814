package tui

import (
	"fmt"
	"testing"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/config"
)

// The console's settings come from the config, its one source of defaults:
// each setting the config changes reaches the options, and the schedule is
// read back every config.PollEvery.
func TestOptionsFromConfig(t *testing.T) {
	cfg := config.Default()
	cfg.Session.IdleTimeout, cfg.Session.IdleAction = 3*time.Minute, config.IdleReboot
	cfg.Session.AfterQueue = config.AfterStay
	cfg.Session.StepTimeout, cfg.Machine.WaitRegistration = 7*time.Second, time.Minute
	cfg.Session.WatchTimeout = 9 * time.Minute
	cfg.Menu.TypeToConfirm = true
	cfg.Site, cfg.Label, cfg.Warnings = "north", "media v3", []string{"central file unreachable"}
	o := OptionsFrom(cfg)
	cases := []struct {
		name      string
		got, want any
	}{
		{"idle timeout", o.IdleTimeout, 3 * time.Minute},
		{"idle action", o.IdleAction, config.IdleReboot},
		{"after queue", o.AfterQueue, config.AfterStay},
		{"step timeout: step_timeout and wait_registration", o.StepTimeout, 67 * time.Second},
		{"watch timeout", o.WatchTimeout, 9 * time.Minute},
		{"poll", o.PollEvery, config.PollEvery},
		{"type to confirm", o.TypeToConfirm, true},
		{"site", o.Site, "north"},
		{"label", o.Label, "media v3"},
		{"warnings", fmt.Sprint(o.ConfigWarnings), "[central file unreachable]"},
		{"after-queue countdown", o.AfterQueueDelay, afterQueueDelay},
	}
	for _, tc := range cases {
		if tc.got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	o.ConfigWarnings[0] = "changed"
	if cfg.Warnings[0] != "central file unreachable" {
		t.Error("the options share the config's warnings")
	}
}
