package bootmedia

import (
	"regexp"
	"strings"
	"testing"
)

// The WinPE wiring leaves no shell by default (issue 20, finding 8): the
// default is winpeshl, whose last apps are startnet.cmd under cmd /c (not
// /k: a /k prompt is a SYSTEM shell after Ctrl+C's "Terminate batch job?")
// and a reboot. Static, as the other script checks here.
func TestWinPEWiringLeavesNoShell(t *testing.T) {
	ps := stripPSComments(readScript(t, "Add-ImageInvoker.ps1"))
	cmd := readScript(t, "Add-ImageInvoker.cmd")
	var code []string
	for _, l := range strings.Split(cmd, "\n") {
		if !regexp.MustCompile(`(?i)^\s*rem\b`).MatchString(l) {
			code = append(code, l)
		}
	}
	cmdCode := strings.Join(code, "\n")
	for _, tc := range []struct {
		name, src string
		re        string
		want      bool
	}{
		{"ps1 default is winpeshl", ps, `\[string\]\$Start\s*=\s*'winpeshl'`, true},
		{"cmd default is winpeshl", cmdCode, `if "%START%"=="" set "START=winpeshl"`, true},
		{"ps1 never starts cmd /k", ps, `(?i)cmd\.exe,\s*/k`, false},
		{"cmd never starts cmd /k", cmdCode, `(?i)cmd\.exe,\s*/k`, false},
		{"ps1 startnet under cmd /c", ps, `(?i)cmd\.exe,\s*/c\s+%SYSTEMROOT%\\System32\\startnet\.cmd`, true},
		{"cmd startnet under cmd /c", cmdCode, `(?i)cmd\.exe,\s*/c\s+%%SYSTEMROOT%%\\System32\\startnet\.cmd`, true},
		{"ps1 reboots last", ps, `(?i)wpeutil\.exe,\s*reboot'\)`, true},
		{"cmd reboots last", cmdCode, `(?i)echo %%SYSTEMROOT%%\\System32\\wpeutil\.exe, reboot`, true},
	} {
		if got := regexp.MustCompile(tc.re).MatchString(tc.src); got != tc.want {
			t.Errorf("%s: pattern %s found = %v, want %v", tc.name, tc.re, got, tc.want)
		}
	}
}
