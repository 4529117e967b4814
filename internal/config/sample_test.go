package config

import (
	"reflect"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/imageinvoker/imageinvoker/internal/tabletest"
)

func TestSampleParses(t *testing.T) {
	if _, err := Parse("sample.yaml", Sample); err != nil {
		t.Fatalf("the embedded sample config does not parse: %v", err)
	}
}

// egRE is a commented-out example: "# e.g. key: value" above the key.
var egRE = regexp.MustCompile(`^(\s*)# e\.g\. (\w+: .*)$`)

// uncommentExamples is the sample with every "# e.g." example put in
// place of the default below it, as an image builder would.
func uncommentExamples(t *testing.T) []byte {
	t.Helper()
	lines := strings.Split(string(Sample), "\n")
	n := 0
	for i := 0; i+1 < len(lines); i++ {
		m := egRE.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		key, _, _ := strings.Cut(m[2], ":")
		if !strings.HasPrefix(lines[i+1], m[1]+key+":") {
			t.Fatalf("line %d: the example of %s is not right above its key: %q", i+1, key, lines[i+1])
		}
		lines[i+1] = m[1] + m[2]
		n++
	}
	if n == 0 {
		t.Fatal("the sample has no \"# e.g.\" examples")
	}
	return []byte(strings.Join(lines, "\n"))
}

// The examples are commented out, so an unedited sample sets nothing a
// site must choose; uncommented, they parse and set those settings.
func TestSampleExamplesParse(t *testing.T) {
	c, err := Parse("sample-with-examples.yaml", uncommentExamples(t))
	if err != nil {
		t.Fatalf("the sample's examples, uncommented, do not parse: %v", err)
	}
	// A sample that only restates defaults would teach nothing about the
	// settings that have no default.
	if c.Store.URL == "" || len(c.Directory.DCs) == 0 || len(c.Menu.FolderNames) == 0 || c.Directory.CAFile == "" {
		t.Errorf("the examples leave store.url, directory.dcs, directory.ca_file or menu.folder_names empty: %+v", c)
	}
}

// sampleLeaves maps every dotted key present in the sample to its node pair.
func sampleLeaves(t *testing.T) map[string][2]*yaml.Node {
	t.Helper()
	var root yaml.Node
	if err := yaml.Unmarshal(Sample, &root); err != nil {
		t.Fatal(err)
	}
	out := map[string][2]*yaml.Node{}
	var walk func(n *yaml.Node, prefix string, typ reflect.Type)
	walk = func(n *yaml.Node, prefix string, typ reflect.Type) {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			ft := fieldType(typ, k.Value)
			out[prefix+k.Value] = [2]*yaml.Node{k, v}
			if v.Kind == yaml.MappingNode && ft != nil && ft.Kind() == reflect.Struct {
				walk(v, prefix+k.Value+".", ft)
			}
		}
	}
	walk(root.Content[0], "", reflect.TypeOf(Config{}))
	return out
}

func TestSampleHasEveryKey(t *testing.T) {
	leaves := sampleLeaves(t)
	keys := fileKeys(reflect.TypeOf(Config{}), "")
	if len(keys) < len(Settings) {
		t.Fatalf("found %d file keys by reflection, fewer than the %d Settings", len(keys), len(Settings))
	}
	for _, key := range keys {
		t.Run(key, func(t *testing.T) {
			if _, ok := leaves[key]; !ok {
				t.Errorf("sample.yaml has no %s: document it (every Config field belongs in the sample)", key)
			}
		})
	}
	for _, s := range Settings {
		t.Run("setting/"+s.Key, func(t *testing.T) {
			pair, ok := leaves[s.Key]
			if !ok {
				t.Fatalf("sample.yaml has no %s", s.Key)
			}
			// The comment above each key names its flag and variable, so the
			// sample is also the reference for scripts.
			doc := pair[0].HeadComment
			if !regexp.MustCompile(`--` + regexp.QuoteMeta(s.Flag) + `[^\w-]`).MatchString(doc + " ") {
				t.Errorf("comment above %s does not name --%s:\n%s", s.Key, s.Flag, doc)
			}
			if !regexp.MustCompile(regexp.QuoteMeta(s.Env()) + `\b`).MatchString(doc) {
				t.Errorf("comment above %s does not name %s:\n%s", s.Key, s.Env(), doc)
			}
		})
	}
}

// TestSampleShowsDefaults keeps the sample's promise: every value shown is
// the built-in default; examples are commented out ("# e.g.").
func TestSampleShowsDefaults(t *testing.T) {
	sample, err := Parse("sample.yaml", Sample)
	if err != nil {
		t.Fatal(err)
	}
	def := Default()
	for key, pair := range sampleLeaves(t) {
		if pair[1].Kind == yaml.MappingNode && key != "menu.folder_names" {
			continue // a section; its keys are checked one by one
		}
		t.Run(key, func(t *testing.T) {
			got, want := valueAt(t, sample, key), valueAt(t, def, key)
			if v := reflect.ValueOf(got); (v.Kind() == reflect.Slice || v.Kind() == reflect.Map) && v.Len() == 0 && reflect.ValueOf(want).Len() == 0 {
				return // [] and {} show the default nil
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s is %v in the sample but the default is %v: comment the example out (# e.g. %s: ...) and show the default", key, got, want, key)
			}
		})
	}
}

func valueAt(t *testing.T, c *Config, key string) any {
	t.Helper()
	v, ok := field(reflect.ValueOf(c).Elem(), key)
	if !ok {
		t.Fatalf("no field for %s", key)
	}
	return v.Interface()
}

func TestUnknownKeySuggestion(t *testing.T) {
	tabletest.Func(t, "suggestKey", suggestKey, []tabletest.Case[string, string]{
		{Name: "top-level typo", In: "directroy", Want: "directory"},
		{Name: "nested typo", In: "menu.flatt", Want: "menu.flat"},
		{Name: "other section's key is not suggested", In: "store.domain", Want: ""},
		{Name: "far from anything", In: "menu.colour_scheme", Want: ""},
	})
}
