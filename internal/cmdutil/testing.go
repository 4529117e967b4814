package cmdutil

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/spf13/cobra"
)

// TestStreams are the buffers behind a test factory's streams.
type TestStreams struct {
	In, Out, Err *bytes.Buffer
}

// Test returns a factory for tests, as gh's iostreams.Test does: the
// streams are buffers (write stdin to In before running), no terminal,
// env is the whole environment, nothing is removed from the process's, and
// the machine has no IP address (so no site is chosen by address).
func Test(env map[string]string) (*Factory, *TestStreams) {
	ts := &TestStreams{In: &bytes.Buffer{}, Out: &bytes.Buffer{}, Err: &bytes.Buffer{}}
	f := &Factory{
		IO:       &IOStreams{In: ts.In, Out: ts.Out, Err: ts.Err},
		Getenv:   func(k string) string { return env[k] },
		Unsetenv: func(string) error { return nil },
		Addrs:    func() ([]netip.Addr, error) { return nil, nil },
		// No config at the default locations: a file the host has in
		// /etc/imageinvoker must not change a test.
		MediaPaths: []string{},
	}
	return f, ts
}

// TestRoot is sub under a root command as internal/app makes it, for tests
// of a subcommand that reads the root's persistent --config flag.
func TestRoot(sub *cobra.Command) *cobra.Command {
	r := &cobra.Command{Use: "imageinvoker", SilenceUsage: true, SilenceErrors: true}
	AddRootFlags(r.PersistentFlags())
	r.AddCommand(sub)
	return r
}

// Execute runs cmd with argv. Cobra's own usage and error printing goes
// nowhere: what a command prints goes to the factory's streams, and the
// error is returned.
func Execute(cmd *cobra.Command, argv ...string) error {
	if argv == nil {
		argv = []string{} // not nil: cobra would read the process's own arguments
	}
	cmd.SetArgs(argv)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	return cmd.Execute()
}

// NewCmdFunc is a command's constructor, as each command package's NewCmd.
type NewCmdFunc[O any] func(*Factory, func(context.Context, *O) error) *cobra.Command

// ArgvCase is one argv → Options test of a command: the first half of the
// command, with a runF that keeps the Options in place of run.
type ArgvCase[O any] struct {
	Name string
	Argv []string
	// Env is the whole environment; TTY says whether stdin is a terminal.
	Env map[string]string
	TTY bool
	// Want are the Options run must get, when no error is wanted: every
	// field a flag sets is compared, by name (Diff); the dependencies the
	// constructor sets (IO, Config, Build) are not.
	Want O
	// Config, when set, sets the settings the resolved configuration (the
	// Options' Config) must have, on a copy of it: a setting it changes is
	// a difference, named by its field.
	Config func(*config.Config)
	// WantErr is what the error says when one is wanted; Code, when not 0,
	// the exit code it must carry.
	WantErr string
	Code    int
	// Media, when set, is the body of a config file at the boot media's
	// default location ({media} in Argv and Env names a file beside it).
	Media string
}

