// Package secret reads a password the way scripts can give one without it
// showing up in argv (ps) or shell history: from stdin, from a file, or from
// IMAGEINVOKER_PASSWORD. There is deliberately no --password flag.
package secret

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"github.com/spf13/pflag"
)

// EnvVar is the environment variable a password may come from.
const EnvVar = "IMAGEINVOKER_PASSWORD"

// maxLen bounds what is read: AD passwords stop at 256 characters.
const maxLen = 1024

// ErrNone means no password source was given.
var ErrNone = errors.New("no password given: use --password-stdin, --password-file FILE or the IMAGEINVOKER_PASSWORD variable")

// Options are the password sources; at most one of Stdin and File.
type Options struct {
	Stdin  bool   // read the first line of In
	File   string // read the first line of this file
	In     io.Reader
	Getenv func(string) string
	// Unsetenv, when set, removes IMAGEINVOKER_PASSWORD once read, so no
	// child process (the reboot command) and no later reader inherits it.
	Unsetenv func(string) error
}

// Read returns the password. Only the first line counts and its line ending
// is dropped, so `echo pw |` and files written by editors both work. The
// error never holds the password.
func Read(o Options) (string, error) {
	switch {
	case o.Stdin && o.File != "":
		return "", errors.New("give the password one way: --password-stdin or --password-file, not both")
	case o.Stdin:
		if o.In == nil {
			return "", errors.New("read password from stdin: no stdin")
		}
		return firstLine(o.In, "stdin")
	case o.File != "":
		f, err := os.Open(o.File)
		if err != nil {
			return "", fmt.Errorf("read password file: %w", err)
		}
		defer f.Close()
		if err := checkPrivate(f, o.File, runtime.GOOS); err != nil {
			return "", err
		}
		return firstLine(f, o.File)
	}
	if o.Getenv != nil {
		if v := o.Getenv(EnvVar); v != "" {
			if o.Unsetenv != nil {
				_ = o.Unsetenv(EnvVar)
			}
			if len(v) > maxLen {
				return "", fmt.Errorf("%s is longer than %d bytes: that is not a password", EnvVar, maxLen)
			}
			return v, nil
		}
	}
	return "", ErrNone
}

// ErrFileMode marks a password file others may read.
var ErrFileMode = errors.New("password file readable by others")

// checkPrivate refuses a password file readable by group or others, as ssh
// refuses such a private key: whoever else can read it has the password.
// Windows permissions are ACLs, not mode bits, so it is not checked there.
func checkPrivate(f *os.File, name, goos string) error {
	if goos == "windows" {
		return nil
	}
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("read password file: %w", err)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("%w: %s has mode %04o: it must be readable by its owner only (chmod 600 %s)", ErrFileMode, name, perm, name)
	}
	return nil
}

func firstLine(r io.Reader, from string) (string, error) {
	line, err := bufio.NewReaderSize(io.LimitReader(r, maxLen+2), maxLen+2).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from %s: %w", from, err)
	}
	if len(line) > maxLen && !strings.HasSuffix(line, "\n") {
		return "", fmt.Errorf("read password from %s: longer than %d bytes", from, maxLen)
	}
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if line == "" {
		return "", fmt.Errorf("read password from %s: it is empty", from)
	}
	return line, nil
}

// AddFlags registers --password-stdin and --password-file, bound to stdin
// and file: every command that takes a password offers the same two ways
// (plus IMAGEINVOKER_PASSWORD), and never a --password flag.
func AddFlags(fs *pflag.FlagSet, stdin *bool, file *string) {
	fs.BoolVar(stdin, "password-stdin", false, "read the password from the first line of stdin")
	fs.StringVar(file, "password-file", "", "read the password from the first line of this file (else env "+EnvVar+")")
}
