package doctor_test

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/doctor"
)

// fakeSQL is a SQL Server Browser (UDP) and a TDS listener that answers
// PRELOGIN with encryption enc; it never sees a login.
type fakeSQL struct {
	udp net.PacketConn
	tcp net.Listener
	// asked is the instance the Browser was asked for.
	asked chan string
}

func startFakeSQL(t *testing.T, port string, enc byte) *fakeSQL {
	t.Helper()
	f := &fakeSQL{asked: make(chan string, 1)}
	var err error
	if f.udp, err = net.ListenPacket("udp", "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	if f.tcp, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.udp.Close(); f.tcp.Close() })
	go func() {
		buf := make([]byte, 512)
		n, from, err := f.udp.ReadFrom(buf)
		if err != nil || n < 2 || buf[0] != 0x04 {
			return
		}
		f.asked <- strings.TrimRight(string(buf[1:n]), "\x00")
		resp := "ServerName;DS1;InstanceName;ALTIRIS;IsClustered;No;Version;15.0.2000.5;tcp;" + port + ";;"
		out := []byte{0x05, 0, 0}
		binary.LittleEndian.PutUint16(out[1:], uint16(len(resp)))
		f.udp.WriteTo(append(out, resp...), from)
	}()
	go func() {
		c, err := f.tcp.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		hdr := make([]byte, 8)
		if _, err := io.ReadFull(c, hdr); err != nil || hdr[0] != 0x12 {
			return
		}
		body := make([]byte, int(binary.BigEndian.Uint16(hdr[2:]))-8)
		io.ReadFull(c, body)
		payload := []byte{0x00, 0x00, 11, 0x00, 6, 0x01, 0x00, 17, 0x00, 1, 0xFF, 15, 0, 7, 208, 0, 0, enc}
		rh := []byte{0x04, 0x01, 0, 0, 0, 0, 1, 0}
		binary.BigEndian.PutUint16(rh[2:], uint16(8+len(payload)))
		c.Write(append(rh, payload...))
	}()
	return f
}

// Without a login (store.auth: technician, no password), doctor still asks
// the Browser for the instance's port, opens TCP and reads whether the
// server offers TLS (issue 23).
func TestStoreReachWithoutLogin(t *testing.T) {
	f := startFakeSQL(t, "14330", 0x03)
	cfg := config.Default()
	cfg.Store.URL = "sqlserver://ds1.uni.edu/ALTIRIS?database=eXpress"
	cfg.Store.Auth = config.AuthTechnician
	cfg.Store.Timeout = 5 * time.Second
	var dialed []string
	d := doctor.Deps{Config: cfg, Network: labNetwork, StoreSkip: "needs the technician's password",
		Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dialed = append(dialed, network+" "+addr)
			var nd net.Dialer
			switch {
			case network == "udp" && addr == "ds1.uni.edu:1434":
				return nd.DialContext(ctx, "udp", f.udp.LocalAddr().String())
			case network == "tcp" && addr == "ds1.uni.edu:14330":
				return nd.DialContext(ctx, "tcp", f.tcp.Addr().String())
			}
			return nil, &net.OpError{Op: "dial", Net: network, Err: io.EOF}
		}}
	r := doctor.Run(context.Background(), d)
	c, ok := r.Find("store reach")
	if !ok || c.Status != doctor.OK {
		t.Fatalf("store reach %+v (dialed %v)", c, dialed)
	}
	for _, want := range []string{"the Browser gives instance ALTIRIS port 14330", "TCP to ds1.uni.edu:14330 opened", "it offers TLS (required)"} {
		if !strings.Contains(c.Detail, want) {
			t.Errorf("detail lacks %q: %s", want, c.Detail)
		}
	}
	if got := <-f.asked; got != "ALTIRIS" {
		t.Errorf("the Browser was asked for %q", got)
	}

	// No Browser answer: the fix names the Browser and host:port.
	cfg2 := *cfg
	cfg2.Store.URL = "sqlserver://ds2.uni.edu/ALTIRIS?database=eXpress"
	cfg2.Store.Timeout = 300 * time.Millisecond
	d.Config = &cfg2
	r = doctor.Run(context.Background(), d)
	c, _ = r.Find("store reach")
	if c.Status != doctor.Fail || !strings.Contains(c.Fix, "SQL Server Browser") || !strings.Contains(c.Fix, "sqlserver://ds2.uni.edu:PORT") {
		t.Errorf("no Browser: %+v", c)
	}
}
