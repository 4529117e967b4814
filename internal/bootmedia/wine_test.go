package bootmedia

import (
	"bytes"
	"debug/pe"
	bin "encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/testenv"
)

// wine is one Wine prefix ready to start this project's Windows binary.
type wine struct {
	// loader starts a Windows program: /usr/lib/wine/wine64 for 64-bit ones
	// (see wineLoader), the 32-bit loader for 32-bit ones.
	loader string
	env    []string
}

// cmd returns the command that runs a Windows program under this prefix.
func (w *wine) cmd(args ...string) *exec.Cmd {
	c := exec.Command(w.loader, args...)
	c.Env = w.env
	return c
}

// Debian's /usr/bin/wine prefers the 32-bit loader whenever wine32 is
// installed and only that one then hands 64-bit programs to wine64, so on a
// kernel that refuses 32-bit executables an installed wine32 would break the
// 64-bit tests too. Starting wine64 directly keeps them independent.
const debianWine64 = "/usr/lib/wine/wine64"

// debianWine32 is the 32-bit loader wine32:i386 installs.
const debianWine32 = "/usr/lib/wine/wine"

// wineLoader finds the loader for goarch, skipping (or failing in CI) when
// it is not installed, and skipping with the kernel's reason when the host
// cannot run 32-bit x86 programs at all.
func wineLoader(t *testing.T, goarch string) string {
	t.Helper()
	need(t, "wine")
	if goarch == "amd64" {
		if _, err := os.Stat(debianWine64); err == nil {
			return debianWine64
		}
		p, _ := exec.LookPath("wine")
		return p
	}
	// 32-bit Windows programs need Wine's i386 half (wine32, a multiarch
	// install), which needs a kernel that runs 32-bit x86 ELF programs.
	if err := canRunI386(t); err != nil && !errors.Is(err, syscall.ENOEXEC) {
		testenv.SkipOrFail(t, "the 32-bit x86 probe failed, and not with ENOEXEC (IA-32 off): %v", err)
	} else if err != nil {
		t.Skipf("this kernel cannot run 32-bit x86 programs (%v), so 32-bit Wine cannot start here: "+
			"IA-32 emulation is off (PVM/Firecracker guests report \"IA-32 emulation off\" in dmesg; elsewhere ia32_emulation=off or a kernel without CONFIG_IA32_EMULATION)", err)
	}
	if _, err := os.Stat(debianWine32); err != nil {
		if inCI() {
			t.Fatalf("wine32 (i386) is missing in CI although this kernel runs 32-bit programs: scripts/install-test-deps-bootmedia.sh should have installed it")
		}
		t.Skip("wine32 (i386) is not installed: windows/386 cannot start under this Wine; scripts/install-test-deps-bootmedia.sh installs it with CI=true or IMAGEINVOKER_TEST_WINE=1")
	}
	return debianWine32
}

