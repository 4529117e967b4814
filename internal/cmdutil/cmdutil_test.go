package cmdutil

import (
	"encoding/json"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

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
