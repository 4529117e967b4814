package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"
)

// FileName is the config file name looked for on boot media.
const FileName = "imageinvoker.yaml"

// SearchPaths are where a config file is looked for when none is named, in
// order: next to the executable (the image builder's usual choice), then the
// boot environment's standard places.
func SearchPaths(exe, goos string) []string {
	var out []string
	if exe != "" {
		out = append(out, filepath.Join(filepath.Dir(exe), FileName))
	}
	if goos == "windows" {
		// WinPE mounts its RAM drive as X:; our WinPE script copies the config here.
		out = append(out, `X:\ImageInvoker\`+FileName)
	} else {
		// Where scripts/inject-initrd.sh puts it: found even when /proc is
		// not mounted and the executable cannot name its own folder (a
		// busybox without the mount applet), so a --config from the kernel
		// line cannot pass for the only config there is.
		out = append(out, "/imageinvoker/"+FileName, "/etc/imageinvoker/"+FileName)
	}
	return out
}

// Find returns the config file to use: the explicitly named one (it must
// exist), else the first of SearchPaths that exists, else "".
func Find(explicit string) (string, error) { return find(explicit, nil) }

func find(explicit string, media []string) (string, error) {
	if explicit != "" {
		if err := regularFile(explicit); err != nil {
			if u := errors.Unwrap(err); u != nil {
				err = u
			}
			return "", fmt.Errorf("%w: config file %s: %w", ErrInvalid, explicit, err)
		}
		return explicit, nil
	}
	if p := mediaConfig(media); p != "" {
		if err := regularFile(p); err != nil {
			return "", fmt.Errorf("%w: config file %s: %w", ErrInvalid, p, err)
		}
		return p, nil
	}
	return "", nil
}

var (
	settingName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,39}$`)
	unknownRE   = regexp.MustCompile(`^line (\d+): field (\S+) not found in type config\.(\w+)$`)
	typeRE      = regexp.MustCompile("^line (\\d+): cannot unmarshal !!(\\w+)(?: `(.*)`)? into (\\S+)$")
)

// Parse reads YAML strictly: unknown keys and bad values are errors that
// name the key and the line, and Validate's errors get the line of their key.
func Parse(name string, data []byte) (*Config, error) {
	p, err := parseFile(name, data)
	if err != nil {
		return nil, err
	}
	return p.cfg, nil
}

// parsed is one config file: its values over the defaults, and the keys it
// sets with their lines (for layering and for `config show`).
type parsed struct {
	cfg  *Config
	keys map[string]int
}

func parseFile(name string, data []byte) (*parsed, error) {
	c := Default()
	c.Source = name
	// The node tree finds the dotted key for a line; yaml.v3's own messages
	// name only the line and a Go type, which means nothing to an image builder.
	var root yaml.Node
	_ = yaml.Unmarshal(data, &root)
	if err := plainYAML(&root); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrInvalid, name, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return nil, scrubValues(fmt.Errorf("%w: %s: %s", ErrInvalid, name, friendlyYAML(err, &root)), &root)
	}
	// A second document (after ---) would be ignored silently: an image
	// builder who pasted two configs into one file would never know which won.
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, fmt.Errorf("%w: %s: line %d: a second YAML document; a config file holds exactly one (remove the --- and merge the settings)", ErrInvalid, name, extra.Line)
	}
	if err := c.Validate(); err != nil {
		return nil, scrubValues(annotate(name, &root, err), &root)
	}
	var errs []error
	if c.Include != "" {
		if err := checkInclude(c.Include); err != nil {
			errs = append(errs, fmt.Errorf("line %d: include: %w", findKey(&root, "include"), err))
		}
	}
	if err := checkFingerprint(c.Store.TLSFingerprint); err != nil {
		errs = append(errs, fmt.Errorf("line %d: store.tls_fingerprint %w", findKey(&root, "store.tls_fingerprint"), err))
	}
	errs = append(errs, readSites(name, c, &root)...)
	if c.Site != "" && len(c.Sites) > 0 && c.siteNamed(c.Site) == nil {
		// Checked here only when this file lists the sites: a boot media
		// file may name a site of its central file.
		errs = append(errs, fmt.Errorf("line %d: site: is not one of the sites (%s)", findKey(&root, "site"), strings.Join(c.SiteNames(), ", ")))
	}
	if len(errs) > 0 {
		var parts []string
		for _, e := range errs {
			parts = append(parts, e.Error())
		}
		return nil, scrubValues(fmt.Errorf("%w: %s: %s", ErrInvalid, name, strings.Join(parts, "; ")), &root)
	}
	keys := map[string]int{}
	collectKeys(&root, "", reflect.TypeOf(Config{}), keys)
	return &parsed{cfg: c, keys: keys}, nil
}

