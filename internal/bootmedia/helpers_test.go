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

func inCI() bool { return os.Getenv("CI") != "" }

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

var (
	distMu    sync.Mutex
	distDir   string
	distBuilt = map[string]bool{}
)

// binary returns the path of imageinvoker for goos/goarch as built by
// scripts/build.sh. IMAGEINVOKER_TEST_DIST names a directory of binaries
// built already (CI's release step, or a developer's dist/); otherwise the
// script builds the target once per test process.
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
	distMu.Lock()
	defer distMu.Unlock()
	if distDir == "" {
		d, err := os.MkdirTemp("", "imageinvoker-dist-")
		if err != nil {
			t.Fatal(err)
		}
		distDir = d
	}
	target := goos + "/" + goarch
	if !distBuilt[target] {
		cmd := exec.Command("bash", filepath.Join(repoRoot(t), "scripts", "build.sh"), "-o", distDir, target)
		// These binaries serve tests of the scripts and of Windows start-up;
		// TestBuildReproducible is the one that holds the size budget.
		cmd.Env = append(os.Environ(), "IMAGEINVOKER_MAX_BYTES=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("scripts/build.sh %s: %v\n%s", target, err, out)
		}
		distBuilt[target] = true
	}
	return filepath.Join(distDir, name)
}

func TestMain(m *testing.M) {
	code := m.Run()
	if distDir != "" {
		os.RemoveAll(distDir)
	}
	os.Exit(code)
}

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
