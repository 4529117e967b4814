package bootmedia

import (
	"bytes"
	"crypto/sha256"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/testenv"
)

// makeInitrd builds a real small initrd: a newc archive, made by cpio, of a
// root with a static busybox as /bin/sh and an /init that says it ran.
func makeInitrd(t *testing.T, dir, compress string) string {
	t.Helper()
	busybox := "/bin/busybox"
	if _, err := os.Stat(busybox); err != nil {
		if inCI() {
			t.Fatal("busybox is missing in CI: run scripts/install-test-deps-bootmedia.sh")
		}
		t.Skip("no static /bin/busybox (apt-get install busybox-static, see scripts/install-test-deps-bootmedia.sh)")
	}
	root := filepath.Join(dir, "rootfs")
	for _, d := range []string{"bin", "proc", "sys", "dev"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(busybox)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "bin", "busybox"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, applet := range []string{"sh", "mount", "umount", "mkdir", "cat"} {
		if err := os.Symlink("busybox", filepath.Join(root, "bin", applet)); err != nil {
			t.Fatal(err)
		}
	}
	// It mentions the hook's path: a mention is not an injected archive.
	initScript := "#!/bin/sh\n# not /imageinvoker/init\necho \"original init ran with: $*\"\n"
	if err := os.WriteFile(filepath.Join(root, "init"), []byte(initScript), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", "-c", "find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet")
	cmd.Dir = root
	archive, err := cmd.Output()
	if err != nil {
		t.Fatalf("cpio -o: %v", err)
	}
	out := filepath.Join(dir, "initrd.img")
	if compress != "none" {
		c := exec.Command(compress, "-c")
		if compress == "xz" {
			c = exec.Command("xz", "-c", "--check=crc32")
		}
		c.Stdin = bytes.NewReader(archive)
		if archive, err = c.Output(); err != nil {
			t.Fatalf("%s: %v", compress, err)
		}
	}
	if err := os.WriteFile(out, archive, 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

func decompress(t *testing.T, compress, path string) []byte {
	t.Helper()
	if compress == "none" {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	out, err := exec.Command(compress, "-dc", path).Output()
	if err != nil {
		t.Fatalf("%s -dc %s: %v", compress, path, err)
	}
	return out
}

func sum(t *testing.T, path string) [32]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(data)
}

func TestInjectInitrd(t *testing.T) {
	// Mostly single-threaded compressors (zstd -19, xz): the cases run
	// beside each other, the builds and Wine.
	t.Parallel()
	need(t, "cpio", "gzip", "xz", "zstd")
	bin := binary(t, "linux", "amd64")
	root := repoRoot(t)
	script := filepath.Join(root, "scripts", "inject-initrd.sh")
	config := filepath.Join(root, "internal", "config", "sample.yaml")
	magic := map[string][]byte{
		"gzip": {0x1f, 0x8b}, "xz": {0xfd, '7', 'z', 'X', 'Z', 0}, "zstd": {0x28, 0xb5, 0x2f, 0xfd}, "none": []byte("070701"),
	}
	tests := []struct {
		name, original, flag, wantAdded string
	}{
		{"gzip initrd gets a gzip archive", "gzip", "", "gzip"},
		{"xz initrd gets an xz archive", "xz", "", "xz"},
		{"zstd initrd gets a zstd archive", "zstd", "", "zstd"},
		{"plain initrd gets a plain archive", "none", "", "none"},
		{"gzip initrd with --compress none", "gzip", "none", "none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			in := makeInitrd(t, dir, tt.original)
			ca := filepath.Join(dir, "lab-ca.pem")
			if err := os.WriteFile(ca, []byte("-----BEGIN CERTIFICATE-----\ntest\n-----END CERTIFICATE-----\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			before := sum(t, in)
			out := filepath.Join(dir, "initrd-imageinvoker.img")
			args := []string{script, "--initrd", in, "--binary", bin, "--config", config, "--ca-file", ca, "--output", out}
			if tt.flag != "" {
				args = append(args, "--compress", tt.flag)
			}
			if stdout, stderr, code := run(t, nil, "bash", args...); code != 0 {
				t.Fatalf("inject-initrd.sh exited %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
			}
			if sum(t, in) != before {
				t.Fatal("the input initrd was changed")
			}
			orig, _ := os.ReadFile(in)
			got, _ := os.ReadFile(out)
			if !bytes.HasPrefix(got, orig) {
				t.Fatal("the output does not start with the original initrd byte for byte")
			}
			added := bytes.TrimLeft(got[len(orig):], "\x00")
			if !bytes.HasPrefix(added, magic[tt.wantAdded]) {
				t.Fatalf("added archive starts % x, want %s magic", added[:min(8, len(added))], tt.wantAdded)
			}

			// Decompress as the kernel would: each compressed part on its own.
			var stream []byte
			stream = append(stream, decompress(t, tt.original, in)...)
			addedPath := filepath.Join(dir, "added")
			if err := os.WriteFile(addedPath, added, 0o644); err != nil {
				t.Fatal(err)
			}
			// A plain archive after a compressed one must start on a 4-byte boundary.
			if tt.wantAdded == "none" && (len(got)-len(added))%4 != 0 {
				t.Fatalf("plain archive appended at offset %d, not 4-byte aligned", len(got)-len(added))
			}
			addedCpio := decompress(t, tt.wantAdded, addedPath)
			stream = append(stream, make([]byte, (4-len(stream)%4)%4)...)
			stream = append(stream, addedCpio...)
			segs, err := splitNewc(stream)
			if err != nil {
				t.Fatalf("kernel-style walk: %v", err)
			}
			if len(segs) != 2 {
				t.Fatalf("found %d archives, want the original and the added one", len(segs))
			}
			if !slices.Contains(segs[0].Names, "init") || !slices.Contains(segs[0].Names, "bin/busybox") {
				t.Errorf("original archive lost its files: %v", segs[0].Names)
			}

			// cpio -t on the added archive lists exactly what the hook needs.
			list := exec.Command("cpio", "-t", "--quiet")
			list.Stdin = bytes.NewReader(addedCpio)
			listed, err := list.Output()
			if err != nil {
				t.Fatalf("cpio -t: %v", err)
			}
			names := strings.Fields(string(listed))
			for _, want := range []string{"imageinvoker/imageinvoker", "imageinvoker/imageinvoker.yaml", "imageinvoker/init", "imageinvoker/lab-ca.pem"} {
				if !slices.Contains(names, want) {
					t.Errorf("cpio -t of the added archive lacks %s: %v", want, names)
				}
			}

			// Unpack both archives in order, then boot the hook in a chroot.
			rootfs := filepath.Join(dir, "unpacked")
			if err := os.Mkdir(rootfs, 0o755); err != nil {
				t.Fatal(err)
			}
			for _, s := range segs {
				x := exec.Command("cpio", "-idmu", "--quiet", "--no-absolute-filenames")
				x.Dir, x.Stdin = rootfs, bytes.NewReader(stream[s.Start:s.End])
				if o, err := x.CombinedOutput(); err != nil {
					t.Fatalf("cpio -i: %v\n%s", err, o)
				}
			}
			wantBin, _ := os.ReadFile(bin)
			gotBin, _ := os.ReadFile(filepath.Join(rootfs, "imageinvoker", "imageinvoker"))
			if !bytes.Equal(wantBin, gotBin) {
				t.Error("unpacked binary differs from the one injected")
			}
			bootHook(t, rootfs)
		})
	}
}

// bootHook runs /imageinvoker/init inside the unpacked initrd, in a private
// mount namespace so the hook's proc/sysfs/devtmpfs mounts stay there, with
// the arguments a kernel command line would pass.
func bootHook(t *testing.T, rootfs string) {
	t.Helper()
	chroot, err := exec.LookPath("chroot")
	if err != nil {
		testenv.SkipOrFail(t, "no chroot to boot the hook in")
	}
	prefix := []string{"unshare", "-m", "--propagation", "private"}
	if os.Geteuid() != 0 {
		// A user namespace grants chroot and mount to a non-root user where the kernel allows it.
		prefix = []string{"unshare", "-r", "-m", "--propagation", "private"}
	}
	if _, _, code := run(t, nil, prefix[0], append(prefix[1:], "true")...); code != 0 {
		testenv.SkipOrFail(t, "%s is not permitted here; the hook was packed and listed but not booted", strings.Join(prefix, " "))
	}
	// IMAGEINVOKER_NEXT_INIT on the kernel line must not choose what runs
	// next (issue 20): the next init is fixed on the media.
	// GODEBUG from the kernel line must not reach the Go runtime (it can
	// weaken certificate checks: x509sha1=1); inittrace=1 makes a reached
	// runtime print "init <package> @" lines on stderr.
	env := []string{"IMAGEINVOKER_ARGS=version", "HOME=/", "IMAGEINVOKER_NEXT_INIT=/bin/cat", "GODEBUG=inittrace=1"}
	args := append(prefix[1:], chroot, rootfs, "/imageinvoker/init", "from-kernel")
	stdout, stderr, code := run(t, env, prefix[0], args...)
	if code != 0 {
		t.Fatalf("hook exited %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "imageinvoker ") || !strings.Contains(stdout, "linux/amd64") {
		t.Errorf("the hook did not run `imageinvoker version`; stdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
	if !strings.Contains(stdout, "original init ran with: from-kernel") {
		t.Errorf("the hook did not hand over to the original /init with its arguments; stdout:\n%s\nstderr:\n%s", stdout, stderr)
	}
	if regexp.MustCompile(`(?m)^init \S+ @`).MatchString(stderr) {
		t.Errorf("GODEBUG from the kernel line reached imageinvoker (inittrace lines on stderr):\n%s", stderr)
	}
	if !strings.Contains(stderr, "IMAGEINVOKER_NEXT_INIT from the kernel line is ignored") {
		t.Errorf("the hook did not say it ignored IMAGEINVOKER_NEXT_INIT; stderr:\n%s", stderr)
	}
	for _, m := range []string{"proc/self", "sys/class"} {
		if _, err := os.Stat(filepath.Join(rootfs, m)); err == nil {
			t.Errorf("%s is still mounted in the unpacked root after the hook", m)
		}
	}
}

// TestInjectInitrdSaysConfigUnchecked: a binary that cannot run on the build
// host (another architecture) cannot check the config; the script says so
// instead of passing it silently, and --host-binary checks it.
func TestInjectInitrdSaysConfigUnchecked(t *testing.T) {
	need(t, "cpio", "gzip")
	dir := t.TempDir()
	in := makeInitrd(t, dir, "gzip")
	host := binary(t, "linux", "amd64")
	script := filepath.Join(repoRoot(t), "scripts", "inject-initrd.sh")
	// A static ELF this machine cannot run: the header of an arm64 program.
	foreign := filepath.Join(dir, "imageinvoker-arm64")
	hdr := append([]byte{0x7f, 'E', 'L', 'F', 2, 1, 1, 0}, make([]byte, 8)...)
	hdr = append(hdr, 2, 0, 0xb7, 0) // ET_EXEC, EM_AARCH64
	if err := os.WriteFile(foreign, append(hdr, make([]byte, 100)...), 0o755); err != nil {
		t.Fatal(err)
	}
	badConfig := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(badConfig, []byte("menu:\n  flatt: true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := run(t, nil, "bash", script, "--initrd", in, "--binary", foreign, "--config", badConfig, "--output", filepath.Join(dir, "a.img"))
	if code != 0 || !strings.Contains(stderr, "NOT checked") || !strings.Contains(stderr, "--host-binary") {
		t.Errorf("exit %d, want 0 with a warning that the config went unchecked; stderr: %s", code, stderr)
	}
	_, stderr, code = run(t, nil, "bash", script, "--initrd", in, "--binary", foreign, "--host-binary", host, "--config", badConfig, "--output", filepath.Join(dir, "b.img"))
	if code != 2 || !strings.Contains(stderr, "not valid") {
		t.Errorf("with --host-binary: exit %d, want 2 (config not valid); stderr: %s", code, stderr)
	}
}

func TestInjectInitrdRefuses(t *testing.T) {
	need(t, "cpio", "gzip")
	dir := t.TempDir()
	in := makeInitrd(t, dir, "gzip")
	bin := binary(t, "linux", "amd64")
	script := filepath.Join(repoRoot(t), "scripts", "inject-initrd.sh")
	notELF := filepath.Join(dir, "imageinvoker.exe")
	if err := os.WriteFile(notELF, []byte("MZ\x90\x00 not an ELF"), 0o755); err != nil {
		t.Fatal(err)
	}
	notInitrd := filepath.Join(dir, "kernel.txt")
	if err := os.WriteFile(notInitrd, []byte("hello, not an initrd"), 0o644); err != nil {
		t.Fatal(err)
	}
	badConfig := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(badConfig, []byte("menu:\n  flatt: true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.img")
	// An initrd injected once, to inject again (issue 23: a second archive
	// only grew it, 7.2 MB to 13.5 MB).
	injected := filepath.Join(dir, "injected.img")
	if _, stderr, code := run(t, nil, "bash", script, "--initrd", in, "--binary", bin, "--output", injected); code != 0 {
		t.Fatalf("first injection: exit %d: %s", code, stderr)
	}
	plainIn := makeInitrd(t, filepath.Join(dir, "plain"), "none")
	plainInjected := filepath.Join(dir, "plain-injected.img")
	if _, stderr, code := run(t, nil, "bash", script, "--initrd", plainIn, "--binary", bin, "--output", plainInjected); code != 0 {
		t.Fatalf("first injection: exit %d: %s", code, stderr)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no --output", []string{"--initrd", in, "--binary", bin}, "--output"},
		{"no --initrd", []string{"--binary", bin, "--output", out}, "--initrd"},
		{"missing initrd", []string{"--initrd", filepath.Join(dir, "nope"), "--binary", bin, "--output", out}, "not a readable file"},
		{"windows binary", []string{"--initrd", in, "--binary", notELF, "--output", out}, "not a Linux ELF"},
		{"not an initrd", []string{"--initrd", notInitrd, "--binary", bin, "--output", out}, "is it an initrd"},
		{"bad --compress", []string{"--initrd", in, "--binary", bin, "--output", out, "--compress", "lzop"}, "--compress must be"},
		{"output dir missing", []string{"--initrd", in, "--binary", bin, "--output", filepath.Join(dir, "no", "out.img")}, "does not exist"},
		{"unknown flag", []string{"--initrd", in, "--binary", bin, "--output", out, "--force"}, "unknown argument"},
		{"invalid config", []string{"--initrd", in, "--binary", bin, "--output", out, "--config", badConfig}, "not valid"},
		{"injected before (gzip)", []string{"--initrd", injected, "--binary", bin, "--output", out}, "already holds an ImageInvoker archive"},
		{"injected before (plain)", []string{"--initrd", plainInjected, "--binary", bin, "--output", out}, "already holds an ImageInvoker archive"},
		{"relative --next-init", []string{"--initrd", in, "--binary", bin, "--output", out, "--next-init", "init"}, "absolute path"},
		{"--next-init with shell words", []string{"--initrd", in, "--binary", bin, "--output", out, "--next-init", "/init;sh"}, "only letters"},
	}
	before := sum(t, in)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := run(t, nil, "bash", append([]string{script}, tt.args...)...)
			if code != 2 {
				t.Errorf("exit code %d, want 2; stderr: %s", code, stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr %q does not say %q", stderr, tt.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("an output file was written despite the error")
			}
			if sum(t, in) != before {
				t.Error("the input initrd was changed")
			}
			if left, _ := filepath.Glob(filepath.Join(dir, ".inject-initrd.*")); len(left) > 0 {
				t.Errorf("temporary files left behind: %v", left)
			}
		})
	}
}