// resolveRelative makes a relative ca_file or log file relative to the
// config file's folder. On WinPE the working directory is
// X:\Windows\System32, so "ca.pem" next to imageinvoker.yaml would otherwise
// never be found.
func (c *Config) resolveRelative(dir string) {
	paths := append([]*string{&c.Directory.CAFile, &c.Store.CAFile, &c.Log.File, &c.IncludeCAFile}, c.Directory.domainPaths()...)
	if c.Include != "" && !strings.Contains(c.Include, "://") {
		paths = append(paths, &c.Include)
	}
	for i := range c.Sites {
		paths = append(paths, &c.Sites[i].Directory.CAFile, &c.Sites[i].Store.CAFile)
		paths = append(paths, c.Sites[i].Directory.domainPaths()...)
	}
	for _, p := range paths {
		if *p != "" && !filepath.IsAbs(*p) && !isWindowsAbs(*p) {
			*p = filepath.Join(dir, *p)
		}
	}
}

// isWindowsAbs spots X:\... and \\server\share paths even when the config is
// checked on Linux (image builders validate WinPE configs there too).
func isWindowsAbs(p string) bool {
	return len(p) >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/') || strings.HasPrefix(p, `\\`)
}

var sectionOf = map[string]string{
	"Config": "", "StoreConfig": "store.", "DirectoryConfig": "directory.", "MachineConfig": "machine.",
	"MenuConfig": "menu.", "SessionConfig": "session.", "LookConfig": "look.", "LogConfig": "log.",
	"PolicyConfig": "policy.",
}

const listKeys = "`imageinvoker config sample` lists every key"

// friendlyYAML rewrites yaml.v3's errors so each names the dotted key, the
// line and what to write instead.
func friendlyYAML(err error, root *yaml.Node) string {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		// A syntax error: yaml.v3 only knows the line. Tabs and misaligned
		// keys are what image builders editing in Notepad hit most.
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		return msg + " (check the indentation: spaces only, no tabs, keys of one section lined up, and quote values that contain \": \" or start with [ { * & ! | > ' \" % @)"
	}
	var parts []string
	for _, e := range te.Errors {
		parts = append(parts, friendlyTypeError(strings.TrimSpace(e), root))
	}
	return strings.Join(parts, "; ")
}

func friendlyTypeError(msg string, root *yaml.Node) string {
	if p := unknownRE.FindStringSubmatch(msg); p != nil {
		key := sectionOf[p[3]] + p[2]
		n, _ := strconv.Atoi(p[1])
		if full, _ := keyAtLine(root, n, "", reflect.TypeOf(Config{})); strings.HasPrefix(full, "sites[") {
			// A key inside a site: name the site entry, and suggest within the
			// site's own keys or the section's.
			suggest := suggestKey(key)
			if p[3] == "Site" {
				suggest = closest(p[2], fileKeys(reflect.TypeOf(Site{}), ""))
			}
			if suggest != "" {
				return fmt.Sprintf("line %s: unknown key %s: did you mean %s? (a site may set name, subnets, and keys of store, menu and directory)", p[1], full, suggest)
			}
			return fmt.Sprintf("line %s: unknown key %s (a site may set name, subnets, and keys of store, menu and directory)", p[1], full)
		}
		if !settingName.MatchString(p[2]) {
			// Not a word a setting could be named: perhaps a file named by
			// mistake; its text is not repeated.
			return fmt.Sprintf("line %s: not a setting name (%s)", p[1], listKeys)
		}
		if s := suggestKey(key); s != "" {
			return fmt.Sprintf("line %s: unknown key %s: did you mean %s? (%s)", p[1], key, s, listKeys)
		}
		return fmt.Sprintf("line %s: unknown key %s (%s)", p[1], key, listKeys)
	}
	p := typeRE.FindStringSubmatch(msg)
	if p == nil {
		return msg // ours (FolderNames); parseFile scrubs the file's values
	}
	// Never the value itself: a file named by mistake may be a password
	// file, and errors reach the console and the log. The line and the
	// shape expected are enough to find and fix it.
	line, tag, goType := p[1], p[2], p[4]
	n, _ := strconv.Atoi(line)
	key, _ := keyAtLine(root, n, "", reflect.TypeOf(Config{}))
	prefix := "line " + line + ": "
	if key != "" {
		prefix += key + ": "
	}
	got := "a " + tagName(tag)
	switch {
	case tag == "seq":
		return prefix + "needs a single value, not a list"
	case tag == "map":
		return prefix + "needs a single value, not a section of keys"
	case strings.HasPrefix(goType, "[]"):
		return prefix + "needs a list (one \"- item\" per line, or [a, b]), not " + got
	case strings.HasPrefix(goType, "config."):
		if key == "" {
			return prefix + "this file is not a config file: it holds " + got + " where the settings (key: value lines) should be"
		}
		return prefix + "is a section (keys indented below it), not " + got
	case goType == "time.Duration":
		hint := ""
		if tag == "int" {
			hint = " (a number needs a unit, like 30s)"
		}
		return prefix + "needs a duration like 30s, 5m or 1h30m, not " + got + hint
	case goType == "bool":
		return prefix + "needs true or false, not " + got
	case key == "menu.folder_names":
		return prefix + "needs a DS job folder id (a number like 1000005), not " + got
	case strings.HasPrefix(goType, "int"):
		return prefix + "needs a whole number, not " + got
	}
	return prefix + "needs a valid " + goType + ", not " + got
}

