package config

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/spf13/pflag"
)

// typed is what someone at the console would type: a config that includes
// the media file (keeping its store credentials), allows overrides and
// names a DC of their own.
const typed = "directory:\n  dcs: [ldap://rogue:389]\n  allow_plain: true\npolicy:\n  allow_overrides: true\n"

func configFlags(t *testing.T, args ...string) *pflag.FlagSet {
	t.Helper()
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	fs.String("config", "", "")
	addFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return fs
}

func TestConfigLocationIsPolicy(t *testing.T) {
	dir := t.TempDir()
	media := writeFile(t, dir, FileName, "store:\n  url: sqlite:media.db\n")
	other := writeFile(t, t.TempDir(), "typed.yaml", typed)
	boot := Options{Boot: true, MediaPaths: []string{filepath.Join(t.TempDir(), FileName), media}}
	noEnv := func(string) string { return "" }

	t.Run("--config refused", func(t *testing.T) {
		_, err := ResolveWith(configFlags(t, "--config", other), noEnv, boot)
		if !isInvalid(err, "--config", other, media, "allow_overrides") {
			t.Fatalf("err = %v, want --config refused naming the media file", err)
		}
	})
	t.Run("IMAGEINVOKER_CONFIG refused", func(t *testing.T) {
		env := func(k string) string {
			if k == "IMAGEINVOKER_CONFIG" {
				return other
			}
			return ""
		}
		_, err := ResolveWith(configFlags(t), env, boot)
		if !isInvalid(err, "IMAGEINVOKER_CONFIG", media) {
			t.Fatalf("err = %v, want IMAGEINVOKER_CONFIG refused", err)
		}
	})
	t.Run("the media file itself is fine", func(t *testing.T) {
		c, err := ResolveWith(configFlags(t, "--config", media), noEnv, boot)
		if err != nil || c.Source != media {
			t.Fatalf("got %v, %v", c, err)
		}
	})
	t.Run("no flag: the media file", func(t *testing.T) {
		c, err := ResolveWith(configFlags(t), noEnv, boot)
		if err != nil || c.Source != media {
			t.Fatalf("got %v, %v", c, err)
		}
	})
	t.Run("previews keep --config", func(t *testing.T) {
		o := boot
		o.Boot = false
		c, err := ResolveWith(configFlags(t, "--config", other), noEnv, o)
		if err != nil || c.Source != other {
			t.Fatalf("got %v, %v", c, err)
		}
	})
	t.Run("media allows overrides", func(t *testing.T) {
		dir := t.TempDir()
		m := writeFile(t, dir, FileName, "policy:\n  allow_overrides: true\n")
		o := Options{Boot: true, MediaPaths: []string{m}}
		c, err := ResolveWith(configFlags(t, "--config", other), noEnv, o)
		if err != nil || c.Source != other {
			t.Fatalf("got %v, %v", c, err)
		}
	})
	t.Run("no media file: --config is the config", func(t *testing.T) {
		o := Options{Boot: true, MediaPaths: []string{filepath.Join(t.TempDir(), FileName)}}
		c, err := ResolveWith(configFlags(t, "--config", other), noEnv, o)
		if err != nil || c.Source != other {
			t.Fatalf("got %v, %v", c, err)
		}
	})
}

func TestConfigMustBeARegularFile(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "stdin.yaml")
	if err := os.Symlink("/proc/self/fd/0", link); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/proc/self/fd/0", "/dev/stdin", "/dev/console", "/dev/zero", "-", fifo, link, t.TempDir()} {
		t.Run(p, func(t *testing.T) {
			for _, boot := range []bool{false, true} {
				_, err := ResolveWith(configFlags(t, "--config", p), func(string) string { return "" }, Options{Boot: boot, MediaPaths: []string{}})
				if !isInvalid(err, p) || !strings.Contains(err.Error(), "regular file") {
					t.Errorf("boot=%v: err = %v, want refused as not a regular file", boot, err)
				}
			}
		})
	}
}

func TestMediaAtDefaultLocationMustBeARegularFile(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), FileName)
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := ResolveWith(configFlags(t), func(string) string { return "" }, Options{Boot: true, MediaPaths: []string{fifo}})
	if !isInvalid(err, fifo, "regular file") {
		t.Fatalf("err = %v, want the FIFO refused", err)
	}
}
