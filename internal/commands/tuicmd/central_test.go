package tuicmd

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
	"github.com/spf13/cobra"
)

// appearOnRead is the technician pressing Enter after the share came back:
// the central file exists once the console reads the key.
type appearOnRead struct {
	path, body string
	done       bool
}

func (a *appearOnRead) Read(p []byte) (int, error) {
	if a.done {
		return 0, errors.New("read twice")
	}
	a.done = true
	if err := os.WriteFile(a.path, []byte(a.body), 0o600); err != nil {
		return 0, err
	}
	p[0] = '\n'
	return 1, nil
}

// An unreachable central file stops the console on a clear screen with a
// retry; Enter reads the configuration again, q stops with exit 2.
func TestConsoleCentralUnreachableRetries(t *testing.T) {
	dir := t.TempDir()
	central := filepath.Join(dir, "central.yaml")
	media := cmdutil.WriteFile(t, dir, "imageinvoker.yaml", "include: "+central+"\n")
	console := func(in func(*cmdutil.Factory)) (*Options, string, error) {
		f, ts := cmdutil.Test(map[string]string{"IMAGEINVOKER_CONFIG": media})
		f.IO.InTTY, f.IO.OutTTY = true, true
		in(f)
		cmd := &cobra.Command{Use: "imageinvoker"}
		cmd.PersistentFlags().String("config", "", "")
		var got *Options
		Install(cmd, f, func(_ context.Context, o *Options) error { got = o; return nil })
		err := cmd.RunE(cmd, nil)
		return got, ts.Out.String(), err
	}

	t.Run("q stops with exit 2", func(t *testing.T) {
		got, out, err := console(func(f *cmdutil.Factory) { f.IO.In = strings.NewReader("\nq\n") })
		if got != nil || !errors.Is(err, config.ErrCentralUnreachable) || exitcode.Of(err) != exitcode.Usage {
			t.Fatalf("err = %v (exit %d), console started: %v", err, exitcode.Of(err), got != nil)
		}
		if n := strings.Count(out, "\x1b[2J"); n != 2 || strings.Count(out, "central settings could not be read") != 2 || !strings.Contains(out, "Press Enter to try again") {
			t.Errorf("want two cleared retry screens, got %d:\n%q", n, out)
		}
	})
	t.Run("Enter retries", func(t *testing.T) {
		got, out, err := console(func(f *cmdutil.Factory) {
			f.IO.In = &appearOnRead{path: central, body: "menu:\n  root: Central\n"}
		})
		if err != nil || got == nil || got.Config.Menu.Root != "Central" {
			t.Fatalf("err = %v; the console should start on the central settings once they are read", err)
		}
		if strings.Count(out, "\x1b[2J") != 1 {
			t.Errorf("want one retry screen: %q", out)
		}
	})
}
