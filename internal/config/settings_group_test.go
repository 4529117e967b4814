package config

import (
	"slices"
	"testing"

	"github.com/spf13/pflag"
)

// The groups give each command exactly the flags it took when commands
// listed them by name: flag names stay as scripts know them.
func TestGroupsGiveEachCommandItsFlags(t *testing.T) {
	cases := []struct {
		name  string
		group Group
		want  []string
	}{
		{"menu, explain", GroupSite | GroupStore | GroupMenu,
			[]string{"site", "store", "console-security", "store-timeout", "match", "menu-root", "menu-tag", "flat", "store-ca-file", "store-tls-fingerprint"}},
		// --debug is every command's: the root's persistent flag (GroupDebug).
		{"root", GroupDebug, []string{"debug"}},
		{"run", GroupSite | GroupStore | GroupMenu | GroupLogin | GroupQueue | GroupRegistration | GroupDirectory | GroupWatch | GroupLog,
			[]string{"store-auth", "queue-method", "dc", "domain", "dns-domain", "base-dn", "ca-file", "allow-plain-ldap", "dc-timeout",
				"dc-total-timeout", "wait-registration", "step-timeout", "watch-timeout", "log-file",
				"site", "store", "console-security", "store-timeout", "match", "menu-root", "menu-tag", "flat", "store-ca-file", "store-tls-fingerprint"}},
		{"demo", GroupConsole | GroupWatch | GroupLog,
			[]string{"flat", "idle-timeout", "idle-action", "after-queue", "watch-timeout", "step-timeout", "look", "log-file"}},
		{"machine", GroupSite | GroupStore | GroupLogin | GroupRegistration,
			[]string{"site", "store", "store-auth", "store-timeout", "match", "wait-registration", "store-ca-file", "store-tls-fingerprint"}},
		{"whoami", GroupSite | GroupDirectory,
			[]string{"site", "dc", "domain", "dns-domain", "base-dn", "ca-file", "allow-plain-ldap", "dc-timeout", "dc-total-timeout"}},
		{"doctor", GroupSite | GroupStore | GroupLogin | GroupDirectory,
			[]string{"site", "store", "store-auth", "store-timeout", "store-ca-file", "store-tls-fingerprint", "dc", "domain", "dns-domain", "base-dn", "ca-file",
				"allow-plain-ldap", "dc-timeout", "dc-total-timeout", "match"}},
	}
	for _, tc := range cases {
		fs := pflag.NewFlagSet(tc.name, pflag.ContinueOnError)
		AddGroups(fs, tc.group)
		var got []string
		fs.VisitAll(func(f *pflag.Flag) { got = append(got, f.Name) })
		slices.Sort(got)
		want := slices.Sorted(slices.Values(tc.want))
		if !slices.Equal(got, want) {
			t.Errorf("%s: flags %v, want %v", tc.name, got, want)
		}
	}
	fs := pflag.NewFlagSet("all", pflag.ContinueOnError)
	AddGroups(fs, GroupAll)
	n := 0
	fs.VisitAll(func(*pflag.Flag) { n++ })
	if n != len(Settings) {
		t.Errorf("GroupAll: %d flags, want every setting (%d)", n, len(Settings))
	}
	for _, s := range Settings {
		if s.Group == 0 {
			t.Errorf("%s: in no group, so no command takes it", s.Flag)
		}
	}
}

// addFlags registers the named settings' flags on fs, for the tests that
// resolve a few settings without a command (commands take groups).
func addFlags(fs *pflag.FlagSet, flags ...string) {
	for _, name := range flags {
		s, ok := Lookup(name)
		if !ok {
			panic("config: no setting with flag " + name)
		}
		addFlag(fs, s)
	}
}