// i386Exit0 is the smallest static 32-bit x86 Linux program: an ELF header,
// one PT_LOAD segment and `xor ebx,ebx; mov eax,1; int 0x80` (exit(0)).
// Running it asks the kernel itself whether 32-bit programs can run, which
// no file or package on the machine tells reliably.
func i386Exit0() []byte {
	const base, hdr = 0x08048000, 52 + 32
	code := []byte{0x31, 0xdb, 0xb8, 0x01, 0x00, 0x00, 0x00, 0xcd, 0x80}
	var b bytes.Buffer
	b.Write([]byte{0x7f, 'E', 'L', 'F', 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	le := func(v any) { _ = bin.Write(&b, bin.LittleEndian, v) }
	le(uint16(2))                                                             // ET_EXEC
	le(uint16(3))                                                             // EM_386
	le(uint32(1))                                                             // EV_CURRENT
	le(uint32(base + hdr))                                                    // entry
	le(uint32(52))                                                            // program headers follow the ELF header
	le(uint32(0))                                                             // no section headers
	le(uint32(0))                                                             // flags
	le([]uint16{52, 32, 1, 0, 0, 0})                                          // ehsize, phentsize, phnum, shentsize, shnum, shstrndx
	le([]uint32{1, 0, base, base})                                            // PT_LOAD from offset 0
	le([]uint32{hdr + uint32(len(code)), hdr + uint32(len(code)), 5, 0x1000}) // filesz, memsz, R+X, align
	b.Write(code)
	return b.Bytes()
}

func canRunI386(t *testing.T) error {
	p := filepath.Join(t.TempDir(), "i386-exit0")
	if err := os.WriteFile(p, i386Exit0(), 0o755); err != nil {
		t.Fatal(err)
	}
	err := exec.Command(p).Run()
	if errors.Is(err, syscall.ENOEXEC) {
		return fmt.Errorf("execve of a 32-bit ELF program: %w", syscall.ENOEXEC)
	}
	return err
}

// newWine prepares a throw-away Wine prefix that can start a Go 1.24+
// binary: Debian 12's Wine 8.0 lacks bcryptprimitives.dll!ProcessPrng, so
// the test builds testdata/bcryptprimitives.c with mingw into the prefix's
// system32. Real WinPE 10/11 ships that DLL; the stand-in only lets the rest
// of the binary be exercised here.
func newWine(t *testing.T, goarch string) *wine {
	t.Helper()
	loader := wineLoader(t, goarch)
	cc, dllDir := "x86_64-w64-mingw32-gcc", "system32"
	if goarch == "386" {
		cc, dllDir = "i686-w64-mingw32-gcc", "syswow64"
	}
	need(t, cc)
	prefix := t.TempDir()
	env := append(os.Environ(), "WINEPREFIX="+prefix, "WINEDEBUG=-all", "WINEDLLOVERRIDES=bcryptprimitives=n;mscoree,mshtml=")
	if loader == debianWine64 {
		// Programs Wine starts itself (wineboot's helpers) use WINELOADER.
		env = append(env, "WINELOADER="+debianWine64)
	}
	w := &wine{loader: loader, env: env}
	// Creating the prefix is Wine's slow first start; doing it once here keeps
	// it out of the commands under test.
	start := time.Now()
	if _, errOut, code := w.run(t, "", "wineboot.exe", "--init"); code != 0 {
		t.Fatalf("wineboot --init: exit %d\n%s", code, errOut)
	}
	t.Logf("wine prefix for windows/%s created in %s", goarch, time.Since(start).Round(time.Millisecond))
	// A wineserver that stays up makes each later start about a second
	// instead of four or five (it otherwise exits when the last program
	// does, and the next start boots it again).
	if ws, err := exec.LookPath("wineserver"); err == nil {
		// Started, not waited for: with -p the server stays in the
		// foreground of the process that starts it when a server for the
		// prefix is already up (wineboot's), and would never return.
		c := exec.Command(ws, "-p")
		c.Env = env
		if err := c.Start(); err != nil {
			t.Logf("wineserver -p: %v (each start stays slow)", err)
		} else {
			t.Cleanup(func() { _ = c.Wait() })
		}
		t.Cleanup(func() {
			k := exec.Command(ws, "-k")
			k.Env = env
			_ = k.Run()
		})
	}
	dll := filepath.Join(prefix, "drive_c", "windows", dllDir, "bcryptprimitives.dll")
	src, err := filepath.Abs(filepath.Join("testdata", "bcryptprimitives.c"))
	if err != nil {
		t.Fatal(err)
	}
	buildStandInDLL(t, cc, src, dll)
	return w
}

// buildStandInDLL compiles testdata/bcryptprimitives.c with the mingw
// compiler cc into out. -Wl,--kill-at: i686 mingw exports a WINAPI
// (stdcall) function as "ProcessPrng@8", and GetProcAddress("ProcessPrng"),
// which is what the Go runtime calls, finds nothing, so a windows/386
// binary jumps to address 0 at start-up. x86_64 has no such decoration;
// the flag changes nothing there.
func buildStandInDLL(t *testing.T, cc, src, out string) {
	t.Helper()
	if b, err := exec.Command(cc, "-shared", "-O2", "-s", "-Wl,--kill-at", "-o", out, src, "-ladvapi32").CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", cc, err, b)
	}
}

// peExports lists the names a PE DLL exports, read from its export
// directory.
func peExports(t *testing.T, path string) []string {
	t.Helper()
	f, err := pe.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var dir pe.DataDirectory
	switch h := f.OptionalHeader.(type) {
	case *pe.OptionalHeader32:
		dir = h.DataDirectory[pe.IMAGE_DIRECTORY_ENTRY_EXPORT]
	case *pe.OptionalHeader64:
		dir = h.DataDirectory[pe.IMAGE_DIRECTORY_ENTRY_EXPORT]
	default:
		t.Fatalf("%s: no optional header", path)
	}
	// read returns n bytes at the relative virtual address rva.
	read := func(rva, n uint32) []byte {
		for _, s := range f.Sections {
			if rva >= s.VirtualAddress && rva+n <= s.VirtualAddress+s.VirtualSize {
				b := make([]byte, n)
				if _, err := s.ReadAt(b, int64(rva-s.VirtualAddress)); err != nil {
					t.Fatalf("%s: reading rva %#x: %v", path, rva, err)
				}
				return b
			}
		}
		t.Fatalf("%s: rva %#x is in no section", path, rva)
		return nil
	}
	if dir.VirtualAddress == 0 {
		return nil
	}
	ed := read(dir.VirtualAddress, 40)
	count, names := bin.LittleEndian.Uint32(ed[24:]), bin.LittleEndian.Uint32(ed[32:])
	var out []string
	for i := range count {
		rva := bin.LittleEndian.Uint32(read(names+4*i, 4))
		var name []byte
		for c := read(rva, 1)[0]; c != 0; c = read(rva, 1)[0] {
			name = append(name, c)
			rva++
		}
		out = append(out, string(name))
	}
	return out
}

// TestStandInDLLExportsProcessPrng checks the stand-in DLL's export table
// with each mingw compiler present: the Go runtime looks up the undecorated
// name "ProcessPrng". It needs no Wine and no 32-bit kernel, so the cause of
// a windows/386 crash at PC=0 shows on any machine with i686 mingw.
func TestStandInDLLExportsProcessPrng(t *testing.T) {
	src, err := filepath.Abs(filepath.Join("testdata", "bcryptprimitives.c"))
	if err != nil {
		t.Fatal(err)
	}
	ran := 0
	for _, cc := range []string{"x86_64-w64-mingw32-gcc", "i686-w64-mingw32-gcc"} {
		if _, err := exec.LookPath(cc); err != nil {
			t.Logf("%s is not installed: not checked", cc)
			continue
		}
		ran++
		t.Run(cc, func(t *testing.T) {
			dll := filepath.Join(t.TempDir(), "bcryptprimitives.dll")
			buildStandInDLL(t, cc, src, dll)
			if got := peExports(t, dll); !slices.Equal(got, []string{"ProcessPrng"}) {
				t.Errorf("exports %q, want exactly [ProcessPrng] (undecorated: GetProcAddress finds nothing else)", got)
			}
		})
	}
	if ran == 0 {
		t.Skip("no mingw compiler installed (scripts/install-test-deps-bootmedia.sh installs them with CI=true or IMAGEINVOKER_TEST_WINE=1)")
	}
}

// run runs the Windows program exe with args under w; stdin may be "".
//
// Output goes to files, not pipes: the Wine services the first program
// starts (winedevice.exe) inherit its stdout and stderr and live as long as
// the wineserver, so a pipe would not reach its end when the program exits.
func (w *wine) run(t *testing.T, stdin, exe string, args ...string) (string, string, int) {
	t.Helper()
	c := w.cmd(append([]string{exe}, args...)...)
	c.Stdin = strings.NewReader(stdin)
	dir := t.TempDir()
	outF, err1 := os.Create(filepath.Join(dir, "stdout"))
	errF, err2 := os.Create(filepath.Join(dir, "stderr"))
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	defer outF.Close()
	defer errF.Close()
	c.Stdout, c.Stderr = outF, errF
	err := c.Run()
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("wine %s: %v", exe, err)
	}
	out, err1 := os.ReadFile(outF.Name())
	errOut, err2 := os.ReadFile(errF.Name())
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	return crlf(string(out)), crlf(string(errOut)), code
}