// Try runs the case against newCmd and says what went wrong, nil when it
// held: a wanted error must stop the command before run.
func (c ArgvCase[O]) Try(newCmd NewCmdFunc[O]) error {
	f, _ := Test(c.Env)
	f.IO.InTTY = c.TTY
	if c.Media != "" {
		dir, err := os.MkdirTemp("", "imageinvoker-media-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		media := filepath.Join(dir, "imageinvoker.yaml")
		if err := os.WriteFile(media, []byte(c.Media), 0o600); err != nil {
			return err
		}
		f.MediaPaths = []string{media}
		c.Argv = slices.Clone(c.Argv)
		for i, a := range c.Argv {
			c.Argv[i] = strings.ReplaceAll(a, "{media}", dir)
		}
		env := map[string]string{}
		for k, v := range c.Env {
			env[k] = strings.ReplaceAll(v, "{media}", dir)
		}
		f.Getenv = func(k string) string { return env[k] }
	}
	var got *O
	cmd := newCmd(f, func(_ context.Context, o *O) error { got = o; return nil })
	AddRootFlags(cmd.PersistentFlags()) // the root's, as internal/app makes it
	err := Execute(cmd, c.Argv...)
	if c.WantErr != "" {
		if err == nil || !strings.Contains(err.Error(), c.WantErr) || (c.Code != 0 && exitcode.Of(err) != c.Code) {
			return fmt.Errorf("err = %v (exit %d); want exit %d saying %q", err, exitcode.Of(err), c.Code, c.WantErr)
		}
		if got != nil {
			return errors.New("run was reached")
		}
		return nil
	}
	if err != nil || got == nil {
		return fmt.Errorf("err = %v; run reached: %v", err, got != nil)
	}
	diffs := Diff(*got, c.Want)
	var cfg *config.Config
	if field := reflect.ValueOf(got).Elem().FieldByName("Config"); field.IsValid() {
		if cfg, _ = field.Interface().(*config.Config); cfg == nil {
			return errors.New("Config: nil, want the resolved configuration")
		}
	}
	if c.Config != nil {
		if cfg == nil {
			return errors.New("the Options have no Config to check")
		}
		want := copyExported(reflect.ValueOf(*cfg)).Interface().(config.Config)
		c.Config(&want)
		for _, d := range Diff(*cfg, want) {
			diffs = append(diffs, "Config."+d)
		}
	}
	if len(diffs) > 0 {
		return errors.New(strings.Join(diffs, "\n"))
	}
	return nil
}

// Diff names every field in which got differs from want, one line each
// ("Machine.Override.MACs: got [...], want [...]"). It compares what a flag
// or a setting can set: strings, numbers, bools, slices, maps, values such
// as netip.Addr, and structs of them at any depth; pointers, funcs,
// interfaces and unexported fields (a command's dependencies and a
// config's bookkeeping) are not.
func Diff[T any](got, want T) []string {
	var out []string
	diff("", reflect.ValueOf(got), reflect.ValueOf(want), &out)
	return out
}

func diff(path string, g, w reflect.Value, out *[]string) {
	switch g.Kind() {
	case reflect.Struct:
		if !hasExported(g.Type()) { // a value (netip.Addr, time.Time): compared whole
			break
		}
		for i := range g.NumField() {
			f := g.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			name := f.Name
			if path != "" {
				name = path + "." + f.Name
			}
			diff(name, g.Field(i), w.Field(i), out)
		}
		return
	case reflect.Pointer, reflect.Func, reflect.Interface, reflect.Chan, reflect.UnsafePointer:
		return
	}
	if gv, wv := g.Interface(), w.Interface(); !reflect.DeepEqual(gv, wv) {
		*out = append(*out, fmt.Sprintf("%s: got %#v, want %#v", path, gv, wv))
	}
}

// copyExported is v with its exported slices and maps (at any depth of
// exported struct fields) copied, so an edit of the copy in place (a
// list's element) cannot change v too; the rest is shared.
func copyExported(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Struct:
		out := reflect.New(v.Type()).Elem()
		out.Set(v)
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				out.Field(i).Set(copyExported(v.Field(i)))
			}
		}
		return out
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			out.Index(i).Set(copyExported(v.Index(i)))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			out.SetMapIndex(it.Key(), copyExported(it.Value()))
		}
		return out
	}
	return v
}

// hasExported says whether struct type t has an exported field.
func hasExported(t reflect.Type) bool {
	for i := range t.NumField() {
		if t.Field(i).IsExported() {
			return true
		}
	}
	return false
}

// TB is the part of testing.TB that WriteFile needs; cmdutil is built into
// the binary, so it does not import testing.
type TB interface {
	Helper()
	Fatal(args ...any)
}

// WriteFile writes body to dir/name, readable by its owner only as a
// config or password file should be, and returns the path; a failure ends
// the test.
func WriteFile(t TB, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
