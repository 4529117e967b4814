package bootmedia

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// wineEnv prepares a throw-away Wine prefix that can start a Go 1.24+
// binary: Debian 12's Wine 8.0 lacks bcryptprimitives.dll!ProcessPrng, so
// the test builds testdata/bcryptprimitives.c with mingw into the prefix's
// system32. Real WinPE 10/11 ships that DLL; the stand-in only lets the rest
// of the binary be exercised here.
func wineEnv(t *testing.T, goarch string) []string {
	t.Helper()
	need(t, "wine")
	cc, dllDir := "x86_64-w64-mingw32-gcc", "system32"
	if goarch == "386" {
		// 32-bit Windows programs need Wine's i386 half (wine32, a multiarch
		// install), and a 32-bit DLL in syswow64.
		if _, err := os.Stat("/usr/lib/wine/i386-windows"); err != nil {
			t.Skip("wine32 (i386) is not installed: windows/386 cannot start under this Wine; it needs `dpkg --add-architecture i386 && apt-get install wine32`")
		}
		cc, dllDir = "i686-w64-mingw32-gcc", "syswow64"
	}
	need(t, cc)
	prefix := t.TempDir()
	env := append(os.Environ(), "WINEPREFIX="+prefix, "WINEDEBUG=-all", "WINEDLLOVERRIDES=bcryptprimitives=n;mscoree,mshtml=")
	// Creating the prefix is Wine's slow first start; doing it once here keeps
	// it out of the commands under test.
	boot := exec.Command("wineboot", "--init")
	boot.Env = env
	if out, err := boot.CombinedOutput(); err != nil {
		t.Fatalf("wineboot --init: %v\n%s", err, out)
	}
	dll := filepath.Join(prefix, "drive_c", "windows", dllDir, "bcryptprimitives.dll")
	src, err := filepath.Abs(filepath.Join("testdata", "bcryptprimitives.c"))
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(cc, "-shared", "-O2", "-s", "-o", dll, src, "-ladvapi32").CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", cc, err, out)
	}
	return env
}

func TestWindowsBinaryUnderWine(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Wine (about 20 s per prefix); run without -short")
	}
	for _, goarch := range []string{"amd64", "386"} {
		t.Run("windows-"+goarch, func(t *testing.T) {
			env := wineEnv(t, goarch)
			exe := binary(t, "windows", goarch)

			t.Run("version", func(t *testing.T) {
				stdout, stderr, code := run(t, env, "wine", exe, "version", "--json")
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
				_, stderr, code := run(t, env, "wine", exe, "--no-such-flag")
				// The Go runtime also exits 2 when it dies at start-up, so the
				// message is what shows the program itself refused the flag.
				if code != 2 || !strings.Contains(stderr, "unknown flag: --no-such-flag") {
					t.Errorf("exit %d, want 2 (usage) with an unknown-flag message; stderr: %s", code, stderr)
				}
			})

			t.Run("menu --demo --json", func(t *testing.T) {
				if _, _, code := run(t, env, "wine", exe, "menu", "--help"); code != 0 {
					t.Skip("this build has no menu command yet")
				}
				// The embedded demo (SQLite store, in-process directory) must
				// give the same menu on Windows as on Linux: same data, same rules.
				args := []string{"menu", "--demo", "--as", `LAB\alice`, "--as-groups", `LAB\Imaging Techs,LAB\Techs`, "--json"}
				stdout, stderr, code := run(t, env, "wine", append([]string{exe}, args...)...)
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
				native, nerr, ncode := run(t, nil, binary(t, "linux", "amd64"), args...)
				if ncode != 0 {
					t.Fatalf("linux binary: exit %d: %s", ncode, nerr)
				}
				if strings.ReplaceAll(stdout, "\r\n", "\n") != native {
					t.Errorf("windows and linux menus differ\nwindows:\n%s\nlinux:\n%s", stdout, native)
				}
			})
		})
	}
}
