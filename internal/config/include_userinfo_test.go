package config

import (
	"fmt"
	"strings"
	"testing"
)

// Userinfo in an include is refused, and redacted wherever the include is
// named, however malformed: https//user:pw@host/… was printed whole.
func TestIncludeUserinfoRefusedAndRedacted(t *testing.T) {
	const pw = "Inc-Pw-7781"
	for i, ref := range []string{
		"https://user:" + pw + "@central.lab.example/c.yaml",
		"https//user:" + pw + "@central.lab.example/c.yaml",
		"https:user:" + pw + "@central.lab.example/c.yaml",
		"user:" + pw + "@central.lab.example/c.yaml",
		"HTTPS:///user:" + pw + "@central/c.yaml",
	} {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			p := writeFile(t, t.TempDir(), FileName, "include: '"+ref+"'\n")
			_, err := Load(p)
			if !isInvalid(err, "a user name or password in the include is refused") {
				t.Errorf("err = %v, want userinfo refused", err)
			}
			if err != nil && strings.Contains(err.Error(), pw) {
				t.Errorf("the error shows the password: %v", err)
			}
			if got := RedactInclude(ref); strings.Contains(got, pw) {
				t.Errorf("RedactInclude = %q", got)
			}
		})
	}
	// A path with no credentials is untouched and allowed.
	for _, ref := range []string{`\\ds1\express\central.yaml`, `F:\ImageInvoker\central.yaml`, "https://central.lab.example/c.yaml"} {
		if err := checkInclude(ref); err != nil || RedactInclude(ref) != ref {
			t.Errorf("%s: %v, %q", ref, err, RedactInclude(ref))
		}
	}
}
