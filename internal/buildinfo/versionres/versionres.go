// Command versionres writes the Windows version resource of imageinvoker.exe
// as .syso object files (rsrc_windows_amd64.syso, rsrc_windows_386.syso) that
// the Go linker puts into the Windows builds only (the _windows_ARCH suffix).
// scripts/build.sh runs it before the Windows builds with the version it
// stamps into buildinfo, and removes the files afterwards, so Explorer's
// Properties > Details and PowerShell's (Get-Item X:\ImageInvoker\imageinvoker.exe).VersionInfo
// name the same build as `imageinvoker version`.
//
// The output depends on its arguments only (no time stamp), so release
// builds stay reproducible.
//
//	go run ./internal/buildinfo/versionres -version V -commit C -date D -o DIR
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"github.com/tc-hib/winres"
	"github.com/tc-hib/winres/version"
)

func main() {
	v := flag.String("version", "dev", "version (git describe)")
	commit := flag.String("commit", "unknown", "commit")
	date := flag.String("date", "unknown", "commit date")
	out := flag.String("o", ".", "directory of the .syso files (the main package's)")
	flag.Parse()
	if err := Write(*out, *v, *commit, *date); err != nil {
		fmt.Fprintln(os.Stderr, "versionres:", err)
		os.Exit(1)
	}
}

// Arches are the Windows architectures boot media needs, with their .syso names.
var Arches = map[string]winres.Arch{"amd64": winres.ArchAMD64, "386": winres.ArchI386}

// Write writes one .syso per architecture into dir.
func Write(dir, ver, commit, date string) error {
	for goarch, arch := range Arches {
		data, err := Object(ver, commit, date, arch)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "rsrc_windows_"+goarch+".syso"), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

var tagRE = regexp.MustCompile(`^v?(\d+\.\d+(?:\.\d+){0,2})(?:$|[^.\d])`)

// Object is the COFF object holding the version resource for arch.
func Object(ver, commit, date string, arch winres.Arch) ([]byte, error) {
	var vi version.Info
	// The numeric versions take a tag's numbers (v1.2.3-4-gabc ->
	// 1.2.3.0), 0.0.0.0 for an untagged build (a commit hash is no
	// number); the strings carry the whole of it.
	num := "0.0.0.0"
	if m := tagRE.FindStringSubmatch(ver); m != nil {
		num = m[1]
	}
	vi.SetFileVersion(num)
	vi.SetProductVersion(num)
	for k, val := range map[string]string{
		version.ProductName:      "ImageInvoker",
		version.FileDescription:  "ImageInvoker: self-service imaging for Altiris Deployment Server",
		version.ProductVersion:   ver,
		version.FileVersion:      ver,
		version.OriginalFilename: "imageinvoker.exe",
		version.InternalName:     "imageinvoker",
		version.Comments:         "commit " + commit + ", built " + date,
	} {
		if err := vi.Set(version.LangDefault, k, val); err != nil {
			return nil, err
		}
	}
	var rs winres.ResourceSet
	rs.SetVersionInfo(vi)
	var b bytes.Buffer
	if err := rs.WriteObject(&b, arch); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
