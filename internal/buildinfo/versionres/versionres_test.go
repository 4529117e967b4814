package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/tc-hib/winres"
	"github.com/tc-hib/winres/version"
)

// The .syso linked into a Windows build gives the exe a version resource
// naming the build, and the same arguments give the same bytes
// (reproducible builds).
func TestVersionResourceInWindowsExe(t *testing.T) {
	a, err := Object("v1.4.2-3-gabc", "abc123", "2026-12-07T00:00:00Z", winres.ArchAMD64)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Object("v1.4.2-3-gabc", "abc123", "2026-12-07T00:00:00Z", winres.ArchAMD64)
	if !bytes.Equal(a, b) {
		t.Error("two runs with the same arguments differ")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module x\n\ngo 1.21\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nfunc main() {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(dir, "v1.4.2-3-gabc", "abc123", "2026-12-07T00:00:00Z"); err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(dir, "x.exe")
	cmd := exec.Command("go", "build", "-o", exe, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0", "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	f, err := os.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rs, err := winres.LoadFromEXE(f)
	if err != nil {
		t.Fatal(err)
	}
	data := rs.Get(winres.RT_VERSION, winres.ID(1), version.LangDefault)
	if data == nil {
		t.Fatal("the exe has no version resource")
	}
	vi, err := version.FromBytes(data)
	if err != nil {
		t.Fatal(err)
	}
	if vi.FileVersion != [4]uint16{1, 4, 2, 0} {
		t.Errorf("file version %v", vi.FileVersion)
	}
	js, err := vi.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"ProductVersion":"v1.4.2-3-gabc"`, `"ProductName":"ImageInvoker"`, `"Comments":"commit abc123, built 2026-12-07T00:00:00Z"`} {
		if !bytes.Contains(js, []byte(want)) {
			t.Errorf("the version resource lacks %s: %s", want, js)
		}
	}
}

func TestNumericVersion(t *testing.T) {
	for ver, want := range map[string][4]uint16{"v1.4.2-3-gabc": {1, 4, 2, 0}, "5ef5030-dirty": {}, "2.1": {2, 1, 0, 0}, "dev": {}, "v10.0.1.7": {10, 0, 1, 7}} {
		data, err := Object(ver, "c", "d", winres.ArchI386)
		if err != nil {
			t.Fatal(err)
		}
		// The fixed version sits in the object as VS_FIXEDFILEINFO after
		// its signature 0xFEEF04BD; file version MS (minor, major) then LS.
		i := bytes.Index(data, []byte{0xBD, 0x04, 0xEF, 0xFE})
		if i < 0 {
			t.Fatalf("%s: no VS_FIXEDFILEINFO", ver)
		}
		f := data[i+8:]
		got := [4]uint16{le(f[2:]), le(f[0:]), le(f[6:]), le(f[4:])}
		if got != want {
			t.Errorf("%s: file version %v, want %v", ver, got, want)
		}
	}
}

func le(b []byte) uint16 { return uint16(b[0]) | uint16(b[1])<<8 }