func crlf(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

// TestWindowsBinaryUnderWine runs the Windows builds as a technician and a
// script would on WinPE: one Wine prefix (one slow first start) per
// architecture, every check against the same build scripts/build.sh makes.
func TestWindowsBinaryUnderWine(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Wine (about 20 s per prefix); run without -short")
	}
	// Mostly waiting for Wine and the console: it runs beside the builds.
	t.Parallel()
	for _, goarch := range []string{"amd64", "386"} {
		t.Run("windows-"+goarch, func(t *testing.T) {
			began := time.Now()
			w := newWine(t, goarch)
			exe := binary(t, "windows", goarch)
			native := binary(t, "linux", "amd64")
			t.Cleanup(func() { t.Logf("windows/%s under Wine: %s in all", goarch, time.Since(began).Round(time.Millisecond)) })

			t.Run("version", func(t *testing.T) {
				stdout, stderr, code := w.run(t, "", exe, "version", "--json")
				if code != 0 {
					t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
				}
				var info struct{ Version, OS, Arch string }
				if err := json.Unmarshal([]byte(stdout), &info); err != nil {
					t.Fatalf("version --json is not JSON: %v\n%s", err, stdout)
				}
				if info.OS != "windows" || info.Arch != goarch {
					t.Errorf("reports %s/%s, want windows/%s", info.OS, info.Arch, goarch)
				}
				if info.Version == "" || info.Version == "dev" {
					t.Errorf("version %q: scripts/build.sh did not stamp it", info.Version)
				}
			})

			t.Run("bad flag exits 2", func(t *testing.T) {
				_, stderr, code := w.run(t, "", exe, "--no-such-flag")
				// The Go runtime also exits 2 when it dies at start-up, so the
				// message is what shows the program itself refused the flag.
				if code != 2 || !strings.Contains(stderr, "unknown flag: --no-such-flag") {
					t.Errorf("exit %d, want 2 (usage) with an unknown-flag message; stderr: %s", code, stderr)
				}
			})

			t.Run("menu --demo --json", func(t *testing.T) {
				// The embedded demo (SQLite store, in-process directory) must
				// give the same menu on Windows as on Linux: same data, same rules.
				args := []string{"menu", "--demo", "--as", `LAB\alice`, "--as-groups", `LAB\Imaging Techs,LAB\Techs`, "--json"}
				stdout, stderr, code := w.run(t, "", exe, args...)
				if code != 0 {
					t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
				}
				var got struct {
					Computer struct{ ID int64 }
					Jobs     []struct{ ID int64 }
				}
				if err := json.Unmarshal([]byte(stdout), &got); err != nil {
					t.Fatalf("menu --demo --json printed no JSON: %v\n%s", err, stdout)
				}
				if got.Computer.ID == 0 || len(got.Jobs) == 0 {
					t.Errorf("demo menu has no computer or no jobs: %s", stdout)
				}
				nout, nerr, ncode := run(t, nil, native, args...)
				if ncode != 0 {
					t.Fatalf("linux binary: exit %d: %s", ncode, nerr)
				}
				if stdout != nout {
					t.Errorf("windows and linux menus differ\nwindows:\n%s\nlinux:\n%s", stdout, nout)
				}
			})

			t.Run("machine --json", func(t *testing.T) {
				testMachineUnderWine(t, w, exe, native)
			})

			t.Run("run --demo queues", func(t *testing.T) {
				testRunUnderWine(t, w, exe, native)
			})

			t.Run("console in tmux", func(t *testing.T) {
				testConsoleUnderWine(t, w, exe)
			})
		})
	}
}

