package netup

import (
	"bufio"
	"io"
	"path"
	"strings"
)

// aliases is modules.alias: modalias patterns and the module each names.
type aliases []struct{ pattern, module string }

// parseAliases reads modules.alias ("alias PATTERN MODULE" lines).
func parseAliases(r io.Reader) (aliases, error) {
	var out aliases
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 3 && f[0] == "alias" {
			out = append(out, struct{ pattern, module string }{f[1], f[2]})
		}
	}
	return out, sc.Err()
}

// match lists the modules whose pattern matches modalias, in file order,
// each once. The patterns are shell globs (*, ?, [...]), as modprobe reads
// them.
func (a aliases) match(modalias string) []string {
	var out []string
	seen := map[string]bool{}
	for _, al := range a {
		if ok, _ := path.Match(al.pattern, modalias); ok && !seen[al.module] {
			seen[al.module] = true
			out = append(out, al.module)
		}
	}
	return out
}

// deps is modules.dep: a module's file (relative to the modules directory)
// and the files of the modules it needs.
type deps map[string]struct {
	file  string
	needs []string
}

// moduleName is a module file's name as modules.alias spells it:
// "kernel/drivers/net/virtio_net.ko.xz" and "virtio-net.ko" give "virtio_net".
func moduleName(file string) string {
	base := path.Base(file)
	if i := strings.Index(base, ".ko"); i >= 0 {
		base = base[:i]
	}
	return strings.ReplaceAll(base, "-", "_")
}

// parseDeps reads modules.dep ("FILE: DEP DEP ..." lines).
func parseDeps(r io.Reader) (deps, error) {
	out := deps{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		file, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		out[moduleName(file)] = struct {
			file  string
			needs []string
		}{file, strings.Fields(rest)}
	}
	return out, sc.Err()
}

// loadOrder lists the files to load for module, dependencies first. As
// modprobe does, it loads modules.dep's list in reverse (the list starts
// with the module's direct needs, ends with the deepest).
func (d deps) loadOrder(module string) []string {
	m, ok := d[strings.ReplaceAll(module, "-", "_")]
	if !ok {
		return nil
	}
	var out []string
	for i := len(m.needs) - 1; i >= 0; i-- {
		out = append(out, m.needs[i])
	}
	return append(out, m.file)
}
