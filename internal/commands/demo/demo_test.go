package demo

import (
	"context"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
)

// On boot media (a config file beside the binary) --store-dir from the
// kernel line (IMAGEINVOKER_ARGS="demo --store-dir /conf") would write the
// demo's database and CA file into the image's root: it is refused unless
// the config allows overrides, and nothing is run.
func TestStoreDirIsPolicyBesideAConfigFile(t *testing.T) {
	dir := t.TempDir()
	strict := cmdutil.WriteFile(t, dir, "strict.yaml", "menu:\n  root: ImageInvoker\n")
	open := cmdutil.WriteFile(t, dir, "open.yaml", "policy:\n  allow_overrides: true\n")
	for _, tt := range []struct {
		name    string
		argv    []string
		refused bool
	}{
		{"media config", []string{"--config", strict, "demo", "--store-dir", t.TempDir()}, true},
		{"media config allows overrides", []string{"--config", open, "demo", "--store-dir", t.TempDir()}, false},
		{"no config file", []string{"demo", "--store-dir", t.TempDir()}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := cmdutil.Test(nil)
			f.IO.InTTY, f.IO.OutTTY = true, true
			ran := false
			err := cmdutil.Execute(cmdutil.TestRoot(NewCmd(f, func(context.Context, *Options) error { ran = true; return nil })), tt.argv...)
			if tt.refused {
				if err == nil || !strings.Contains(err.Error(), "--store-dir writes files") || ran {
					t.Fatalf("err = %v, ran = %v; want --store-dir refused and nothing run", err, ran)
				}
				return
			}
			if err != nil || !ran {
				t.Fatalf("err = %v, ran = %v; want it run", err, ran)
			}
		})
	}
}
