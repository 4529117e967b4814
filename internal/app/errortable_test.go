package app

import (
	"context"
	"net"
	"strings"
	"testing"

	ber "github.com/go-asn1-ber/asn1-ber"
	"github.com/go-ldap/ldap/v3"
	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
)

// Where `run` and `whoami` once gave one sign-in failure two exit codes,
// both now give the code of the one error table (exitcode.Describe), and
// the same sentence.

// plainOnlyDC is an LDAP server on 127.0.0.1 that offers no StartTLS and
// refuses a simple bind over plain LDAP (strongAuthRequired), as a DC that
// requires signing does. It returns the ldap:// URL.
func plainOnlyDC(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	answer := func(c net.Conn, req *ber.Packet, tag ber.Tag, code uint16, msg string) error {
		resp := ber.Encode(ber.ClassUniversal, ber.TypeConstructed, ber.TagSequence, nil, "")
		resp.AppendChild(req.Children[0])
		op := ber.Encode(ber.ClassApplication, ber.TypeConstructed, tag, nil, "")
		op.AppendChild(ber.NewInteger(ber.ClassUniversal, ber.TypePrimitive, ber.TagEnumerated, int64(code), ""))
		op.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, "", ""))
		op.AppendChild(ber.NewString(ber.ClassUniversal, ber.TypePrimitive, ber.TagOctetString, msg, ""))
		resp.AppendChild(op)
		_, err := c.Write(resp.Bytes())
		return err
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				for {
					p, err := ber.ReadPacket(c)
					if err != nil || len(p.Children) < 2 {
						return
					}
					switch p.Children[1].Tag {
					case ldap.ApplicationExtendedRequest:
						err = answer(c, p, ldap.ApplicationExtendedResponse, ldap.LDAPResultUnavailable, "no TLS here")
					case ldap.ApplicationBindRequest:
						err = answer(c, p, ldap.ApplicationBindResponse, ldap.LDAPResultStrongAuthRequired, "00002028: strong auth required")
					default:
						return
					}
					if err != nil {
						return
					}
				}
			}()
		}
	}()
	return "ldap://" + l.Addr().String()
}

func TestSignInRefusalsAgree(t *testing.T) {
	store := labStore(t)
	body := "store:\n  url: " + store + "\ndirectory:\n  dcs: [" + plainOnlyDC(t) + "]\n  dns_domain: lab.example\n  allow_plain: true\npolicy:\n  allow_overrides: true\n"
	cfg := cmdutil.WriteFile(t, t.TempDir(), "imageinvoker.yaml", body)
	runArgs := func(user string, extra ...string) []string {
		return append([]string{"run", "--user", user, "--password-stdin", "--job", "2000140", "--yes", "--mac", "AABBCCDDEEFF"}, extra...)
	}
	whoamiArgs := func(user string, extra ...string) []string {
		return append([]string{"whoami", "--user", user, "--password-stdin"}, extra...)
	}
	cases := []struct {
		name string
		// args are each command's argv; stdin the password.
		args  [][]string
		stdin string
		code  int
		say   string
	}{
		// was: whoami 2, run 6. A malformed name is refused as a sign-in (6).
		{"malformed user name", [][]string{whoamiArgs(`LAB\`, "--demo"), runArgs(`LAB\`, "--demo")}, "alice-demo\n",
			exitcode.BadCredentials, `is not of the form DOMAIN\name`},
		// was: whoami 7, run 6. A DC that refuses a password over plain
		// LDAP refuses the transport, not the technician (7).
		{"plain bind refused", [][]string{whoamiArgs("alice", "--config", cfg), runArgs("alice", "--config", cfg)}, "secret\n",
			exitcode.DirectoryDown, "refuses passwords over unencrypted LDAP"},
		// was: whoami 6 (another domain "."), run 6 through DS. Both now ask DS.
		{"wrong DS console account password", [][]string{whoamiArgs(`.\kiosk`, "--demo"), runArgs(`.\kiosk`, "--demo")}, "kiosk-wrong\n",
			exitcode.BadCredentials, "sign-in refused: wrong user name or password"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var said []string
			for _, args := range tc.args {
				_, stderr, code := execute(t, nil, tc.stdin, args...)
				if code != tc.code || !strings.Contains(stderr, tc.say) {
					t.Errorf("%s: exit %d (want %d), stderr %q lacks %q", args[0], code, tc.code, stderr, tc.say)
				}
				said = append(said, stderr)
			}
			if len(said) == 2 && said[0] != said[1] {
				t.Errorf("the commands say it differently:\n%s\n%s", said[0], said[1])
			}
		})
	}
}

// whoami checks a DS console account as the console does: through DS.
func TestWhoamiDSAccount(t *testing.T) {
	stdout, stderr, code := execute(t, nil, "kiosk-demo\n", "whoami", "--demo", "--user", `.\kiosk`, "--password-stdin", "--json")
	if code != exitcode.OK || !strings.Contains(stdout, `"user": ".\\kiosk"`) || !strings.Contains(stdout, "DS console account") {
		t.Fatalf("exit %d: %s%s", code, stdout, stderr)
	}
}

// The directory's next step names a flag (--dc): the command line prints
// it, the sentence the console shows (Describe's Msg) does not.
func TestDirectoryFlagAdviceOnlyOnTheCommandLine(t *testing.T) {
	f, ts := cmdutil.Test(nil)
	ts.In.WriteString("secret\n")
	root := NewRootCmd(f)
	root.SetArgs([]string{"whoami", "--user", "alice", "--password-stdin", "--dc", "ldaps://127.0.0.1:1", "--dns-domain", "lab.example"})
	cmd, err := root.ExecuteContextC(context.Background())
	if code := report(f, cmd, err, false); code != exitcode.DirectoryDown {
		t.Fatalf("exit %d, want %d: %s", code, exitcode.DirectoryDown, ts.Err)
	}
	if !strings.Contains(ts.Err.String(), "(--dc)") {
		t.Errorf("the command line lost the advice: %s", ts.Err)
	}
	if d := exitcode.Describe(err); strings.Contains(d.Msg, "--") || !strings.Contains(d.Msg, "could not reach the domain controller") {
		t.Errorf("the console would show %q", d.Msg)
	}
}

// An unknown machine: the command line adds the flag that waits for DS to
// register it; the console's sentence names the machine and no flag.
func TestUnknownComputerAdviceOnlyOnTheCommandLine(t *testing.T) {
	f, ts := cmdutil.Test(nil)
	root := NewRootCmd(f)
	root.SetArgs([]string{"menu", "--store", labStore(t), "--mac", "02:00:00:00:00:01", "--as", "x"})
	cmd, err := root.ExecuteContextC(context.Background())
	if code := report(f, cmd, err, false); code != exitcode.UnknownComputer || !strings.Contains(ts.Err.String(), "--wait-registration") {
		t.Fatalf("exit %d, want %d with the flag's advice: %s", code, exitcode.UnknownComputer, ts.Err)
	}
	if d := exitcode.Describe(err); strings.Contains(d.Msg, "--") || !strings.Contains(d.Msg, "this machine (MAC 02:00:00:00:00:01) is not known") {
		t.Errorf("the console would show %q", d.Msg)
	}
}
