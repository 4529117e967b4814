package bootmedia

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// maxBinaryBytes is the boot-media size budget of each binary (the issue's
// hard requirement): WinPE holds X: in RAM and PXE fetches the boot image
// over TFTP on every boot.
const maxBinaryBytes = 16 << 20

var targets = []string{
	"imageinvoker-linux-386", "imageinvoker-linux-amd64", "imageinvoker-linux-arm64",
	"imageinvoker-windows-386.exe", "imageinvoker-windows-amd64.exe",
}

// copyCheckout copies the working tree (tracked files and untracked ones git
// does not ignore) and its .git into dst. Building from private copies keeps
// the test true while other people edit the tree, and building the two
// copies at different paths shows -trimpath keeps the checkout path out.
func copyCheckout(root, dst string) error {
	list, err := exec.Command("git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		return fmt.Errorf("git ls-files: %v", err)
	}
	for _, rel := range strings.Split(strings.TrimRight(string(list), "\x00"), "\x00") {
		src := filepath.Join(root, rel)
		st, err := os.Lstat(src)
		if err != nil || !st.Mode().IsRegular() {
			continue // deleted in the working tree, or a symlink/submodule
		}
		data, err := os.ReadFile(src)
		if err != nil {
			return err
		}
		p := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, st.Mode().Perm()); err != nil {
			return err
		}
	}
	if out, err := exec.Command("cp", "-a", filepath.Join(root, ".git"), filepath.Join(dst, ".git")).CombinedOutput(); err != nil {
		return fmt.Errorf("copy .git: %v\n%s", err, out)
	}
	return nil
}

// TestBuildReproducible builds every target twice from two copies of the
// checkout at different paths and wants the same bytes. The first build is
// the shared dist (binary), which the Wine and initrd tests run too; the
// second is one run of scripts/build.sh for all targets, whose SHA256SUMS
// must list exactly the first build's sums.
//
// What it shows depends on the build cache. By default the second build
// shares it (-trimpath makes the two paths' packages one cache entry), so
// it reuses the compiled packages and links anew: it shows that linking
// and stamping are reproducible, not compiling. With
// IMAGEINVOKER_TEST_COLD_CACHE=1 the second build gets a fresh GOCACHE and
// recompiles everything (several more minutes on 2 cores): then it shows
// the whole build is. The log says which one ran.
func TestBuildReproducible(t *testing.T) {
	if testing.Short() {
		t.Skip("builds all five targets twice (minutes on 2 cores); CI runs it without -short")
	}
	t.Parallel()
	need(t, "git", "sha256sum")
	root := repoRoot(t)
	srcA, head := distSource(t)
	if head == "" {
		t.Skip("not a git checkout: reproducibility is defined per commit")
	}
	srcB := filepath.Join(t.TempDir(), "checkout-b")
	if err := copyCheckout(root, srcB); err != nil {
		t.Fatal(err)
	}

	// Build A, one target at a time, in the order the other tests need them.
	built := map[string]string{}
	var sumsA strings.Builder
	for _, tgt := range buildOrder {
		built[tgt.name] = binary(t, tgt.goos, tgt.goarch)
	}
	for _, name := range slices.Sorted(maps.Keys(built)) {
		data, err := os.ReadFile(built[name])
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&sumsA, "%x  %s\n", sha256.Sum256(data), name)
	}

	outB := filepath.Join(srcB, "dist")
	cmd := exec.Command("bash", filepath.Join(srcB, "scripts", "build.sh"), "-o", outB)
	// The commit's own date must be used; the budget is asserted below,
	// so an oversized binary still gets its reproducibility checked.
	cmd.Env = append(os.Environ(), "SOURCE_DATE_EPOCH=", "IMAGEINVOKER_MAX_BYTES=0")
	if os.Getenv("IMAGEINVOKER_TEST_COLD_CACHE") == "1" {
		// With the shared build cache the second build reuses compiled
		// packages and only links anew; a fresh cache recompiles everything.
		cmd.Env = append(cmd.Env, "GOCACHE="+filepath.Join(t.TempDir(), "gocache"))
		t.Log("second build on a fresh GOCACHE: compiling and linking are compared")
	} else {
		t.Log("second build on the shared GOCACHE: only linking and stamping are compared (IMAGEINVOKER_TEST_COLD_CACHE=1 recompiles)")
	}
	if o, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scripts/build.sh in %s: %v\n%s", srcB, err, o)
	}
	data, err := os.ReadFile(filepath.Join(outB, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	sumsB := string(data)
	if sumsA.String() != sumsB {
		if now, err := gitHead(root); err == nil && now != head {
			// In a git worktree the copied .git is a pointer to the live HEAD and
			// index, so a commit while the builds ran stamps them differently.
			t.Fatalf("HEAD moved from %s to %s while the builds ran (a commit meanwhile): each build stamped another commit; run the test again", head, now)
		}
		t.Fatalf("two builds of the same commit differ:\n%s\n---\n%s", sumsA.String(), sumsB)
	}
	for _, name := range targets {
		if !strings.Contains(sumsB, "  "+name+"\n") {
			t.Errorf("SHA256SUMS lacks %s:\n%s", name, sumsB)
		}
	}

	for _, name := range targets {
		st, err := os.Stat(filepath.Join(outB, name))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%-32s %9d bytes (%.1f MiB)", name, st.Size(), float64(st.Size())/(1<<20))
		if st.Size() > maxBinaryBytes {
			t.Errorf("%s is %d bytes, over the %d-byte budget", name, st.Size(), maxBinaryBytes)
		}
	}

	// The stamp is the commit's, not the build machine's clock.
	stdout, stderr, code := run(t, nil, built["imageinvoker-linux-amd64"], "version", "--json")
	if code != 0 {
		t.Fatalf("version: exit %d: %s", code, stderr)
	}
	var info struct{ Version, Commit, Date string }
	if err := json.Unmarshal([]byte(stdout), &info); err != nil {
		t.Fatal(err)
	}
	git := func(args ...string) string {
		out, err := exec.Command("git", append([]string{"-C", srcA}, args...)...).Output()
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(out))
	}
	ct, err := time.Parse(time.RFC3339, git("log", "-1", "--format=%cI"))
	if err != nil {
		t.Fatal(err)
	}
	if want := git("describe", "--tags", "--always", "--dirty"); info.Version != want {
		t.Errorf("version %q, want git describe's %q", info.Version, want)
	}
	if want := git("rev-parse", "HEAD"); info.Commit != want {
		t.Errorf("commit %q, want %q", info.Commit, want)
	}
	if want := ct.UTC().Format("2006-01-02T15:04:05Z"); info.Date != want {
		t.Errorf("date %q, want the commit date %q", info.Date, want)
	}
}

