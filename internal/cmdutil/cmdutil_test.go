package cmdutil

import (
	"context"
	"encoding/json"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/setup"
	"github.com/imageinvoker/imageinvoker/pkg/menu"
	"github.com/imageinvoker/imageinvoker/pkg/model"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// The demo rule, written once: the demo machine unless flags name another.
func TestTarget(t *testing.T) {
	var none MachineFlags
	if got := none.Target(true); !slices.Equal(got.MACs, setup.DemoOverride().MACs) {
		t.Errorf("demo without flags: %+v, want the demo machine", got)
	}
	if got := none.Target(false); len(got.MACs) != 0 || got.ComputerID != 0 {
		t.Errorf("no demo, no flags: %+v, want this machine (empty)", got)
	}
	named := MachineFlags{}
	fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
	named.Add(fs)
	if err := fs.Parse([]string{"--serial", "SN1", "--computer-id", "5000001"}); err != nil {
		t.Fatal(err)
	}
	for _, demo := range []bool{true, false} {
		if got := named.Target(demo); got.Serial != "SN1" || got.ComputerID != 5000001 || len(got.MACs) != 0 {
			t.Errorf("demo %v with flags: %+v, want what the flags name", demo, got)
		}
	}
	if got := named.Given(fs); !slices.Equal(got, []string{"serial", "computer-id"}) {
		t.Errorf("Given = %v", got)
	}
}

// The configuration is resolved once per invocation: a second call shares
// the first's, and its warnings are printed once.
func TestConfigResolvedOnce(t *testing.T) {
	file := filepath.Join(t.TempDir(), "imageinvoker.yaml")
	body := "store:\n  url: sqlite:x.db\nsites:\n  - name: lab\n    subnets: [10.1.0.0/16]\n"
	if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	f, ts := Test(map[string]string{"IMAGEINVOKER_CONFIG": file})
	f.Addrs = func() ([]netip.Addr, error) { return nil, errors.New("no interfaces") }
	cmd := &cobra.Command{Use: "x"}
	a, err := f.Config(cmd)
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.Config(cmd)
	if err != nil || a != b || a.Store.URL != "sqlite:x.db" {
		t.Errorf("second resolution %p (%v), first %p", b, err, a)
	}
	if n := strings.Count(ts.Err.String(), "could not read this machine's IP addresses"); n != 1 {
		t.Errorf("the warning was printed %d times: %q", n, ts.Err)
	}
}

// Diff names each field that differs, at any depth, and leaves the
// dependencies (pointers, funcs, interfaces) alone.
func TestDiff(t *testing.T) {
	type inner struct{ MACs []string }
	type opts struct {
		IO    *IOStreams
		Run   func() error
		In    any
		Name  string
		Inner inner
		hide  int
	}
	got := opts{IO: &IOStreams{}, Run: func() error { return nil }, In: 1, Name: "a", Inner: inner{MACs: []string{"x"}}, hide: 1}
	if d := Diff(got, opts{Name: "a", Inner: inner{MACs: []string{"x"}}}); len(d) != 0 {
		t.Errorf("equal flags: %v", d)
	}
	d := Diff(got, opts{Name: "b", Inner: inner{}})
	want := []string{`Name: got "a", want "b"`, `Inner.MACs: got []string{"x"}, want []string(nil)`}
	if !slices.Equal(d, want) {
		t.Errorf("Diff = %q, want %q", d, want)
	}
}

// What a flag or a setting can hold is compared, whatever its kind: a map
// (menu.folder_names) and a struct with no exported field (netip.Addr,
// time.Time) too. Skipping them silently let a wrong value pass an argv
// test's Want or Config.
func TestDiffComparesMapsAndOpaqueValues(t *testing.T) {
	type opts struct {
		Names map[int64]string
		Addr  netip.Addr
	}
	got := opts{Names: map[int64]string{1: "Labs"}, Addr: netip.MustParseAddr("192.0.2.1")}
	if d := Diff(got, opts{Names: map[int64]string{1: "Labs"}, Addr: netip.MustParseAddr("192.0.2.1")}); len(d) != 0 {
		t.Errorf("equal values: %v", d)
	}
	d := Diff(got, opts{Names: map[int64]string{1: "Staff"}, Addr: netip.MustParseAddr("192.0.2.2")})
	if len(d) != 2 || !strings.HasPrefix(d[0], "Names: ") || !strings.HasPrefix(d[1], "Addr: ") {
		t.Errorf("Diff = %q, want the map and the address named", d)
	}
}

// An ArgvCase's Config func edits a copy of the resolved configuration that
// shares nothing with it: one that sets a list's element in place (not a
// new list) is still a difference, not a change made to both sides.
func TestArgvConfigEditedInPlaceIsADifference(t *testing.T) {
	type opts struct{ Config *config.Config }
	newCmd := func(f *Factory, runF func(context.Context, *opts) error) *cobra.Command {
		o := &opts{}
		cmd := &cobra.Command{Use: "t", RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := f.Config(cmd)
			if err != nil {
				return err
			}
			o.Config = cfg
			return runF(cmd.Context(), o)
		}}
		config.AddGroups(cmd.Flags(), config.GroupDirectory)
		return cmd
	}
	same := ArgvCase[opts]{Argv: []string{"--dc", "ldaps://dc1"}, Config: func(c *config.Config) { c.Directory.DCs = []string{"ldaps://dc1"} }}
	if err := same.Try(newCmd); err != nil {
		t.Fatalf("the configuration as resolved: %v", err)
	}
	inPlace := ArgvCase[opts]{Argv: []string{"--dc", "ldaps://dc1"}, Config: func(c *config.Config) { c.Directory.DCs[0] = "ldaps://other" }}
	if err := inPlace.Try(newCmd); err == nil || !strings.Contains(err.Error(), "Config.Directory.DCs") {
		t.Errorf("a list element set in place passed: err = %v", err)
	}
}

// A job in every --json says whether it erases the disk: from the tasks
// and from the marker (menu.Entry.Effects).
func TestJobJSON(t *testing.T) {
	no := false
	for _, tc := range []struct {
		e    menu.Entry
		want string
	}{
		{menu.Entry{ID: 1, Name: "Wipe", MarkedErases: true}, `{"id":1,"name":"Wipe","path":"","erases_disk":true}`},
		{menu.Entry{ID: 2, Name: "Image", Path: "W", Job: &model.Job{Tasks: []model.Task{{Type: model.TaskImage, CreateImage: &no}}}}, `{"id":2,"name":"Image","path":"W","erases_disk":true}`},
		{menu.Entry{ID: 3, Name: "Inv", Job: &model.Job{Tasks: []model.Task{{Type: model.TaskInventory}}}}, `{"id":3,"name":"Inv","path":"","erases_disk":false}`},
	} {
		b, err := json.Marshal(JobOf(tc.e))
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != tc.want {
			t.Errorf("JSON %s, want %s", b, tc.want)
		}
	}
}
