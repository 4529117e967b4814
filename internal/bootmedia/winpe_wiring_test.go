package bootmedia

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The .ps1 keeps each pattern it matches image files with in one place,
// between "# BEGIN name" and "# END name" lines, as a single-quoted
// literal. These tests read that literal and run it with Go's regexp.
// PowerShell cannot run here; the patterns keep to the syntax .NET and Go
// share (inline (?i)/(?m), \s, \d, classes, groups, ?, *, +, |), where
// the two engines agree on what matches. Issue 23, point 9.
func psPattern(t *testing.T, name string) *regexp.Regexp {
	t.Helper()
	src := strings.ReplaceAll(readScript(t, "Add-ImageInvoker.ps1"), "\r\n", "\n")
	begin, end := "\n# BEGIN "+name+"\n", "\n# END "+name+"\n"
	i, j := strings.Index(src, begin), strings.Index(src, end)
	if i < 0 || j < i {
		t.Fatalf("Add-ImageInvoker.ps1 has no %q ... %q section", strings.TrimSpace(begin), strings.TrimSpace(end))
	}
	m := regexp.MustCompile(`(?m)^\$\w+ = '((?:[^']|'')*)'$`).FindAllStringSubmatch(src[i:j], -1)
	if len(m) != 1 {
		t.Fatalf("the %s section holds %d single-quoted assignments, want 1", name, len(m))
	}
	lit := strings.ReplaceAll(m[0][1], "''", "'")
	re, err := regexp.Compile(lit)
	if err != nil {
		t.Fatalf("the %s pattern %q is not in the syntax Go shares with .NET: %v", name, lit, err)
	}
	return re
}

func TestWinPEWpeinitPattern(t *testing.T) {
	re := psPattern(t, "wpeinit-pattern")
	runs := []string{
		"wpeinit",
		"WPEINIT",
		"wpeinit.exe",
		"Wpeinit.EXE",
		"   wpeinit",
		"\twpeinit",
		"@wpeinit",
		"@ wpeinit",
		"call wpeinit",
		"CALL wpeinit.exe",
		"@call wpeinit",
		"  @CALL  Wpeinit",
		`X:\Windows\System32\wpeinit.exe`,
		`x:\windows\system32\WPEINIT.EXE`,
		`X:\Windows\System32\wpeinit`,
		`call X:\Windows\System32\wpeinit.exe`,
		`@call X:\Windows\System32\wpeinit.exe`,
		`%SYSTEMROOT%\System32\wpeinit.exe`,
		`%windir%\system32\wpeinit.exe`,
		`"X:\Windows\System32\wpeinit.exe"`,
		`wpeinit -unattend:X:\unattend.xml`,
		`wpeinit >nul`,
		`wpeinit>nul 2>&1`,
		`wpeinit.exe&& echo up`,
	}
	notRuns := []string{
		"rem wpeinit",
		"REM wpeinit.exe",
		"  rem X:\\Windows\\System32\\wpeinit.exe",
		":: wpeinit",
		"::wpeinit",
		"echo wpeinitialize",
		"echo wpeinit",
		"wpeinitialize",
		"wpeinit2",
		"wpeinit.exe.bak",
		`X:\tools\notwpeinit.exe`,
		"set WPEINIT=1",
		"",
		"wpeutil InitializeNetwork",
	}
	for _, l := range runs {
		if !re.MatchString(l) {
			t.Errorf("%q runs wpeinit, but the pattern %s does not match it", l, re)
		}
	}
	for _, l := range notRuns {
		if re.MatchString(l) {
			t.Errorf("%q does not run wpeinit, but the pattern %s matches it", l, re)
		}
	}
}

// The startnet insertion uses that one pattern, and no second copy of a
// wpeinit regex hides elsewhere in the script.
func TestWinPEWpeinitPatternIsTheOneUsed(t *testing.T) {
	code := stripPSComments(readScript(t, "Add-ImageInvoker.ps1"))
	if !regexp.MustCompile(`-match\s+\$WpeinitPattern\b`).MatchString(code) {
		t.Error("the startnet insertion does not match lines with $WpeinitPattern")
	}
	for _, m := range regexp.MustCompile(`(?i)-match\s+'[^'\n]*wpeinit[^'\n]*'`).FindAllString(code, -1) {
		t.Errorf("a second wpeinit pattern outside the delimited literal: %s", m)
	}
	if n := len(regexp.MustCompile(`(?m)^\$WpeinitPattern\s*=`).FindAllString(code, -1)); n != 1 {
		t.Errorf("$WpeinitPattern is assigned %d times, want 1", n)
	}
	// A startnet.cmd with lines but no wpeinit is refused, not given a
	// second wpeinit with ImageInvoker before DS's lines.
	if regexp.MustCompile(`\$kept\.Insert\(0,\s*'wpeinit'\)`).MatchString(code) {
		t.Error("the script still inserts a wpeinit at the top of a startnet.cmd that has lines")
	}
}

