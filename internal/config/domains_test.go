package config

import (
	"os"
	"strings"
	"testing"
)

func TestDomainsParse(t *testing.T) {
	dir := t.TempDir()
	path := dir + "/imageinvoker.yaml"
	body := `directory:
  domains:
    - netbios: LAB
      dns: lab.example
      dcs: [ldaps://dc1.lab.example:636]
      ca_file: lab-ca.pem
    - netbios: OTHER
      dns: other.example
      bind_user: OTHER\reader
      bind_password_file: other-reader.txt
`
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	d := c.Directory.Domains
	if len(d) != 2 || d[0].NetBIOS != "LAB" || d[1].DNS != "other.example" || d[1].BindUser != `OTHER\reader` {
		t.Fatalf("domains = %+v", d)
	}
	if d[0].CAFile != dir+"/lab-ca.pem" || d[1].BindPasswordFile != dir+"/other-reader.txt" {
		t.Errorf("relative paths not taken from the config file's folder: %+v", d)
	}
}

func TestDomainsRefused(t *testing.T) {
	cases := []struct{ name, body, want string }{
		{"beside the single domain", "directory:\n  domain: LAB\n  domains:\n    - {netbios: LAB, dns: lab.example}\n",
			"line 2: directory.domain: not used with directory.domains"},
		{"no netbios", "directory:\n  domains:\n    - {dns: lab.example}\n", "entry 1: netbios"},
		{"no dns", "directory:\n  domains:\n    - {netbios: LAB}\n", "entry 1 (LAB): dns"},
		{"twice", "directory:\n  domains:\n    - {netbios: LAB, dns: lab.example}\n    - {netbios: lab, dns: x.example}\n", "LAB is already entry 1"},
		{"bad dc", "directory:\n  domains:\n    - {netbios: LAB, dns: lab.example, dcs: [dc1]}\n", `dcs: the value is not`},
		{"bind user alone", "directory:\n  domains:\n    - {netbios: LAB, dns: lab.example, bind_user: x}\n", "bind_user and bind_password_file go together"},
		{"unknown key", "directory:\n  domains:\n    - {netbios: LAB, dns: lab.example, password: x}\n", "unknown key directory.domains[].password"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(tc.body))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v; want %q", err, tc.want)
			}
		})
	}
}
