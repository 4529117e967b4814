//go:build unix

package machine

import (
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// asNobody runs the test named name again in a child process as the user
// nobody, for what root cannot see: file permissions do not stop root, and
// CI runs as root. The child is this test binary, copied where nobody can
// run it, with the SMBIOS dumps beside it at the path the tests read them
// from; it must pass, not skip.
func asNobody(t *testing.T, name string) {
	t.Helper()
	u, err := user.Lookup("nobody")
	if err != nil {
		t.Fatalf("no user nobody to drop to: %v", err)
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	// t.TempDir's parent is private to root: the child gets its own tree.
	top, err := os.MkdirTemp("", "imageinvoker-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(top) })
	cwd, tmp := filepath.Join(top, "pkg", "machine"), filepath.Join(top, "tmp")
	for _, d := range []string{cwd, tmp, filepath.Join(top, "testdata", "smbios")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{top, filepath.Join(top, "pkg"), cwd, filepath.Join(top, "testdata"), filepath.Join(top, "testdata", "smbios")} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chown(tmp, int(uid), int(gid)); err != nil {
		t.Fatal(err)
	}
	copyFile(t, os.Args[0], filepath.Join(cwd, "machine.test"), 0o755)
	dumps, _ := filepath.Glob(filepath.Join(dumpDir, "*"))
	for _, d := range dumps {
		copyFile(t, d, filepath.Join(top, "testdata", "smbios", filepath.Base(d)), 0o644)
	}
	cmd := exec.Command(filepath.Join(cwd, "machine.test"), "-test.run=^"+name+"$", "-test.v", "-test.count=1")
	cmd.Dir = cwd
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + tmp, "TMPDIR=" + tmp}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: "+name) {
		t.Fatalf("%s as nobody (uid %d): %v\n%s", name, uid, err, out)
	}
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(to, mode); err != nil {
		t.Fatal(err)
	}
}
