package config

import (
	"strings"
	"testing"
)

// A config error names the line and the shape expected, never the file's
// text: IMAGEINVOKER_CONFIG=<the bind password file> printed the password.
func TestErrorsNeverEchoValues(t *testing.T) {
	const secret = "Sup3r-S3cret!Pw"
	bodies := map[string]string{
		"one-line file":    secret + "\n",
		"no newline":       secret,
		"key-like line":    secret + ": x\n",
		"syntax":           secret + ": [\n",
		"duration":         "store:\n  timeout: " + secret + "\n",
		"enum":             "store:\n  auth: " + secret + "\n",
		"url":              "store:\n  url: " + secret + "\n",
		"bool":             "menu:\n  flat: " + secret + "\n",
		"list":             "directory:\n  dcs: " + secret + "\n",
		"section":          "look: " + secret + "\n",
		"subnet":           "sites:\n  - name: a\n    subnets: [" + secret + "]\n",
		"site":             "sites:\n  - name: a\n    subnets: [10.0.0.0/8]\nsite: " + secret + "\n",
		"domain dc":        "directory:\n  domains:\n    - {netbios: LAB, dns: lab.example, dcs: [" + secret + "]}\n",
		"folder name":      "menu:\n  folder_names:\n    " + secret + ": x\n",
		"match":            "machine:\n  match: [" + secret + "]\n",
		"fingerprint":      "store:\n  tls_fingerprint: " + secret + "\n",
		"include":          "include: " + secret + "://x\n",
		"include userinfo": "include: https//user:" + secret + "@host/c.yaml\n",
		"second document":  "menu:\n  flat: true\n---\n" + secret + "\n",
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			p := writeFile(t, t.TempDir(), FileName, body)
			_, err := Load(p)
			if err == nil {
				t.Skip("parses") // nothing printed
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "S3cret") {
				t.Errorf("the error echoes the file's text: %v", err)
			}
			if !strings.Contains(err.Error(), "line ") && name != "no newline" && name != "one-line file" {
				t.Errorf("the error names no line: %v", err)
			}
		})
	}
}