// tagName says what kind of YAML value a tag is, for an error that must
// not quote the value.
func tagName(tag string) string {
	switch tag {
	case "str":
		return "text value"
	case "int":
		return "number"
	case "float":
		return "decimal number"
	case "bool":
		return "true/false value"
	case "null":
		return "empty value"
	}
	return tag + " value"
}

// keyAtLine finds the dotted key whose key or value sits on line. It walks
// the Config type beside the node tree so that it stops at a map setting
// (menu.folder_names): the keys below it are data, not setting names.
func keyAtLine(n *yaml.Node, line int, prefix string, t reflect.Type) (string, *yaml.Node) {
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		return keyAtLine(n.Content[0], line, prefix, t)
	}
	if n.Kind == yaml.SequenceNode && t != nil && t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Struct {
		for i, item := range n.Content {
			if found, node := keyAtLine(item, line, fmt.Sprintf("%s[%d]", prefix, i), t.Elem()); found != "" {
				return found, node
			}
		}
	}
	if n.Kind != yaml.MappingNode || t == nil || t.Kind() != reflect.Struct {
		if n.Line == line {
			return prefix, n
		}
		for _, c := range n.Content {
			if c.Line == line {
				return prefix, c
			}
		}
		return "", nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := k.Value
		if prefix != "" {
			key = prefix + "." + k.Value
		}
		if found, node := keyAtLine(v, line, key, fieldType(t, k.Value)); found != "" {
			return found, node
		}
		if k.Line == line {
			return key, v
		}
	}
	return "", nil
}

// fieldType is the Go type of the field with yaml key name in struct t.
func fieldType(t reflect.Type, name string) reflect.Type {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); tag == name {
			return f.Type
		}
	}
	return nil
}

// fileKeys lists every dotted key a config file may hold.
func fileKeys(t reflect.Type, prefix string) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if tag == "" || tag == "-" {
			continue
		}
		key := prefix + tag
		out = append(out, key)
		if f.Type.Kind() == reflect.Struct && f.Type.PkgPath() == t.PkgPath() {
			out = append(out, fileKeys(f.Type, key+".")...)
		}
	}
	return out
}

