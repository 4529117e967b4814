package config

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// maxConfigFile is the largest config file read, media or central: a
// config file is a few kilobytes.
const maxConfigFile = maxCentral

// regularFile refuses a config path that is not a plain file: a device,
// a FIFO, a /proc or /dev path (stdin, the console), so that nothing typed
// at the keyboard can become the config, and a read can neither hang nor
// grow without bound.
func regularFile(path string) error {
	if isDevicePath(path) {
		return fmt.Errorf("%s is a device or process path; a config file must be a regular file", path)
	}
	if real, err := filepath.EvalSymlinks(path); err == nil && isDevicePath(real) {
		return fmt.Errorf("%s leads to %s, a device or process path; a config file must be a regular file", path, real)
	}
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if st.IsDir() {
		return fmt.Errorf("%s is a directory; a config file must be a regular file", path)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file (%s); a config file must be a regular file", path, kindOf(st.Mode()))
	}
	return nil
}

func kindOf(m os.FileMode) string {
	switch {
	case m&os.ModeNamedPipe != 0:
		return "a FIFO"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeDevice != 0:
		return "a device"
	}
	return "not a plain file"
}

// isDevicePath spots the paths that name a device or a process's streams
// rather than a file: /dev and /proc on Linux, \\.\ and \\?\ device paths
// and the reserved DOS device names (CON, CONIN$, NUL...) on Windows, and
// "-" (stdin by convention).
func isDevicePath(p string) bool {
	if p == "-" {
		return true
	}
	clean := filepath.ToSlash(p)
	if abs, err := filepath.Abs(p); err == nil && runtime.GOOS != "windows" {
		clean = abs
	}
	for _, dir := range []string{"/dev", "/proc", "/sys"} {
		if clean == dir || strings.HasPrefix(clean, dir+"/") {
			return true
		}
	}
	if strings.HasPrefix(p, `\\.\`) || strings.HasPrefix(p, `\\?\`) || strings.HasPrefix(p, `//./`) || strings.HasPrefix(p, `//?/`) {
		return true
	}
	base := strings.ToUpper(filepath.Base(strings.ReplaceAll(p, `\`, "/")))
	base, _, _ = strings.Cut(base, ".")
	switch strings.TrimRight(base, " :") {
	case "CON", "CONIN$", "CONOUT$", "NUL", "PRN", "AUX", "COM1", "COM2", "COM3", "COM4", "LPT1", "LPT2", "LPT3":
		return true
	}
	return false
}

// readConfigFile reads a config file: a regular file (regularFile), at most
// maxConfigFile bytes, within timeout (a path on a share that stops
// answering must not hang the console; 0: no bound).
func readConfigFile(path string, timeout time.Duration) ([]byte, error) {
	if err := regularFile(path); err != nil {
		return nil, err
	}
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		data, err := readLimited(path)
		done <- result{data, err}
	}()
	if timeout <= 0 {
		r := <-done
		return r.data, r.err
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	select {
	case r := <-done:
		return r.data, r.err
	case <-ctx.Done():
		return nil, fmt.Errorf("no answer within %s", timeout)
	}
}

func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// Checked again on the open file: the path may have been swapped
	// between the check and the open.
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file; a config file must be a regular file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxConfigFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxConfigFile {
		return nil, fmt.Errorf("%s is larger than %d bytes: is it a config file?", path, maxConfigFile)
	}
	return data, nil
}

// mediaConfig is the first config file at a default location (SearchPaths,
// or paths when given) that exists, or "".
func mediaConfig(paths []string) string {
	if paths == nil {
		exe, _ := os.Executable()
		paths = SearchPaths(exe, runtime.GOOS)
	}
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	return ""
}

// checkLocation is the config location policy of the console and `run`:
// when boot media carry a config file at a default location, that file is
// the config, and one named by --config or IMAGEINVOKER_CONFIG (on Linux
// boot media the kernel line becomes the environment and can carry
// IMAGEINVOKER_ARGS="--config ...") is refused unless the media file sets
// policy.allow_overrides. Otherwise anyone at the console could type a
// config that includes the media file, keeps its store credentials and
// names a DC of their own.
func checkLocation(explicit, by, media string) error {
	if explicit == "" || media == "" || samePath(explicit, media) {
		return nil
	}
	data, err := readConfigFile(media, DefaultIncludeTimeout)
	if err != nil {
		return fmt.Errorf("%w: boot media config %s: %w", ErrInvalid, media, err)
	}
	p, err := parseFile(media, data)
	if err != nil {
		return err
	}
	if p.cfg.Policy.AllowOverrides {
		return nil
	}
	return fmt.Errorf("%w: %s names the config file %s, but on the console and in `run` the boot media's own config file %s is the config. "+
		"Drop %s, or set policy: {allow_overrides: true} in %s (the previews menu, explain, config check/show and doctor take --config)",
		ErrInvalid, by, explicit, media, by, media)
}

func samePath(a, b string) bool {
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(sa, sb)
	}
	return errors.Is(errA, os.ErrNotExist) && filepath.Clean(a) == filepath.Clean(b)
}
