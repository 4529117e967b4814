package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"

	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"
)

// FileName is the config file name looked for on boot media.
const FileName = "imageinvoker.yaml"

// SearchPaths are where a config file is looked for when none is named, in
// order: next to the executable (the image builder's usual choice), then the
// boot environment's standard place.
func SearchPaths(exe, goos string) []string {
	var out []string
	if exe != "" {
		out = append(out, filepath.Join(filepath.Dir(exe), FileName))
	}
	if goos == "windows" {
		// WinPE mounts its RAM drive as X:; our WinPE script copies the config here.
		out = append(out, `X:\ImageInvoker\`+FileName)
	} else {
		out = append(out, "/etc/imageinvoker/"+FileName)
	}
	return out
}

// Find returns the config file to use: the explicitly named one (it must
// exist), else the first of SearchPaths that exists, else "".
func Find(explicit string) (string, error) {
	if explicit != "" {
		if _, err := os.Stat(explicit); err != nil {
			return "", fmt.Errorf("%w: config file %s: %w", ErrInvalid, explicit, errors.Unwrap(err))
		}
		return explicit, nil
	}
	exe, _ := os.Executable()
	for _, p := range SearchPaths(exe, runtime.GOOS) {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	return "", nil
}

var lineRE = regexp.MustCompile(`line (\d+): field (\S+) not found in type config\.(\w+)`)

// Parse reads YAML strictly: unknown keys and bad values are errors that
// name the key and the line, and Validate's errors get the line of their key.
func Parse(name string, data []byte) (*Config, error) {
	c := Default()
	c.Source = name
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: %s: %s", ErrInvalid, name, friendlyYAML(err))
	}
	if err := c.Validate(); err != nil {
		var root yaml.Node
		_ = yaml.Unmarshal(data, &root)
		return nil, annotate(name, &root, err)
	}
	return c, nil
}

var sectionOf = map[string]string{
	"Config": "", "StoreConfig": "store.", "DirectoryConfig": "directory.", "MachineConfig": "machine.",
	"MenuConfig": "menu.", "SessionConfig": "session.", "LookConfig": "look.", "LogConfig": "log.",
}

func friendlyYAML(err error) string {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: unmarshal errors:\n")
	msg = lineRE.ReplaceAllStringFunc(msg, func(m string) string {
		p := lineRE.FindStringSubmatch(m)
		return fmt.Sprintf("line %s: unknown key %s%s (see the sample config for the keys there are)", p[1], sectionOf[p[3]], p[2])
	})
	msg = strings.ReplaceAll(msg, "cannot unmarshal !!str", "cannot use")
	msg = strings.ReplaceAll(msg, "cannot unmarshal !!int", "cannot use")
	msg = strings.ReplaceAll(msg, "cannot unmarshal !!seq", "cannot use a list")
	msg = strings.ReplaceAll(msg, "cannot unmarshal !!map", "cannot use a section")
	msg = strings.ReplaceAll(msg, "` into ", "` as ")
	var lines []string
	for _, l := range strings.Split(msg, "\n") {
		lines = append(lines, strings.TrimSpace(l))
	}
	return strings.Join(lines, "; ")
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

// Load reads and validates one config file.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: read config: %w", ErrInvalid, err)
	}
	return Parse(path, data)
}

// Resolve builds the effective config: defaults, then the file (--config,
// IMAGEINVOKER_CONFIG, or the first found on SearchPaths), then the
// environment, then the flags that were given; then it validates the result.
func Resolve(fs *pflag.FlagSet, getenv func(string) string) (*Config, error) {
	explicit := getenv("IMAGEINVOKER_CONFIG")
	if fs != nil {
		if f := fs.Lookup("config"); f != nil && f.Changed {
			explicit = f.Value.String()
		}
	}
	path, err := Find(explicit)
	if err != nil {
		return nil, err
	}
	c := Default()
	if path != "" {
		if c, err = Load(path); err != nil {
			return nil, err
		}
	}
	if err := c.ApplyEnv(getenv); err != nil {
		return nil, err
	}
	if fs != nil {
		if err := c.ApplyFlags(fs); err != nil {
			return nil, err
		}
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}