// suggestKey returns the known key in the same section closest to a
// misspelt one, if it is close enough to be the likely intent.
func suggestKey(key string) string {
	section := ""
	if i := strings.LastIndex(key, "."); i >= 0 {
		section = key[:i+1]
	}
	best, bestDist := "", 3
	for _, k := range fileKeys(reflect.TypeOf(Config{}), "") {
		ks := ""
		if i := strings.LastIndex(k, "."); i >= 0 {
			ks = k[:i+1]
		}
		if ks != section {
			continue
		}
		if d := editDistance(key, k); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

// closest is the one of keys nearest to key, if it is close enough.
func closest(key string, keys []string) string {
	best, bestDist := "", 3
	for _, k := range keys {
		if strings.Contains(k, ".") {
			continue
		}
		if d := editDistance(key, k); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// annotate prefixes each validation error with the line of its key.
func annotate(name string, root *yaml.Node, err error) error {
	var parts []string
	for _, line := range strings.Split(strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": "), "\n") {
		key, _, _ := strings.Cut(line, ":")
		if n := findKey(root, key); n > 0 {
			line = fmt.Sprintf("line %d: %s", n, line)
		}
		parts = append(parts, line)
	}
	return fmt.Errorf("%w: %s: %s", ErrInvalid, name, strings.Join(parts, "; "))
}

func findKey(root *yaml.Node, dotted string) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := 0
	for _, part := range strings.Split(dotted, ".") {
		if n == nil || n.Kind != yaml.MappingNode {
			return line
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == part {
				line, next = n.Content[i].Line, n.Content[i+1]
				break
			}
		}
		if next == nil {
			return 0
		}
		n = next
	}
	return line
}

// Load reads and validates one config file, and its include.
func Load(path string) (*Config, error) {
	return LoadWith(path, Options{})
}

// Resolve builds the effective config: defaults, then the file (--config,
// IMAGEINVOKER_CONFIG, or the first found on SearchPaths) over its central
// file, then the environment, then the flags that were given; then the
// site; then it validates the result.
func Resolve(fs *pflag.FlagSet, getenv func(string) string) (*Config, error) {
	return ResolveWith(fs, getenv, Options{})
}

// ResolveWith is Resolve with this machine's addresses (for the site) and
// the include's timeout given.
func ResolveWith(fs *pflag.FlagSet, getenv func(string) string, o Options) (*Config, error) {
	explicit, by := getenv("IMAGEINVOKER_CONFIG"), "IMAGEINVOKER_CONFIG"
	if fs != nil {
		if f := fs.Lookup("config"); f != nil && f.Changed {
			explicit, by = f.Value.String(), "--config"
		}
	}
	if o.Boot {
		if err := checkLocation(explicit, by, mediaConfig(o.MediaPaths)); err != nil {
			return nil, err
		}
	}
	path, err := find(explicit, o.MediaPaths)
	if err != nil {
		return nil, err
	}
	c := Default()
	if path != "" {
		if c, err = LoadWith(path, o); err != nil {
			return nil, err
		}
	}
	c.base = c.Clone()
	if err := c.ApplyEnv(getenv); err != nil {
		return nil, err
	}
	if fs != nil {
		if err := c.ApplyFlags(fs); err != nil {
			return nil, err
		}
	}
	if c, err = c.chooseSite(o); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, c.withOrigins(err)
	}
	return c, nil
}

// withOrigins says, for each of Validate's errors, where its value came
// from, since with a central file, sites, variables and flags the key alone
// no longer says which file or flag to fix.
func (c *Config) withOrigins(err error) error {
	msg := strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": ")
	var parts []string
	for _, line := range strings.Split(msg, "\n") {
		key, _, _ := strings.Cut(line, ":")
		if o := c.Origin(key); o.Kind != FromDefault {
			line = o.String() + ": " + line
		}
		parts = append(parts, line)
	}
	return fmt.Errorf("%w: %s", ErrInvalid, strings.Join(parts, "\n"))
}

// plainYAML refuses anchors, aliases and merge keys (<<): with them a key
// can be set without being written (policy: {<<: {allow_overrides: true}}
// slipped past the check of the keys a central file may set, and yaml.v3
// drops merge keys silently in places), so every value is written out.
func plainYAML(root *yaml.Node) error {
	var errs []string
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		switch {
		case n.Kind == yaml.AliasNode:
			errs = append(errs, fmt.Sprintf("line %d: a YAML alias (*%s) is not allowed in a config file: write the value out", n.Line, n.Value))
			return
		case n.Anchor != "":
			errs = append(errs, fmt.Sprintf("line %d: a YAML anchor (&%s) is not allowed in a config file: write each value out", n.Line, n.Anchor))
		case n.Kind == yaml.ScalarNode && (n.Tag == "!!merge" || n.Value == "<<" && n.Style == 0):
			errs = append(errs, fmt.Sprintf("line %d: a YAML merge key (<<) is not allowed in a config file: write each key out", n.Line))
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(root)
	if len(errs) == 0 {
		return nil
	}
	return errors.New(strings.Join(errs, "; "))
}

// scrubValues takes the file's values out of err's message where a check
// quoted them ("..."): errors name the line and the shape expected, never
// what the file holds, since a file named by mistake may be a password file.
func scrubValues(err error, root *yaml.Node) error {
	msg := err.Error()
	var walk func(n *yaml.Node, isKey bool)
	walk = func(n *yaml.Node, isKey bool) {
		if n.Kind == yaml.ScalarNode && !isKey && n.Value != "" {
			repl := "the value"
			msg = strings.ReplaceAll(msg, strconv.Quote(n.Value), repl)
			msg = strings.ReplaceAll(msg, "\""+n.Value+"\"", repl)
		}
		for i, c := range n.Content {
			walk(c, n.Kind == yaml.MappingNode && i%2 == 0)
		}
	}
	walk(root, false)
	if msg == err.Error() {
		return err
	}
	return fmt.Errorf("%w: %s", ErrInvalid, strings.TrimPrefix(msg, ErrInvalid.Error()+": "))
}