// dism /English /Get-ImageInfo output: DISM's banner first, then the
// image's own Version line. The script takes the last match and refuses a
// major version below 10.
func TestWinPEVersionPattern(t *testing.T) {
	re := psPattern(t, "winpe-version-pattern")
	out := func(v string) string {
		return "\nDeployment Image Servicing and Management tool\nVersion: 10.0.19041.844\n\n" +
			"Details for image : D:\\PXE\\boot.wim\n\nIndex : 1\nName : Microsoft Windows PE (x64)\n" +
			"Description : Microsoft Windows PE (x64)\nSize : 1,564,000,000 bytes\nWIM Bootable : No\n" +
			"Architecture : x64\nHal : <undefined>\nVersion : " + v + "\nServicePack Build : 1\n" +
			"ServicePack Level : 0\nEdition : WindowsPE\nInstallation : WindowsPE\nProductType : WinNT\n" +
			"ProductSuite : \nSystem Root : WINDOWS\nLanguages :\n        en-US (Default)\n" +
			"The operation completed successfully.\n"
	}
	for _, tc := range []struct {
		version string
		major   int
		refused bool
	}{
		{"10.0.19041", 10, false},
		{"10.0.22621", 10, false},
		{"6.3.9600", 6, true}, // WinPE 5.x (Windows 8.1)
		{"6.1.7601", 6, true}, // WinPE 3.1, what older Boot Disk Creators built
		{"6.0.6001", 6, true}, // WinPE 2.x
		{"11.0.26100", 11, false},
	} {
		all := re.FindAllStringSubmatch(out(tc.version), -1)
		if len(all) < 2 {
			t.Fatalf("%s: %d Version lines matched, want the banner's and the image's", tc.version, len(all))
		}
		major, err := strconv.Atoi(all[len(all)-1][1])
		if err != nil || major != tc.major {
			t.Errorf("%s: read major %q, want %d", tc.version, all[len(all)-1][1], tc.major)
		}
		if refused := major < 10; refused != tc.refused {
			t.Errorf("%s: refused = %v, want %v", tc.version, refused, tc.refused)
		}
	}
	code := stripPSComments(readScript(t, "Add-ImageInvoker.ps1"))
	for _, want := range []string{
		`/English /Get-ImageInfo`,
		`[regex]::Matches(($info -join "` + "`" + `n"), $WinPEVersionPattern)`,
		`$found[$found.Count - 1]`,
		`-lt 10)`,
		`Go binaries need a Windows 10 kernel`,
	} {
		if !strings.Contains(code, want) {
			t.Errorf("Add-ImageInvoker.ps1 lacks %q: the version check reads or judges differently", want)
		}
	}
}

