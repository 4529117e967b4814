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
)

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
			s, err := express.Open(context.Background(), tt.url, tt.opts)
			if err == nil {
				s.Close()
				t.Fatal("open succeeded against a closed port")
			}
			if !errors.Is(err, express.ErrUnreachable) {
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
	s, err := express.Open(context.Background(), "sqlserver://sa:Pw-9876@"+ln.Addr().String()+"?database=eXpress", express.OpenOptions{Timeout: 300 * time.Millisecond})
	if err == nil {
		s.Close()
		t.Fatal("open succeeded against a silent server")
	}
	if !errors.Is(err, express.ErrUnreachable) || strings.Contains(err.Error(), "Pw-9876") || !strings.Contains(err.Error(), ln.Addr().String()) {
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
		{"unknown scheme", "mysql://root:pw123@db/x", express.OpenOptions{}, nil, "pw123"},
		{"missing sqlite file", "sqlite:" + filepath.Join(t.TempDir(), "nope.db"), express.OpenOptions{}, express.ErrUnreachable, ""},
		{"empty sqlite path", "sqlite:", express.OpenOptions{}, nil, ""},
		{"ntlm user without domain", "sqlserver://127.0.0.1:1", express.OpenOptions{NTLMUser: "tech1", NTLMPassword: "pw123"}, nil, "pw123"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := express.Open(context.Background(), tt.url, tt.opts)
			if err == nil {
				s.Close()
				t.Fatal("open succeeded")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.hide != "" && strings.Contains(err.Error(), tt.hide) {
				t.Errorf("error shows the password: %v", err)
			}
		})
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
	if !errors.Is(err, express.ErrSchema) {
		t.Fatalf("err = %v, want ErrSchema", err)
	}
	if !strings.Contains(err.Error(), "computer_group") || !strings.Contains(err.Error(), "doctor") {
		t.Errorf("message lacks the table or the next step: %v", err)
	}
}

func TestCheckSchema(t *testing.T) {
	s := basicStore(t)
	ctx := context.Background()
	checks := s.CheckSchema(ctx)
	if len(checks) != 13 {
		t.Errorf("%d tables checked, want 13", len(checks))
	}
	for _, c := range checks {
		if !c.OK || c.Err != nil {
			t.Errorf("%s: OK=%v err=%v on the fixture schema", c.Table, c.OK, c.Err)
		}
	}
	for _, stmt := range []string{"DROP TABLE securityrightlink", "DROP INDEX ix_nics_mac", "ALTER TABLE nics DROP COLUMN mac_addr"} {
		if _, err := s.DB().Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	bad := map[string]bool{}
	for _, c := range s.CheckSchema(ctx) {
		if !c.OK {
			bad[c.Table] = true
			if !errors.Is(c.Err, express.ErrSchema) {
				t.Errorf("%s: err = %v, want ErrSchema", c.Table, c.Err)
			}
		}
	}
	if len(bad) != 2 || !bad["securityrightlink"] || !bad["nics"] {
		t.Errorf("failing tables = %v, want securityrightlink (missing) and nics (missing column)", bad)
	}
}
