package logging

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLogFileAndRing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "imageinvoker.log")
	l, err := Open(Options{File: path})
	if err != nil {
		t.Fatal(err)
	}
	l.Info("signed in", "user", `LAB\alice`, "password", "hunter2")
	l.Debug("hidden at info level")
	for i := 0; i < 250; i++ {
		l.Info("step", "n", i)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	if strings.Contains(text, "hunter2") {
		t.Errorf("log file holds the password:\n%s", text)
	}
	if !strings.Contains(text, `user=LAB\alice`) || !strings.Contains(text, "password=[redacted]") {
		t.Errorf("log file lacks the sign-in line:\n%.300s", text)
	}
	if strings.Contains(text, "hidden at info level") {
		t.Error("debug line logged without Debug")
	}
	last := l.Last(3)
	if len(last) != 3 || !strings.Contains(last[2], "n=249") || !strings.Contains(last[0], "n=247") {
		t.Errorf("Last(3) = %q", last)
	}
	if got := len(l.Last(1000)); got != 200 {
		t.Errorf("ring keeps %d lines, want 200", got)
	}
}

func TestUnwritableLogFileStillLogs(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := Open(Options{File: filepath.Join(blocker, "x.log")})
	if err == nil {
		t.Fatal("want an error for a log path under a regular file")
	}
	l.Info("still here")
	if got := l.Last(1); len(got) != 1 || !strings.Contains(got[0], "still here") {
		t.Errorf("in-memory log lost the line: %q", got)
	}
}
