package logging

import (
	"context"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// The start line names the build, the config and the site; the end line
// the exit code and the error table's sentence, for an *exitcode.Error and
// a bare sentinel alike (issue 23).
func TestStartAndEndLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ii.log")
	l, err := Open(Options{File: path})
	if err != nil {
		t.Fatal(err)
	}
	l.Start(RunInfo{Command: "console", Version: "1.2.3 (commit abc)", Config: `X:\ImageInvoker\imageinvoker.yaml`, ConfigSHA256: "ab12", Label: "North", Site: "north"})
	l.End(fmt.Errorf("load: %w", model.ErrStoreUnreachable))
	l.End(exitcode.New(exitcode.NotPermitted, "not on your menu"))
	l.End(nil)
	l.Close()
	data, _ := os.ReadFile(path)
	text := string(data)
	for _, want := range []string{
		`msg=start command=console version="1.2.3 (commit abc)" config=X:\ImageInvoker\imageinvoker.yaml config_sha256=ab12 label=North site=north`,
		`level=ERROR msg=end exit=8 error="load: ` + model.ErrStoreUnreachable.Error(),
		`level=ERROR msg=end exit=5 error="not on your menu"`,
		`level=INFO msg=end exit=0`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("log lacks %s:\n%s", want, text)
		}
	}
}

func TestCopyToFolder(t *testing.T) {
	dir := t.TempDir()
	l, _ := Open(Options{File: filepath.Join(dir, "ii.log")})
	l.Info("hello")
	dest := t.TempDir()
	name := CopyName(time.Date(2026, 12, 7, 1, 2, 3, 0, time.UTC), "MININT-AB/12")
	if name != "imageinvoker-20261207T010203Z-MININT-AB_12.log" {
		t.Errorf("name %q", name)
	}
	if err := l.Copy(context.Background(), CopyOptions{To: dest, Name: name}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dest, name))
	if err != nil || !strings.Contains(string(data), "msg=hello") {
		t.Errorf("copy: %v %q", err, data)
	}
	// No log file: the lines kept in memory are copied.
	mem, _ := Open(Options{})
	mem.Info("in memory")
	if err := mem.Copy(context.Background(), CopyOptions{To: dest, Name: "m.log"}); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(filepath.Join(dest, "m.log")); !strings.Contains(string(data), "in memory") {
		t.Errorf("memory copy %q", data)
	}
	if err := mem.Copy(context.Background(), CopyOptions{To: filepath.Join(dest, "missing"), Name: "m.log"}); err == nil {
		t.Error("a copy into a missing folder succeeded")
	}
}

// The log is PUT over https to a server whose CA is the configured one;
// plain http is refused before anything is sent.
func TestCopyToHTTPS(t *testing.T) {
	var got []byte
	var gotPath string
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPut {
			http.Error(w, "PUT only", http.StatusMethodNotAllowed)
			return
		}
		gotPath = r.URL.Path
		got, _ = io.ReadAll(r.Body)
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	l, _ := Open(Options{})
	l.Info("over https")
	if err := l.Copy(context.Background(), CopyOptions{To: srv.URL + "/logs/", Name: "a.log", CAFile: ca}); err != nil {
		t.Fatal(err)
	}
	if gotPath != "/logs/a.log" || !strings.Contains(string(got), "over https") {
		t.Errorf("server got %s %q", gotPath, got)
	}
	// Without the CA the server is not trusted.
	if err := l.Copy(context.Background(), CopyOptions{To: srv.URL + "/logs/", Name: "b.log"}); err == nil {
		t.Error("an untrusted server took the log")
	}
	for _, to := range []string{"http://logs.uni.edu/", "ftp://x/"} {
		if err := l.Copy(context.Background(), CopyOptions{To: to, Name: "c.log"}); err == nil || !strings.Contains(err.Error(), "https://") {
			t.Errorf("%s: %v", to, err)
		}
	}
}

// A failed copy's warning reaches the console: it quotes the URL without
// its credentials, neither user info nor a query's token (a pre-signed PUT
// URL, such as a storage account's SAS, carries its secret there).
func TestCopyErrorHidesURLSecrets(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	l, _ := Open(Options{})
	to := strings.Replace(srv.URL, "https://", "https://logger:PW-SECRET@", 1) + "/logs/a.log?sv=2024&sig=SIG-SECRET"
	err := l.Copy(context.Background(), CopyOptions{To: to, Name: "a.log"}) // untrusted: fails
	if err == nil {
		t.Fatal("an untrusted server took the log")
	}
	if strings.Contains(err.Error(), "SECRET") || !strings.Contains(err.Error(), "/logs/a.log") {
		t.Errorf("error quotes a secret or not the URL: %v", err)
	}
}