type machineJSON struct {
	Platform     string
	MACs         []string
	UUID         string
	Serial       string
	Manufacturer string
	Model        string
	NICs         []struct {
		Name, MAC, Reason string
		Used              bool
	}
	Warnings []string
}

// testMachineUnderWine reads the host through the Windows APIs Wine maps onto
// it (GetAdaptersAddresses for the NICs, GetSystemFirmwareTable('RSMB') for
// SMBIOS) and compares with the Linux binary's sysfs reading of the same host.
func testMachineUnderWine(t *testing.T, w *wine, exe, native string) {
	stdout, stderr, code := w.run(t, "", exe, "machine", "--json")
	if code != 0 {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	var win, lin machineJSON
	if err := json.Unmarshal([]byte(stdout), &win); err != nil {
		t.Fatalf("machine --json is not JSON: %v\n%s", err, stdout)
	}
	nout, nerr, ncode := run(t, nil, native, "machine", "--json")
	if ncode != 0 {
		t.Fatalf("linux binary: exit %d: %s", ncode, nerr)
	}
	if err := json.Unmarshal([]byte(nout), &lin); err != nil {
		t.Fatal(err)
	}
	t.Logf("windows (Wine):\n%s\nlinux:\n%s", stdout, nout)
	if !strings.HasPrefix(win.Platform, "windows/") {
		t.Errorf("platform %q, want windows/...", win.Platform)
	}
	listed := func(m machineJSON) []string {
		var macs []string
		for _, n := range m.NICs {
			if n.MAC != "" {
				macs = append(macs, n.MAC)
			}
		}
		slices.Sort(macs)
		return slices.Compact(macs)
	}
	// Every interface with a MAC: Wine lists the host's interfaces through
	// GetAdaptersAddresses, so the same MACs must come back through the
	// Windows path as through sysfs.
	if lw, ll := listed(win), listed(lin); !slices.Equal(lw, ll) {
		t.Errorf("interfaces' MACs differ\nwindows: %q\nlinux:   %q", lw, ll)
	}
	// The MACs used for matching: everything Linux uses, Windows must use.
	// Windows may use more, because Wine reports every non-loopback Linux
	// interface (bridges, veth, ifb) as Ethernet (ifType 6), so the Windows
	// reader cannot tell them apart here; on WinPE they have their own types.
	if len(lin.MACs) == 0 {
		// A container's eth0 is a veth: Linux uses none of its NICs, and only
		// the listing above can be compared.
		t.Logf("the linux binary uses no MAC on this host (a container?): only the listed MACs were compared")
	}
	if len(listed(lin)) == 0 {
		t.Errorf("no interface with a MAC on this host: the comparison above proved nothing")
	}
	for _, m := range lin.MACs {
		if !slices.Contains(win.MACs, m) {
			t.Errorf("MAC %s is used on Linux but not by the Windows binary (windows: %q)", m, win.MACs)
		}
	}
	// Wine builds its SMBIOS table from /sys/class/dmi/id, the same facts the
	// Linux binary decodes from the raw table: strings must agree when Linux
	// could read them (root, a host with DMI).
	for _, f := range []struct{ name, lin, win string }{
		{"serial", lin.Serial, win.Serial}, {"manufacturer", lin.Manufacturer, win.Manufacturer}, {"model", lin.Model, win.Model},
	} {
		if f.lin != "" && f.lin != f.win {
			t.Errorf("%s: linux %q, windows %q", f.name, f.lin, f.win)
		}
	}
	if win.UUID == "" {
		t.Errorf("no SMBIOS UUID through GetSystemFirmwareTable('RSMB') (warnings %q)", win.Warnings)
	}
}

// testRunUnderWine queues a job on the embedded demo the way a script on
// WinPE would, and compares the JSON with the Linux binary's.
func testRunUnderWine(t *testing.T, w *wine, exe, native string) {
	args := []string{"run", "--demo", "--user", "alice", "--password-stdin", "--job", "Windows 11/Student Labs/Win11 Physics Lab", "--yes", "--json"}
	stdout, stderr, code := w.run(t, "alice-demo\n", exe, args...)
	if code != 0 {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	// The Linux binary on the same demo, as the reference.
	c := exec.Command(native, args...)
	c.Stdin = strings.NewReader("alice-demo\n")
	var nout, nerr bytes.Buffer
	c.Stdout, c.Stderr = &nout, &nerr
	if err := c.Run(); err != nil {
		t.Fatalf("linux binary: %v: %s", err, nerr.String())
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("run --json is not JSON: %v\n%s", err, stdout)
	}
	if id, _ := got["schedule_id"].(float64); id <= 0 {
		t.Errorf("no schedule id: %s", stdout)
	}
	if norm(t, stdout) != norm(t, nout.String()) {
		t.Errorf("windows and linux run --json differ (ids and times aside)\nwindows: %s\nlinux:   %s", stdout, nout.String())
	}
}

// norm blanks what differs between two runs on fresh demo stores: ids the
// store hands out and times.
func norm(t *testing.T, s string) string {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, s)
	}
	var walk func(m map[string]any)
	walk = func(m map[string]any) {
		for k, x := range m {
			switch {
			case k == "schedule_id" || strings.HasSuffix(k, "_at") || strings.Contains(k, "time"):
				m[k] = "-"
			default:
				if sub, ok := x.(map[string]any); ok {
					walk(sub)
				}
			}
		}
	}
	walk(v)
	b, _ := json.Marshal(v)
	return string(b)
}
