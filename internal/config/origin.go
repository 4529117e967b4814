package config

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/imageinvoker/imageinvoker/pkg/express"
)

// Origin kinds, in increasing precedence (a site's keys sit above both files).
const (
	FromDefault = "default"
	FromCentral = "central"
	FromMedia   = "media"
	FromSite    = "site"
	FromEnv     = "env"
	FromFlag    = "flag"
	// FromChoice: the site was chosen by this machine's addresses or by
	// the technician (sites_prompt); Name says how.
	FromChoice = "chosen"
)

// Origin is where one effective setting came from. For a list or a map the
// whole value comes from one place: layers replace such values, never merge.
type Origin struct {
	Kind string `json:"kind"`
	// File and Line locate a file value (for a site: the sites entry's key).
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	// Name is the variable (IMAGEINVOKER_STORE), the flag (--store) or the site.
	Name string `json:"name,omitempty"`
}

func (o Origin) String() string {
	at := func() string {
		if o.Line > 0 {
			return o.File + " line " + strconv.Itoa(o.Line)
		}
		return o.File
	}
	switch o.Kind {
	case FromCentral:
		return "central file " + at()
	case FromMedia:
		return "media file " + at()
	case FromSite:
		return "site " + o.Name + " (" + at() + ")"
	case FromEnv:
		return "environment " + o.Name
	case FromFlag:
		return "flag " + o.Name
	case FromChoice:
		return "chosen: " + o.Name
	}
	return FromDefault
}

// applied is one setting given by the environment or a flag, kept so that
// ForSite can lay a site under it again.
type applied struct {
	s     Setting
	v, by string
	kind  string
}

// Origin says where the effective value of key (store.url) came from.
func (c *Config) Origin(key string) Origin {
	if o, ok := c.origins[key]; ok {
		return o
	}
	return Origin{Kind: FromDefault}
}

func (c *Config) setOrigin(key string, o Origin) {
	if c.origins == nil {
		c.origins = map[string]Origin{}
	}
	c.origins[key] = o
}

// Clone copies c deeply enough that setting a value of the copy (which
// replaces slices and maps, never edits them in place) leaves c alone.
func (c *Config) Clone() *Config {
	out := *c
	out.origins = maps.Clone(c.origins)
	out.overrides = slices.Clone(c.overrides)
	out.Warnings = slices.Clone(c.Warnings)
	out.later = slices.Clone(c.later)
	if c.Central != nil {
		central := *c.Central
		out.Central = &central
	}
	return &out
}

// field is the settable field of the dotted key in the struct v points into.
func field(v reflect.Value, key string) (reflect.Value, bool) {
	for _, part := range strings.Split(key, ".") {
		if v.Kind() != reflect.Struct {
			return reflect.Value{}, false
		}
		found := false
		for i := 0; i < v.NumField(); i++ {
			if tag, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("yaml"), ","); tag == part {
				v, found = v.Field(i), true
				break
			}
		}
		if !found {
			return reflect.Value{}, false
		}
	}
	return v, true
}

// overlay copies the values of keys from src into dst: a later layer
// replaces exactly the keys it sets, and a list or map as a whole.
func overlay(dst, src *Config, keys map[string]int) {
	d, s := reflect.ValueOf(dst).Elem(), reflect.ValueOf(src).Elem()
	for key := range keys {
		to, ok1 := field(d, key)
		from, ok2 := field(s, key)
		if ok1 && ok2 {
			to.Set(from)
		}
	}
}

// Value is one effective setting, for `config show`.
type Value struct {
	Key string `json:"key"`
	// Value is a string, bool, list of strings, or map; durations as 30s;
	// credentials in the store URL redacted.
	Value  any    `json:"value"`
	Origin Origin `json:"origin"`
}

// Effective lists every setting a config file may hold (the sections'
// keys, the top-level ones, and sites as a whole) with its value and origin.
func (c *Config) Effective() []Value {
	var out []Value
	v := reflect.ValueOf(c).Elem()
	for _, key := range fileKeys(reflect.TypeOf(Config{}), "") {
		f, ok := field(v, key)
		if !ok || f.Kind() == reflect.Struct {
			continue // a section: its keys are listed one by one
		}
		out = append(out, Value{Key: key, Value: showValue(key, f.Interface()), Origin: c.Origin(key)})
	}
	return out
}

// showValue makes a value printable: never a secret, durations as written.
func showValue(key string, v any) any {
	switch x := v.(type) {
	case string:
		if key == "store.url" || key == "include" && strings.Contains(x, "@") {
			return express.RedactURL(x)
		}
		if key == "log.copy_to" && strings.Contains(x, "://") {
			// A pre-signed PUT URL carries its token in the query.
			out := express.RedactURL(x)
			if i := strings.IndexByte(out, '?'); i >= 0 {
				out = out[:i] + "?***"
			}
			return out
		}
		return x
	case time.Duration:
		return x.String()
	case []string:
		return append([]string{}, x...)
	case map[int64]string:
		out := map[string]string{}
		for k, name := range x {
			out[strconv.FormatInt(k, 10)] = name
		}
		return out
	case []Site:
		out := []map[string]any{}
		for _, s := range x {
			out = append(out, map[string]any{"name": s.Name, "subnets": append([]string{}, s.Subnets...)})
		}
		return out
	}
	return v
}

// FormatValue writes a value of Effective on one line.
func FormatValue(v any) string {
	switch x := v.(type) {
	case []string:
		return "[" + strings.Join(x, ", ") + "]"
	case map[string]string:
		keys := slices.Sorted(maps.Keys(x))
		var parts []string
		for _, k := range keys {
			parts = append(parts, k+": "+x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case []map[string]any:
		var parts []string
		for _, s := range x {
			parts = append(parts, fmt.Sprintf("%s %s", s["name"], FormatValue(s["subnets"])))
		}
		return "[" + strings.Join(parts, "; ") + "]"
	case string:
		if x == "" {
			return `""`
		}
		return x
	}
	return fmt.Sprint(v)
}