// -Preview and -Inspect (issue 23, points 9 and 5), the CA name check and
// the config-only update, statically, as the other script checks here.
func TestWinPEPreviewInspectAndUpdate(t *testing.T) {
	code := stripPSComments(readScript(t, "Add-ImageInvoker.ps1"))
	for _, tc := range []struct{ name, re string }{
		{"-Preview and -Inspect switches", `(?s)\[switch\]\$Preview.*\[switch\]\$Inspect`},
		{"-Binary and -Config not mandatory", `(?m)^\s*\[string\]\$Binary,\n\s*\[string\]\$Config,`},
		{"-Config required for a write", `if \(-not \$readOnly -and -not \$Config\) \{ Fail`},
		{"read-only modes return before ShouldProcess", `(?s)if \(\$readOnly\) \{.*?Invoke-ReadOnlyMount \{.*?\n    \}\n    return\n\}\n.*\$PSCmdlet\.ShouldProcess\(`},
		{"-Preview shows before and after", `(?s)Show-Lines 'Windows\\System32\\startnet\.cmd now' \$before.*Show-Lines 'Windows\\System32\\startnet\.cmd after' \$after`},
		{"-Preview uses the same function as the write", `(?s)\$after = Get-StartnetWithBlock \$before.*\$new = Get-StartnetWithBlock \$lines`},
		{"-WhatIf prints what it would write", `(?s)if \(\$WhatIfPreference\) \{.*Get-WinpeshlContent.*Get-StartBlock.*\$PSCmdlet\.ShouldProcess\(`},
		{"-Inspect reads the version resource", `\(Get-Item -LiteralPath \$exe\)\.VersionInfo`},
		{"-Inspect prints ProductVersion", `\$vi\.ProductVersion`},
		{"-Inspect hashes the config with sha256, lower case like config show", `Get-FileHash -Algorithm SHA256 -LiteralPath \$cfg\)\.Hash\.ToLowerInvariant\(\)`},
		{"-Inspect shows the wiring", `(?s)if \(\$Inspect\) \{.*Show-Wiring \$system32`},
		{"CA name compared with directory.ca_file", `elseif \(\$caLeaf -ne \$cfgCALeaf\) \{\s*Fail`},
		{"config-only update needs ImageInvoker already in the image", `if \(-not \$Binary -and -not \(Test-Path -LiteralPath \(Join-Path \$dest 'imageinvoker\.exe'\)\)\) \{\s*Fail`},
		{"binary copied only when given", `if \(\$Binary\) \{ Copy-Item -LiteralPath \$Binary`},
		{"the CA the config names must end up in the image", `-not \(Test-Path -LiteralPath \(Join-Path \$dest \$cfgCALeaf\)\)\) \{\s*Fail`},
	} {
		if !regexp.MustCompile(tc.re).MatchString(code) {
			t.Errorf("Add-ImageInvoker.ps1 lacks %s (pattern %s)", tc.name, tc.re)
		}
	}
}

// The .cmd fallback recognises wpeinit lines in :iswpeinit (batch has no
// regular expressions findstr could share with the .ps1); it refuses a
// startnet.cmd without one and checks the WinPE version.
func TestWinPECmdWpeinitAndVersion(t *testing.T) {
	src := strings.ReplaceAll(readScript(t, "Add-ImageInvoker.cmd"), "\r\n", "\n")
	for _, tc := range []struct{ name, re string }{
		{":emit asks :iswpeinit", `if not defined BLOCK_DONE call :iswpeinit`},
		{"@ and call skipped", `(?s):iswpeinit\n.*"!W1:~0,1!"=="@".*/i "!W1!"=="call"`},
		{"paths ending in \\wpeinit(.exe)", `(?s)"!W1:~-8!"=="\\wpeinit".*"!W1:~-12!"=="\\wpeinit\.exe"`},
		{"no wpeinit line: refused", `(?s)if not defined BLOCK_DONE \(\n[^\n]*no line that runs wpeinit[^\n]*\n[^\n]*\n\s*goto discard`},
		{"version read with /English", `dism /English /Get-ImageInfo`},
		{"older than 10 refused", `if %WINMAJOR% LSS 10 \(`},
	} {
		if !regexp.MustCompile(tc.re).MatchString(src) {
			t.Errorf("Add-ImageInvoker.cmd lacks %s (pattern %s)", tc.name, tc.re)
		}
	}
	if strings.Contains(src, "( echo wpeinit& type") {
		t.Error("Add-ImageInvoker.cmd still puts a wpeinit on top of a startnet.cmd it did not recognise")
	}
	if v, m := strings.Index(src, "/Get-ImageInfo"), strings.Index(src, "dism /Mount-Image"); v < 0 || v > m {
		t.Error("the version check does not come before the mount")
	}
}

// "$name:" in a PowerShell string is a scope or drive reference ($env:x),
// not $name followed by a colon: PowerShell refuses to parse the script.
// Only $script: and $env: are meant; a variable before a colon is ${name}:.
func TestWinPEPS1NoVariableColon(t *testing.T) {
	code := stripPSComments(readScript(t, "Add-ImageInvoker.ps1"))
	for _, m := range regexp.MustCompile(`\$([A-Za-z_]\w*):`).FindAllStringSubmatch(code, -1) {
		if s := strings.ToLower(m[1]); s != "script" && s != "env" {
			t.Errorf("%q parses as a scope-qualified variable: write ${%s}:", m[0], m[1])
		}
	}
}
