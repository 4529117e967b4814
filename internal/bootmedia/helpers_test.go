package bootmedia

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/testenv"
	"github.com/imageinvoker/imageinvoker/internal/tmuxtest"
)

// repoRoot is the module root, two levels up from this package.
func repoRoot(t testing.TB) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no go.mod at %s: %v", root, err)
	}
	return root
}

func inCI() bool { return testenv.CI() }

// need skips when a tool is missing, except in CI, where
// scripts/install-test-deps-bootmedia.sh must have installed it.
func need(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if inCI() {
				t.Fatalf("%s is missing in CI: run scripts/install-test-deps-bootmedia.sh", tool)
			}
			t.Skipf("%s is not installed (scripts/install-test-deps-bootmedia.sh installs it)", tool)
		}
	}
}

// tmpRoot holds what the tests of this process share (the checkout copy
// and the binaries built from it); TestMain removes it.
var tmpRoot string

// dist is the release build the tests run: each target of scripts/build.sh,
// built at most once per test process from one private copy of the
// checkout. TestBuildReproducible compares it with a second, full build
// from another copy, and the Wine and initrd tests run the same bytes, so a
// target is never built twice for the same check.
var dist struct {
	copyOnce sync.Once
	src      string // the private copy the binaries are built from
	head     string // its HEAD when copied
	copyErr  error

	mu      sync.Mutex
	targets map[string]*distTarget
}

type distTarget struct {
	once sync.Once
	path string
	err  error
}

// distSource is the private copy of the checkout the shared binaries are
// built from: a copy keeps them true while someone edits the tree. Outside
// a git checkout (an exported tree) there is nothing to copy by git's list,
// and the tree itself is built, as scripts/build.sh allows; head is then "".
func distSource(t testing.TB) (src, head string) {
	t.Helper()
	dist.copyOnce.Do(func() {
		root := repoRoot(t)
		h, err := gitHead(root)
		if err != nil {
			dist.src = root
			return
		}
		dist.src, dist.head = filepath.Join(tmpRoot, "checkout-a"), h
		dist.copyErr = copyCheckout(root, dist.src)
	})
	if dist.copyErr != nil {
		t.Fatalf("copying the checkout: %v", dist.copyErr)
	}
	return dist.src, dist.head
}

// binary returns the path of imageinvoker for goos/goarch as built by
// scripts/build.sh. IMAGEINVOKER_TEST_DIST names a directory of binaries
// built already (CI's release step, or a developer's dist/); otherwise the
// target is built once per test process into the shared dist. Builds of
// different targets may run at the same time; a second test asking for a
// target being built waits for that build.
func binary(t testing.TB, goos, goarch string) string {
	t.Helper()
	name := "imageinvoker-" + goos + "-" + goarch
	if goos == "windows" {
		name += ".exe"
	}
	if dir := os.Getenv("IMAGEINVOKER_TEST_DIST"); dir != "" {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("IMAGEINVOKER_TEST_DIST=%s has no %s: %v", dir, name, err)
		}
		return p
	}
	src, _ := distSource(t)
	dist.mu.Lock()
	if dist.targets == nil {
		dist.targets = map[string]*distTarget{}
	}
	target := goos + "/" + goarch
	b := dist.targets[target]
	if b == nil {
		b = &distTarget{}
		dist.targets[target] = b
	}
	dist.mu.Unlock()
	b.once.Do(func() {
		// A directory per target: build.sh also writes SHA256SUMS there.
		out := filepath.Join(tmpRoot, "dist-"+goos+"-"+goarch)
		cmd := exec.Command("bash", filepath.Join(src, "scripts", "build.sh"), "-o", out, target)
		// The commit's own date is stamped, as in a release; the budget is
		// TestBuildReproducible's to assert, so a binary over it still
		// serves the other tests.
		cmd.Env = append(os.Environ(), "SOURCE_DATE_EPOCH=", "IMAGEINVOKER_MAX_BYTES=0")
		if o, err := cmd.CombinedOutput(); err != nil {
			b.err = fmt.Errorf("scripts/build.sh %s: %v\n%s", target, err, o)
			return
		}
		b.path = filepath.Join(out, name)
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}

func TestMain(m *testing.M) { tmuxtest.Main(m, "imageinvoker-bootmedia-", &tmpRoot) }

// run runs a command and returns stdout, stderr and the exit code; it fails
// the test only when the command could not be started at all.
func run(t testing.TB, env []string, name string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(name, args...)
	if env != nil {
		cmd.Env = env
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return out.String(), errOut.String(), ee.ExitCode()
		}
		t.Fatalf("%s %s: %v", name, strings.Join(args, " "), err)
	}
	return out.String(), errOut.String(), 0
}

// cpioSegment is one newc archive found in an initrd, as the kernel finds
// them: each starts on a 4-byte boundary, NULs between archives are skipped.
type cpioSegment struct {
	Start, End int
	Names      []string
}

// splitNewc walks an uncompressed stream of concatenated newc archives the
// way the kernel's initramfs unpacker does, so the test checks what a
// booting kernel would see rather than what `cpio -i` (which stops at the
// first trailer) sees.
func splitNewc(data []byte) ([]cpioSegment, error) {
	var segs []cpioSegment
	pos := 0
	for pos < len(data) {
		if data[pos] == 0 {
			pos++
			continue
		}
		if pos%4 != 0 {
			return segs, fmt.Errorf("archive at offset %d is not 4-byte aligned: the kernel would reject it", pos)
		}
		seg := cpioSegment{Start: pos}
		for {
			if pos+110 > len(data) {
				return segs, fmt.Errorf("truncated header at offset %d", pos)
			}
			magic := string(data[pos : pos+6])
			if magic != "070701" && magic != "070702" {
				return segs, fmt.Errorf("no newc magic at offset %d (%q)", pos, magic)
			}
			field := func(i int) (int, error) {
				v, err := strconv.ParseUint(string(data[pos+6+8*i:pos+14+8*i]), 16, 32)
				return int(v), err
			}
			size, err1 := field(6)
			nameSize, err2 := field(11)
			if err1 != nil || err2 != nil || nameSize < 1 {
				return segs, fmt.Errorf("bad header at offset %d", pos)
			}
			nameStart := pos + 110
			if nameStart+nameSize > len(data) {
				return segs, fmt.Errorf("truncated name at offset %d", pos)
			}
			name := string(data[nameStart : nameStart+nameSize-1])
			dataStart := align4(nameStart + nameSize)
			pos = align4(dataStart + size)
			if pos > len(data) {
				return segs, fmt.Errorf("truncated data of %s", name)
			}
			if name == "TRAILER!!!" {
				break
			}
			seg.Names = append(seg.Names, name)
		}
		seg.End = pos
		segs = append(segs, seg)
	}
	return segs, nil
}

func align4(n int) int { return (n + 3) &^ 3 }
