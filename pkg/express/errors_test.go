package express_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/imageinvoker/imageinvoker/pkg/express"
	"github.com/imageinvoker/imageinvoker/pkg/express/expresstest"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// openFails opens a store that must not open and returns why it did not.
func openFails(t *testing.T, url string, opts express.OpenOptions) error {
	t.Helper()
	s, err := express.Open(context.Background(), expresstest.URL(t, url), opts)
	if err == nil {
		s.Close()
		t.Fatal("open succeeded")
	}
	return err
}

// Nothing listens on port 1 of the loopback address: the dial is refused at
// once, which is the "SQL Server does not accept TCP" case.
func TestOpenUnreachable(t *testing.T) {
	const secret = "S3cret-Pa55"
	tests := []struct {
		name string
		url  string
		opts express.OpenOptions
	}{
		{"sql login in url", "sqlserver://sa:" + secret + "@127.0.0.1:1?database=eXpress", express.OpenOptions{Timeout: 3 * time.Second}},
		{"escaped password", "sqlserver://sa:" + secret + "%40x@127.0.0.1:1?database=eXpress", express.OpenOptions{Timeout: 3 * time.Second}},
		{"ntlm technician", "sqlserver://127.0.0.1:1?database=eXpress", express.OpenOptions{Timeout: 3 * time.Second, NTLMUser: `LAB\tech1`, NTLMPassword: secret}},
		{"password in query", "sqlserver://127.0.0.1:1?database=eXpress&user+id=sa&password=" + secret, express.OpenOptions{Timeout: 3 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := openFails(t, tt.url, tt.opts)
			if !errors.Is(err, model.ErrStoreUnreachable) {
				t.Errorf("err = %v, want ErrUnreachable", err)
			}
			// Every way the error can be printed, including its causes.
			for _, text := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
				if strings.Contains(text, secret) {
					t.Errorf("error shows the password: %s", text)
				}
			}
			for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
				if strings.Contains(e.Error(), secret) {
					t.Errorf("wrapped error shows the password: %s", e)
				}
			}
			msg := err.Error()
			if !strings.Contains(msg, "127.0.0.1:1") || !strings.Contains(msg, "check the store URL") {
				t.Errorf("message lacks the address or the next step: %s", msg)
			}
		})
	}
}

// A server that accepts TCP but never answers the TDS prelogin: the store
// timeout ends the wait with ErrUnreachable instead of hanging the console.
func TestOpenSilentServerTimesOut(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	err = openFails(t, "sqlserver://sa:Pw-9876@"+ln.Addr().String()+"?database=eXpress", express.OpenOptions{Timeout: 300 * time.Millisecond})
	if !errors.Is(err, model.ErrStoreUnreachable) || strings.Contains(err.Error(), "Pw-9876") || !strings.Contains(err.Error(), ln.Addr().String()) {
		t.Errorf("err = %v, want ErrUnreachable naming the address, without the password", err)
	}
}

func TestOpenBadURLs(t *testing.T) {
	tests := []struct {
		name    string
		url     string
		opts    express.OpenOptions
		wantErr error
		hide    string
	}{
		{"missing sqlite file", "sqlite:" + filepath.Join(t.TempDir(), "nope.db"), express.OpenOptions{}, model.ErrStoreUnreachable, ""},
		{"ntlm user without domain", "sqlserver://127.0.0.1:1", express.OpenOptions{NTLMUser: "tech1", NTLMPassword: "pw123"}, nil, "pw123"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := openFails(t, tt.url, tt.opts)
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.hide != "" && strings.Contains(err.Error(), tt.hide) {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
	// A URL ParseURL did not make (the zero URL) opens nothing; ParseURL's
	// own refusals are TestParseURLRefuses.
	if s, err := express.Open(context.Background(), express.URL{}, express.OpenOptions{}); err == nil {
		s.Close()
		t.Error("Open(URL{}) succeeded")
	}
}

func TestMissingTableIsSchemaError(t *testing.T) {
	s := basicStore(t)
	ctx := context.Background()
	c := pc01(t, s)
	if _, err := s.DB().Exec("DROP TABLE computer_group"); err != nil {
		t.Fatal(err)
	}
	_, err := s.Snapshot(ctx, c, tech1, express.SnapshotOptions{})
	if !errors.Is(err, model.ErrSchema) {
		t.Fatalf("err = %v, want ErrSchema", err)
	}
	if !strings.Contains(err.Error(), "computer_group") || !strings.Contains(err.Error(), "doctor") {
		t.Errorf("message lacks the table or the next step: %v", err)
	}
}

// Discovery maps every name at open; a database in the old layout (user
// names in securityuser.name, reboot_task.power_type) is refused at open
// with the table and column named, and with Diagnose it opens so doctor can
// show the whole mapping.
func TestDiscoveryRefusesOldLayout(t *testing.T) {
	ctx := context.Background()
	s := basicStore(t)
	sc, err := s.Schema(ctx)
	if err != nil {
		t.Fatalf("fixture schema refused: %v", err)
	}
	if len(sc.Tables) != 15 || len(sc.Missing) != 0 || sc.Security.Known {
		t.Errorf("tables %d, missing %v, security %+v", len(sc.Tables), sc.Missing, sc.Security)
	}
	path := expresstest.NewFile(t)
	expresstest.Exec(t, path,
		"ALTER TABLE securityuser RENAME COLUMN username TO name",
		"ALTER TABLE reboot_task RENAME COLUMN reboot_method TO power_type",
		"DROP TABLE nics",
	)
	_, err = express.Open(ctx, expresstest.URL(t, "sqlite:"+path), express.OpenOptions{})
	if !errors.Is(err, model.ErrSchema) {
		t.Fatalf("old layout opened: err = %v", err)
	}
	for _, want := range []string{"table reboot_task has no column reboot_method", "table securityuser has no column username", "no table nics", "doctor"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q: %v", want, err)
		}
	}
	d, err := express.Open(ctx, expresstest.URL(t, "sqlite:"+path), express.OpenOptions{Diagnose: true})
	if err != nil {
		t.Fatalf("Diagnose open: %v", err)
	}
	defer d.Close()
	sc, err = d.Schema(ctx)
	if !errors.Is(err, model.ErrSchema) || len(sc.Missing) != 3 {
		t.Fatalf("Schema after Diagnose open: missing %v, err %v", sc.Missing, err)
	}
	if _, err := d.Snapshot(ctx, model.Computer{ID: 5000001}, tech1, express.SnapshotOptions{}); !errors.Is(err, model.ErrSchema) {
		t.Errorf("a menu was loaded from the old layout: %v", err)
	}
}

// DS's cipher is reversible, so the password column is not needed for
// menus: a login that may not read it builds menus, and only a DS console
// account sign-in is refused, saying why.
func TestMenusWithoutThePasswordColumn(t *testing.T) {
	ctx := context.Background()
	path := expresstest.NewFile(t, expresstest.Fixture(t, "basic.sql"))
	expresstest.Exec(t, path, "ALTER TABLE securityuser DROP COLUMN password")
	s := expresstest.Open(t, path, express.OpenOptions{})
	c := pc01(t, s)
	snap, err := s.Snapshot(ctx, c, tech1, express.SnapshotOptions{})
	if err != nil || len(snap.Principals) != 2 {
		t.Fatalf("menu without securityuser.password: %v, %+v", err, snap)
	}
	_, err = s.SignInDSAccount(ctx, `.\tech2`, "s3cret")
	if !errors.Is(err, model.ErrSchema) || !strings.Contains(err.Error(), "securityuser.password") {
		t.Errorf("DS account sign-in: %v", err)
	}
}
