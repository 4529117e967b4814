package bootmedia

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// PowerShell and DISM cannot run here, so these tests read the WinPE
// scripts and check, statically, that the guards the issue asks for are
// there and in the right order. They do not prove the scripts run: they
// catch a guard being deleted or moved. Parsing is by regular expressions
// over comment-stripped text, not a PowerShell parser.

func readScript(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "winpe", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// stripPSComments drops <# #> blocks and # line comments (outside strings,
// roughly: a # preceded by whitespace or at line start), so a guard that
// only survives in a comment does not count.
func stripPSComments(src string) string {
	src = regexp.MustCompile(`(?s)<#.*?#>`).ReplaceAllString(src, "")
	return regexp.MustCompile(`(?m)(^|\s)#[^\n]*`).ReplaceAllString(src, "$1")
}

func TestAddImageInvokerPS1Guards(t *testing.T) {
	src := readScript(t, "Add-ImageInvoker.ps1")
	code := stripPSComments(src)
	pos := func(re string) int {
		loc := regexp.MustCompile(re).FindStringIndex(code)
		if loc == nil {
			return -1
		}
		return loc[0]
	}
	tests := []struct{ name, re string }{
		{"SupportsShouldProcess, so -WhatIf works", `\[CmdletBinding\(\s*SupportsShouldProcess`},
		{"ShouldProcess gates the changes", `\$PSCmdlet\.ShouldProcess\(`},
		{"admin check", `WindowsBuiltInRole\]::Administrator`},
		{"DISM presence check", `Get-Command\s+dism\.exe`},
		{"errors stop the script", `\$ErrorActionPreference\s*=\s*'Stop'`},
		{"mount", `'/Mount-Image'`},
		{"commit", `'/Unmount-Image'[^\n]*'/Commit'`},
		{"discard in finally", `(?s)finally\s*\{.*?&\s*\$script:Dism\s+/Unmount-Image\s+"/MountDir:\$MountDir"\s+/Discard`},
		{"DISM exit codes checked", `\$LASTEXITCODE\s+-ne\s+0`},
		{"mount dir must be empty", `Get-ChildItem\s+-LiteralPath\s+\$MountDir`},
		{"start line added after wpeinit", `wpeinit`},
		{"startnet made idempotent by a marker", `\$l\s+-eq\s+\$Marker`},
		{"keyboard layout via wpeutil", `wpeutil SetKeyboardLayout`},
		{"winpeshl.ini option", `winpeshl\.ini`},
		{"start choice restricted", `ValidateSet\('startnet',\s*'winpeshl'\)`},
		{"keyboard layout validated", `ValidatePattern\('\^\[0-9A-Fa-f\]\{4\}:\[0-9A-Fa-f\]\{8\}\$'\)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if pos(tt.re) < 0 {
				t.Errorf("Add-ImageInvoker.ps1 lacks %s (pattern %s) outside comments", tt.name, tt.re)
			}
		})
	}
	for _, p := range []string{"WimPath", "Index", "MountDir", "Binary", "Config", "CAFile", "Start", "KeyboardLayout"} {
		t.Run("parameter "+p, func(t *testing.T) {
			if pos(`\]\s*\$`+p+`\b`) < 0 {
				t.Errorf("no -%s parameter", p)
			}
		})
	}
	// The read-write mount: -Preview and -Inspect mount with '/ReadOnly'
	// (in a function defined earlier) and always discard.
	rwMount := `'/Mount-Image',[^\n]*"/MountDir:\$MountDir"\)`
	t.Run("read-only mount for -Preview and -Inspect, always discarded", func(t *testing.T) {
		if pos(`(?s)function Invoke-ReadOnlyMount.*?'/Mount-Image',[^\n]*'/ReadOnly'\).*?finally\s*\{\s*if \(\$script:roMounted\)\s*\{\s*&\s*\$script:Dism\s+/Unmount-Image\s+"/MountDir:\$MountDir"\s+/Discard`) < 0 {
			t.Error("Invoke-ReadOnlyMount does not mount /ReadOnly and discard in finally")
		}
	})
	t.Run("checks run before the mount", func(t *testing.T) {
		mount := pos(rwMount)
		for _, guard := range []string{`Test-Administrator\)\)`, `Get-Command\s+dism\.exe`, `Get-ChildItem\s+-LiteralPath\s+\$MountDir`, `\$PSCmdlet\.ShouldProcess\(`} {
			if p := pos(guard); p < 0 || p > mount {
				t.Errorf("%s is not checked before /Mount-Image", guard)
			}
		}
	})
	t.Run("try opens before the mount and the commit is inside it", func(t *testing.T) {
		try, mount, commit, fin := pos(`(?m)^try\s*\{`), pos(rwMount), pos(`'/Commit'`), pos(`(?m)^finally\s*\{`)
		if !(try >= 0 && try < mount && mount < commit && commit < fin) {
			t.Errorf("want try < mount < commit < finally, got %d %d %d %d", try, mount, commit, fin)
		}
	})
	t.Run("discard only when not committed", func(t *testing.T) {
		if pos(`if\s*\(\$mounted\s+-and\s+-not\s+\$committed\)`) < 0 {
			t.Error("finally does not discard exactly when mounted and not committed")
		}
	})
}

func TestAddImageInvokerCmdGuards(t *testing.T) {
	src := readScript(t, "Add-ImageInvoker.cmd")
	if !strings.Contains(src, "\r\n") || strings.Count(src, "\n") != strings.Count(src, "\r\n") {
		t.Error("Add-ImageInvoker.cmd must have CRLF line ends: cmd.exe mis-finds labels in LF-only batch files")
	}
	var code []string
	for _, l := range strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n") {
		if !regexp.MustCompile(`(?i)^\s*(rem\b|::)`).MatchString(l) {
			code = append(code, l)
		}
	}
	body := strings.Join(code, "\n")
	tests := []struct{ name, re string }{
		{"admin check", `(?m)^fltmc\b`},
		{"DISM presence check", `where dism\.exe`},
		{"mount", `dism /Mount-Image`},
		{"errorlevel checked after mount", `(?s)dism /Mount-Image[^\n]*\nif errorlevel 1`},
		{"commit", `dism /Unmount-Image /MountDir:"%MOUNT%" /Commit`},
		{"discard label", `(?s):discard\n.*dism /Unmount-Image /MountDir:"%MOUNT%" /Discard`},
		{"copies fall back to discard", `copy /y "%BIN%"[^\n]*\|\| goto discard`},
		{"failed commit discards", `(?s)/Commit\nif errorlevel 1 \(.*?goto discard`},
		{"mount dir must be empty", `dir /a /b "%MOUNT%"`},
		{"idempotent startnet (drops its own marker)", `"!LINE!"=="!MARKER!"`},
		{"keyboard layout", `wpeutil SetKeyboardLayout`},
		{"winpeshl option", `winpeshl\.ini`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !regexp.MustCompile(tt.re).MatchString(body) {
				t.Errorf("Add-ImageInvoker.cmd lacks %s (pattern %s) outside comments", tt.name, tt.re)
			}
		})
	}
	t.Run("no goto discard before the mount", func(t *testing.T) {
		mount := strings.Index(body, "dism /Mount-Image")
		if i := strings.Index(body, "goto discard"); i >= 0 && i < mount {
			t.Error("a check before the mount jumps to :discard, which would unmount something not ours")
		}
	})
}
