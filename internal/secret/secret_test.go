package secret

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/tabletest"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "pw")
	if err := os.WriteFile(file, []byte("from-file\r\nsecond line\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == EnvVar {
				return v
			}
			return ""
		}
	}
	tabletest.Err(t, "Read", Read, []tabletest.ErrCase[Options, string]{
		{Name: "stdin first line", In: Options{Stdin: true, In: strings.NewReader("s3cret\nignored\n")}, Want: "s3cret"},
		{Name: "stdin without newline", In: Options{Stdin: true, In: strings.NewReader("s3cret")}, Want: "s3cret"},
		{Name: "stdin keeps spaces", In: Options{Stdin: true, In: strings.NewReader(" a b \n")}, Want: " a b "},
		{Name: "stdin empty", In: Options{Stdin: true, In: strings.NewReader("\n")}, WantErr: "empty"},
		{Name: "stdin too long", In: Options{Stdin: true, In: strings.NewReader(strings.Repeat("x", 5000))}, WantErr: "longer"},
		{Name: "file CRLF", In: Options{File: file}, Want: "from-file"},
		{Name: "file missing", In: Options{File: filepath.Join(dir, "nope")}, WantErr: "no such file"},
		{Name: "env", In: Options{Getenv: env("from-env")}, Want: "from-env"},
		{Name: "flag beats env", In: Options{Stdin: true, In: strings.NewReader("s\n"), Getenv: env("from-env")}, Want: "s"},
		{Name: "both flags", In: Options{Stdin: true, File: file}, WantErr: "not both"},
		{Name: "nothing", In: Options{Getenv: env("")}, WantErr: "no password given"},
	})
	if _, err := Read(Options{}); !errors.Is(err, ErrNone) {
		t.Errorf("no source: err = %v; want ErrNone", err)
	}
}

// A password file others may read is refused, as ssh refuses such a key
// (issue 9, attack 7); Windows has ACLs, not mode bits.
func TestPasswordFileReadableByOthersIsRefused(t *testing.T) {
	dir := t.TempDir()
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o660} {
		file := filepath.Join(dir, "pw")
		if err := os.WriteFile(file, []byte("S3cretPW\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(file, mode); err != nil {
			t.Fatal(err)
		}
		got, err := Read(Options{File: file})
		if !errors.Is(err, ErrFileMode) || got != "" || strings.Contains(err.Error(), "S3cretPW") {
			t.Errorf("mode %04o: Read = %q, %v; want ErrFileMode", mode, got, err)
		}
		f, _ := os.Open(file)
		if err := checkPrivate(f, file, "windows"); err != nil {
			t.Errorf("windows: %v", err)
		}
		f.Close()
	}
}

// IMAGEINVOKER_PASSWORD leaves the environment once read, so the reboot
// command and anything else started later cannot inherit it (attack 7).
func TestPasswordFromTheEnvironmentIsRemoved(t *testing.T) {
	t.Setenv(EnvVar, "S3cretPW")
	got, err := Read(Options{Getenv: os.Getenv, Unsetenv: os.Unsetenv})
	if err != nil || got != "S3cretPW" {
		t.Fatalf("Read = %q, %v", got, err)
	}
	if _, still := os.LookupEnv(EnvVar); still {
		t.Errorf("%s is still in the environment", EnvVar)
	}
}

// A value no password can be (a boot line stuffed with 70,000 bytes) is
// refused, not carried on to the DS cipher or a bind.
func TestOverlongPasswordFromTheEnvironment(t *testing.T) {
	long := strings.Repeat("a", 70000)
	if _, err := Read(Options{Getenv: func(string) string { return long }}); err == nil || strings.Contains(err.Error(), long[:20]) {
		t.Errorf("err = %v", err)
	}
}
