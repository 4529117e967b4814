package secret

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	cases := []struct {
		name    string
		opts    Options
		want    string
		wantErr string
	}{
		{"stdin first line", Options{Stdin: true, In: strings.NewReader("s3cret\nignored\n")}, "s3cret", ""},
		{"stdin without newline", Options{Stdin: true, In: strings.NewReader("s3cret")}, "s3cret", ""},
		{"stdin keeps spaces", Options{Stdin: true, In: strings.NewReader(" a b \n")}, " a b ", ""},
		{"stdin empty", Options{Stdin: true, In: strings.NewReader("\n")}, "", "empty"},
		{"stdin too long", Options{Stdin: true, In: strings.NewReader(strings.Repeat("x", 5000))}, "", "longer"},
		{"file CRLF", Options{File: file}, "from-file", ""},
		{"file missing", Options{File: filepath.Join(dir, "nope")}, "", "no such file"},
		{"env", Options{Getenv: env("from-env")}, "from-env", ""},
		{"flag beats env", Options{Stdin: true, In: strings.NewReader("s\n"), Getenv: env("from-env")}, "s", ""},
		{"both flags", Options{Stdin: true, File: file}, "", "not both"},
		{"nothing", Options{Getenv: env("")}, "", "no password given"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Read(tc.opts)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v; want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Read = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
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