// buildOrder is every target of scripts/build.sh, those the Wine and
// initrd tests run first, so they can start while the rest build.
var buildOrder = []struct{ goos, goarch, name string }{
	{"linux", "amd64", "imageinvoker-linux-amd64"},
	{"windows", "amd64", "imageinvoker-windows-amd64.exe"},
	{"windows", "386", "imageinvoker-windows-386.exe"},
	{"linux", "386", "imageinvoker-linux-386"},
	{"linux", "arm64", "imageinvoker-linux-arm64"},
}

func TestBuildScriptRefuses(t *testing.T) {
	script := filepath.Join(repoRoot(t), "scripts", "build.sh")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown option", []string{"--fast"}, "unknown option --fast"},
		{"target without arch", []string{"windows"}, "is not GOOS/GOARCH"},
		{"-o without a directory", []string{"-o"}, "needs a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := run(t, nil, "bash", append([]string{script}, tt.args...)...)
			if code != 2 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 saying %q", code, stderr, tt.want)
			}
		})
	}
	t.Run("help", func(t *testing.T) {
		stdout, _, code := run(t, nil, "bash", script, "--help")
		if code != 0 || !strings.Contains(stdout, "windows/amd64 windows/386 linux/amd64 linux/386 linux/arm64") {
			t.Errorf("exit %d, --help: %s", code, stdout)
		}
	})
}

// BenchmarkColdStartVersion is the time from exec to exit of `version`: what
// a technician waits for before anything can appear on the console.
func BenchmarkColdStartVersion(b *testing.B) {
	bin := binary(b, "linux", "amd64")
	for b.Loop() {
		if out, err := exec.Command(bin, "version").CombinedOutput(); err != nil {
			b.Fatalf("%v: %s", err, out)
		}
	}
}

func gitHead(root string) (string, error) {
	out, err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Output()
	if err != nil {
		return "", fmt.Errorf("git rev-parse HEAD: %v", err)
	}
	return strings.TrimSpace(string(out)), nil
}
