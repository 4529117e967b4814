package config

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/config/*.golden from the current messages")

const configTestdata = "../../testdata/config"

// TestParseGolden pins the exact message an image builder sees for each
// kind of mistake: the key, the line, and what to write instead. A file
// that parses is recorded as "ok" so a config that should fail can't
// silently start passing.
func TestParseGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(configTestdata, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no fixtures in %s", configTestdata)
	}
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(strings.TrimSuffix(name, ".yaml"), func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			got := "ok\n"
			if _, perr := Parse(name, data); perr != nil {
				if !errors.Is(perr, ErrInvalid) {
					t.Errorf("Parse error does not wrap ErrInvalid (exit code 2): %v", perr)
				}
				got = perr.Error() + "\n"
			}
			golden := strings.TrimSuffix(file, ".yaml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/config -run TestParseGolden -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("message changed\n got: %s\nwant: %s(run with -update if the change is intended)", got, want)
			}
			if strings.HasPrefix(name, "ok-") != (got == "ok\n") {
				t.Errorf("fixtures named ok-* must parse and all others must fail; got %q", got)
			}
		})
	}
}
