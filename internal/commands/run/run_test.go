package run

import (
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/internal/flow"
	"github.com/imageinvoker/imageinvoker/internal/secret"
)

// argv → Options: the first half of the command, with runF in place of run.
func TestArgvToOptions(t *testing.T) {
	signIn := func(user string, stdin bool) cmdutil.SignInFlags {
		return cmdutil.SignInFlags{User: user, Secret: secret.Options{Stdin: stdin}}
	}
	cases := []cmdutil.ArgvCase[Options]{
		{Name: "demo", Argv: []string{"--demo", "--user", "alice", "--password-stdin", "--job", "Utilities/BIOS update", "--yes", "--json", "--wait"},
			Want: Options{Demo: true, SignInFlags: signIn("alice", true), Job: "Utilities/BIOS update", Yes: true, JSON: true, Wait: true}},
		{Name: "user from the environment", Argv: []string{"--demo", "--job", "7", "-y"}, Env: map[string]string{"IMAGEINVOKER_USER": `LAB\bob`},
			Want: Options{Demo: true, SignInFlags: signIn(`LAB\bob`, false), Job: "7", Yes: true}},
		{Name: "machine and settings, demo exempt from the policy", Argv: []string{"--demo", "--user", "a", "--job", "7", "--yes", "--mac", "00:15:5d:2a:00:42",
			"--computer-id", "5000001", "--queue-method", "insert", "--match", "serial,mac"},
			Want: Options{Demo: true, SignInFlags: signIn("a", false), Job: "7", Yes: true,
				Machine: cmdutil.MachineFlags{Override: flow.Override{MACs: []string{"00:15:5d:2a:00:42"}, ComputerID: 5000001}}},
			Config: func(c *config.Config) {
				c.Store.Queue = config.QueueInsert
				c.Machine.Match = config.MatchList{config.MatchSerial, config.MatchMAC}
			}},
		{Name: "a terminal may confirm", Argv: []string{"--demo", "--user", "a", "--job", "7"}, TTY: true,
			Want: Options{Demo: true, SignInFlags: signIn("a", false), Job: "7"}},
		{Name: "no job", Argv: []string{"--user", "a", "--yes"}, WantErr: "--job is required", Code: exitcode.Usage},
		{Name: "no user", Argv: []string{"--job", "7", "--yes"}, WantErr: "--user is required", Code: exitcode.Usage},
		{Name: "no --yes without a terminal", Argv: []string{"--user", "a", "--job", "7"}, WantErr: "--yes is required", Code: exitcode.Usage},
		{Name: "policy: no flags on boot media", Argv: []string{"--user", "a", "--job", "7", "--yes", "--store", "sqlite:x.db"}, WantErr: "--store sets store.url", Code: exitcode.Usage},
		{Name: "policy: --config refused beside a media config", Media: "store:\n  url: sqlite:media.db\n", Argv: []string{"--config", "{media}/typed.yaml", "--user", "a", "--job", "7", "--yes"},
			WantErr: "--config names the config file", Code: exitcode.Usage},
		{Name: "policy: IMAGEINVOKER_CONFIG refused beside a media config", Media: "store:\n  url: sqlite:media.db\n", Env: map[string]string{"IMAGEINVOKER_CONFIG": "{media}/typed.yaml"},
			Argv: []string{"--user", "a", "--job", "7", "--yes"}, WantErr: "IMAGEINVOKER_CONFIG names the config file", Code: exitcode.Usage},
		{Name: "policy: --config from /proc refused", Argv: []string{"--config", "/proc/self/fd/0", "--user", "a", "--job", "7", "--yes"},
			WantErr: "regular file", Code: exitcode.Usage},
		{Name: "central file unreachable: exit 2", Media: "include: /nonexistent/imageinvoker-central.yaml\n", Argv: []string{"--user", "a", "--job", "7", "--yes"},
			WantErr: "/nonexistent/imageinvoker-central.yaml could not be read", Code: exitcode.Usage},
		{Name: "policy: --demo beside a media config takes no --log-file", Media: "store:\n  url: sqlite:media.db\n",
			Argv: []string{"--demo", "--user", "a", "--job", "7", "--yes", "--log-file", "{media}/typed.log"}, WantErr: "--log-file sets log.file", Code: exitcode.Usage},
		{Name: "policy: --demo beside a media config takes no --debug", Media: "store:\n  url: sqlite:media.db\n",
			Argv: []string{"--demo", "--user", "a", "--job", "7", "--yes", "--debug"}, WantErr: "--debug sets log.debug", Code: exitcode.Usage},
		{Name: "policy: --demo beside a media config keeps its other exemptions", Media: "store:\n  url: sqlite:media.db\n",
			Argv: []string{"--demo", "--user", "a", "--job", "7", "--yes", "--mac", "00:15:5d:2a:00:42", "--queue-method", "insert"},
			Want: Options{Demo: true, SignInFlags: signIn("a", false), Job: "7", Yes: true,
				Machine: cmdutil.MachineFlags{Override: flow.Override{MACs: []string{"00:15:5d:2a:00:42"}}}},
			Config: func(c *config.Config) { c.Store.Queue = config.QueueInsert }},
		{Name: "bad enumerated value", Argv: []string{"--demo", "--user", "a", "--job", "7", "--yes", "--queue-method", "fast"}, WantErr: `store.queue: "fast" is not one of [auto insert procedure]`, Code: exitcode.Usage},
	}
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			if err := tc.Try(NewCmd); err != nil {
				t.Fatal(err)
			}
		})
	}
}
