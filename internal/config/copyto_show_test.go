package config

import (
	"strings"
	"testing"
)

// `config show` (and so IMAGEINVOKER_ARGS="config show" at an initrd
// console) prints log.copy_to without its credentials: user info, or the
// token of a pre-signed PUT URL's query.
func TestShowHidesCopyToSecrets(t *testing.T) {
	c := Default()
	c.Log.CopyTo = "https://logger:PW-SECRET@logs.lab.example/in/?sv=2024&sig=SIG-SECRET"
	for _, v := range c.Effective() {
		if v.Key != "log.copy_to" {
			continue
		}
		s := FormatValue(v.Value)
		if strings.Contains(s, "SECRET") || !strings.Contains(s, "logs.lab.example/in/") {
			t.Errorf("log.copy_to shown as %q", s)
		}
		return
	}
	t.Fatal("log.copy_to not listed")
}
