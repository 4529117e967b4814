// Package logging writes what happened at each step to a log file — on boot
// media, the RAM drive — and keeps the last lines in memory for the Error
// screen. It never sees a password: callers log outcomes, not inputs, and
// attributes named like secrets are dropped as a second line of defence.
package logging

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Logger is an slog.Logger with its recent lines and its file.
type Logger struct {
	*slog.Logger
	ring *ring
	file *os.File
	path string
}

// Options choose where the log goes.
type Options struct {
	File  string // "" for no file (lines are still kept in memory)
	Debug bool
	// Stderr also receives the log when set (scripts with --debug).
	Stderr io.Writer
}

// Open opens the log. A log file that cannot be written is not fatal on
// boot media (read-only media, no RAM drive): the error is returned with a
// working in-memory logger so the caller can warn and carry on.
func Open(o Options) (*Logger, error) {
	level := slog.LevelInfo
	if o.Debug {
		level = slog.LevelDebug
	}
	l := &Logger{ring: &ring{max: 200}}
	writers := []io.Writer{l.ring}
	var ferr error
	if o.File != "" {
		if err := os.MkdirAll(filepath.Dir(o.File), 0o755); err != nil {
			ferr = fmt.Errorf("log file %s: %w", o.File, err)
		} else if f, err := os.OpenFile(o.File, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600); err != nil {
			ferr = fmt.Errorf("log file %s: %w", o.File, err)
		} else {
			l.file, l.path = f, o.File
			writers = append(writers, f)
		}
	}
	if o.Stderr != nil && o.Debug {
		writers = append(writers, o.Stderr)
	}
	h := slog.NewTextHandler(io.MultiWriter(writers...), &slog.HandlerOptions{Level: level, ReplaceAttr: redact})
	l.Logger = slog.New(h)
	return l, ferr
}

// Discard is a logger that keeps nothing.
func Discard() *Logger {
	return &Logger{Logger: slog.New(slog.DiscardHandler), ring: &ring{max: 0}}
}

// Last returns up to n of the most recent log lines.
func (l *Logger) Last(n int) []string { return l.ring.last(n) }

// Close closes the log file.
func (l *Logger) Close() error {
	if l.file == nil {
		return nil
	}
	return l.file.Close()
}

var secretKeys = []string{"password", "passwd", "pwd", "secret", "token"}

// redact drops attributes whose key looks like a secret.
func redact(_ []string, a slog.Attr) slog.Attr {
	k := strings.ToLower(a.Key)
	for _, s := range secretKeys {
		if strings.Contains(k, s) {
			return slog.String(a.Key, "[redacted]")
		}
	}
	return a
}

type ring struct {
	mu    sync.Mutex
	max   int
	lines []string
	part  bytes.Buffer
}

func (r *ring) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.max == 0 {
		return len(p), nil
	}
	r.part.Write(p)
	for {
		line, err := r.part.ReadString('\n')
		if err != nil {
			r.part.Reset()
			r.part.WriteString(line)
			break
		}
		r.lines = append(r.lines, strings.TrimRight(line, "\n"))
		if len(r.lines) > r.max {
			r.lines = r.lines[len(r.lines)-r.max:]
		}
	}
	return len(p), nil
}

func (r *ring) last(n int) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if n > len(r.lines) {
		n = len(r.lines)
	}
	return append([]string(nil), r.lines[len(r.lines)-n:]...)
}
