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
