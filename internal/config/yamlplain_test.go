package config

import "testing"

// Merge keys, anchors and aliases are refused in every config file, with
// the file and the line: a merge key let a central file set
// policy.allow_overrides past the media-only check.
func TestYAMLMergeKeysAndAliasesRefused(t *testing.T) {
	cases := []invalidCase{
		{"merge key", "menu:\n  flat: true\npolicy: {<<: {allow_overrides: true}}\n", "line 3: a YAML merge key (<<)"},
		{"anchor", "menu: &m\n  flat: true\n", "line 1: a YAML anchor (&m)"},
		{"alias", "directory:\n  dcs: &x [ldaps://a:636]\nsites:\n  - name: a\n    subnets: [10.0.0.0/8]\n    directory:\n      dcs: *x\n", "line 7: a YAML alias (*x)"},
		{"merge in a site", "sites:\n  - name: a\n    subnets: [10.0.0.0/8]\n    <<: {store: {url: 'sqlite:x.db'}}\n", "line 4: a YAML merge key"},
	}
	t.Run("media", func(t *testing.T) {
		checkInvalid(t, func(t *testing.T, body string) (string, error) {
			p := writeFile(t, t.TempDir(), FileName, body)
			_, err := Load(p)
			return p + ": ", err
		}, cases)
	})
	t.Run("central", func(t *testing.T) {
		checkInvalid(t, func(t *testing.T, body string) (string, error) {
			dir := t.TempDir()
			central := writeFile(t, dir, "central.yaml", body)
			_, err := Load(writeFile(t, dir, FileName, "include: central.yaml\n"))
			return central + ": ", err
		}, cases)
	})
	// A quoted "<<" is a plain key, refused as unknown, not as a merge.
	if _, err := Parse("q.yaml", []byte("menu:\n  '<<': 1\n")); !isInvalid(err, "not a setting name") {
		t.Errorf("quoted <<: %v", err)
	}
}
