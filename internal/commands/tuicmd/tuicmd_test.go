package tuicmd

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/spf13/cobra"
)

func TestWithoutATerminalIsAUsageError(t *testing.T) {
	cases := []struct {
		name          string
		inTTY, outTTY bool
	}{
		{"no terminal at all", false, false},
		{"output piped", true, false},
		{"input piped", false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, ts := cmdutil.Test(nil)
			f.IO.InTTY, f.IO.OutTTY = tc.inTTY, tc.outTTY
			cmd := &cobra.Command{Use: "imageinvoker"}
			Install(cmd, f, nil)
			err := cmd.RunE(cmd, nil)
			if exitcode.Of(err) != exitcode.Usage || !strings.Contains(err.Error(), "imageinvoker run") {
				t.Errorf("got %v (code %d), want a usage error pointing at `imageinvoker run`", err, exitcode.Of(err))
			}
			if ts.Out.Len()+ts.Err.Len() != 0 {
				t.Errorf("wrote to the terminal streams: %q %q", ts.Out, ts.Err)
			}
		})
	}
}

// The console applies the boot-media policy before it draws or connects
// (issue 9, attack 1): the kernel command line of Linux boot media becomes
// the environment, so IMAGEINVOKER_CONSOLE_SECURITY=off must not switch
// permissions off, and no flag may widen the menu or name the machine.
func TestConsoleBootMediaPolicy(t *testing.T) {
	dir := t.TempDir()
	cfgFile := cmdutil.WriteFile(t, dir, "imageinvoker.yaml", "store:\n  url: 'sqlite:"+filepath.Join(dir, "none.db")+"'\ndirectory:\n  dcs: [ldaps://127.0.0.1:1]\n  dns_domain: lab.example\n")
	cases := []struct {
		name string
		env  map[string]string
		args []string
		say  string
	}{
		{"console security off from the environment", map[string]string{"IMAGEINVOKER_CONSOLE_SECURITY": "off"}, nil, "store.console_security: off is refused"},
		{"console security off by flag", nil, []string{"--console-security", "off"}, "--console-security sets store.console_security"},
		{"menu root and computer id", nil, []string{"--menu-root", "Other", "--computer-id", "5000001"}, "--computer-id names the machine"},
		{"base DN from the environment", map[string]string{"IMAGEINVOKER_BASE_DN": "DC=evil"}, nil, "IMAGEINVOKER_BASE_DN sets directory.base_dn"},
		{"queue method by flag", nil, []string{"--queue-method", "procedure"}, "--queue-method sets store.queue"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"IMAGEINVOKER_CONFIG": cfgFile}
			for k, v := range tc.env {
				env[k] = v
			}
			f, ts := cmdutil.Test(env)
			f.IO.InTTY, f.IO.OutTTY = true, true
			cmd := &cobra.Command{Use: "imageinvoker"}
			cmd.PersistentFlags().String("config", "", "")
			Install(cmd, f, nil)
			if err := cmd.ParseFlags(tc.args); err != nil {
				t.Fatal(err)
			}
			err := cmd.RunE(cmd, nil)
			if !errors.Is(err, config.ErrInvalid) || !strings.Contains(err.Error(), tc.say) {
				t.Fatalf("got %v; want a configuration error saying %q", err, tc.say)
			}
			if ts.Out.Len()+ts.Err.Len() != 0 {
				t.Errorf("wrote to the terminal: %q %q", ts.Out, ts.Err)
			}
		})
	}
}

// First-start errors name the config file that was loaded, and a
// production console offers no --demo (issue 23).
func TestStartErrorNamesTheConfig(t *testing.T) {
	dir := t.TempDir()
	cfgFile := cmdutil.WriteFile(t, dir, "imageinvoker.yaml", "directory:\n  dns_domain: uni.edu\n")
	f, _ := cmdutil.Test(map[string]string{"IMAGEINVOKER_CONFIG": cfgFile, "IMAGEINVOKER_CONSOLE_SECURITY": "off"})
	f.IO.InTTY, f.IO.OutTTY = true, true
	cmd := &cobra.Command{Use: "imageinvoker"}
	cmd.PersistentFlags().String("config", "", "")
	Install(cmd, f, nil)
	err := cmd.RunE(cmd, nil)
	if !errors.Is(err, config.ErrInvalid) || !strings.Contains(err.Error(), "(config file: "+cfgFile+")") {
		t.Errorf("policy refusal: %v", err)
	}

	// No store: the console's own sentence, without --demo.
	f, _ = cmdutil.Test(map[string]string{"IMAGEINVOKER_CONFIG": cfgFile})
	f.IO.InTTY, f.IO.OutTTY = true, true
	cmd = &cobra.Command{Use: "imageinvoker"}
	cmd.PersistentFlags().String("config", "", "")
	Install(cmd, f, nil)
	err = cmd.RunE(cmd, nil)
	d := exitcode.Describe(err)
	if d.Code != exitcode.Usage || !strings.Contains(d.Msg, "no eXpress store configured") || !strings.Contains(d.Msg, cfgFile) {
		t.Errorf("no store: %+v", d)
	}
	if strings.Contains(d.Line(), "--demo") {
		t.Errorf("a production console offers --demo: %s", d.Line())
	}
	// The same error from a command that is not the console keeps it.
	if line := exitcode.Describe(startError(nil, true, errors.Unwrap(err))).Line(); !strings.Contains(line, "try --demo") {
		t.Errorf("the command line's advice lost --demo: %s", line)
	}
}
