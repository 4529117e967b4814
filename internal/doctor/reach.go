package doctor

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/imageinvoker/imageinvoker/pkg/express"
)

// reachCheck is what doctor can learn of a SQL Server without a login
// (store.auth: technician and no password given): the instance's port
// from the SQL Server Browser, a TCP connection, and whether the server
// offers encryption (TLS) in its PRELOGIN answer. Nothing is sent that
// names a user.
func reachCheck(ctx context.Context, d Deps) Check {
	c := Check{Name: "store reach"}
	u, _ := d.Config.Store.Location()
	if u.Dialect != express.DialectSQLServer {
		c.Status, c.Detail = Skip, "skipped: not a sqlserver:// store"
		return c
	}
	timeout := d.Config.Store.Timeout
	ctx, cancel := context.WithTimeout(ctx, 2*timeout)
	defer cancel()
	host, port, inst := u.Host, u.Port, u.Instance
	var steps []string
	if port == "" && inst != "" {
		p, err := browserPort(ctx, d, host, inst, timeout)
		if err != nil {
			c.Status = Fail
			c.Detail = fmt.Sprintf("the SQL Server Browser on %s (UDP 1434) did not give instance %s's port: %v", host, inst, err)
			c.Fix = fmt.Sprintf("Start the SQL Server Browser service and let UDP 1434 through the firewall, or give the port in store.url: sqlserver://%s:PORT?database=eXpress", host)
			return c
		}
		port = p
		steps = append(steps, fmt.Sprintf("the Browser gives instance %s port %s", inst, p))
	}
	if port == "" {
		port = "1433"
	}
	addr := net.JoinHostPort(host, port)
	dctx, dcancel := context.WithTimeout(ctx, timeout)
	conn, err := d.Dial(dctx, "tcp", addr)
	dcancel()
	if err != nil {
		c.Status = Fail
		c.Detail = "no TCP connection to " + addr + ": " + err.Error()
		c.Fix = "Enable TCP/IP for the instance (SQL Server Configuration Manager; SQL Express has it off by default) and let the port through the firewall"
		return c
	}
	defer conn.Close()
	steps = append(steps, "TCP to "+addr+" opened")
	_ = conn.SetDeadline(time.Now().Add(timeout))
	enc, err := prelogin(conn)
	if err != nil {
		c.Status = Warn
		c.Detail = strings.Join(steps, "; ") + "; no PRELOGIN answer: " + err.Error()
		c.Fix = "Check that " + addr + " is SQL Server (and the instance's port)"
		return c
	}
	c.Status, c.Detail = OK, strings.Join(steps, "; ")+"; it offers TLS ("+enc+")"
	if enc == "not supported" {
		c.Status = Warn
		c.Detail = strings.Join(steps, "; ") + "; it does not support encryption"
		c.Fix = "Give SQL Server a certificate (SQL Server Configuration Manager > Protocols > Certificate) so sessions are encrypted"
	}
	c.Detail += "; the login itself needs the technician's password (--user and --password-stdin)"
	return c
}

// browserPort asks the SQL Server Browser (SSRP, UDP 1434) for an
// instance's TCP port: CLNT_UCAST_INST, answered by SVR_RESP with
// "ServerName;..;InstanceName;..;tcp;PORT;;".
func browserPort(ctx context.Context, d Deps, host, inst string, timeout time.Duration) (string, error) {
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := d.Dial(dctx, "udp", net.JoinHostPort(host, "1434"))
	if err != nil {
		return "", err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(timeout))
	if _, err := conn.Write(append([]byte{0x04}, append([]byte(inst), 0)...)); err != nil {
		return "", err
	}
	buf := make([]byte, 4096)
	n, err := conn.Read(buf)
	if err != nil {
		return "", fmt.Errorf("no answer: %w", err)
	}
	if n < 3 || buf[0] != 0x05 {
		return "", errors.New("an answer that is not the Browser's")
	}
	f := strings.Split(string(buf[3:n]), ";")
	for i := 0; i+1 < len(f); i++ {
		if strings.EqualFold(f[i], "tcp") && f[i+1] != "" {
			return f[i+1], nil
		}
	}
	return "", errors.New("the instance has no TCP port (TCP/IP disabled?)")
}

// prelogin sends a TDS PRELOGIN (version and "encryption on") and returns
// the server's ENCRYPTION answer in words.
func prelogin(conn net.Conn) (string, error) {
	// Options: VERSION (6 bytes), ENCRYPTION (1 byte), terminator.
	payload := []byte{
		0x00, 0x00, 11, 0x00, 6,
		0x01, 0x00, 17, 0x00, 1,
		0xFF,
		0, 0, 0, 0, 0, 0, // version 0.0.0.0
		0x01, // ENCRYPT_ON
	}
	hdr := []byte{0x12, 0x01, 0, 0, 0, 0, 1, 0}
	binary.BigEndian.PutUint16(hdr[2:], uint16(len(hdr)+len(payload)))
	if _, err := conn.Write(append(hdr, payload...)); err != nil {
		return "", err
	}
	rh := make([]byte, 8)
	if _, err := io.ReadFull(conn, rh); err != nil {
		return "", err
	}
	if rh[0] != 0x04 {
		return "", fmt.Errorf("TDS packet type %#x, not a server answer", rh[0])
	}
	n := int(binary.BigEndian.Uint16(rh[2:]))
	if n < 8 || n > 4096 {
		return "", errors.New("a malformed TDS answer")
	}
	body := make([]byte, n-8)
	if _, err := io.ReadFull(conn, body); err != nil {
		return "", err
	}
	for i := 0; i+5 <= len(body) && body[i] != 0xFF; i += 5 {
		if body[i] != 0x01 {
			continue
		}
		off, l := int(binary.BigEndian.Uint16(body[i+1:])), int(binary.BigEndian.Uint16(body[i+3:]))
		if l < 1 || off >= len(body) {
			break
		}
		switch body[off] {
		case 0x00:
			return "for the login only (ENCRYPT_OFF)", nil
		case 0x01:
			return "on", nil
		case 0x02:
			return "not supported", nil
		case 0x03:
			return "required", nil
		}
		return fmt.Sprintf("encryption %#x", body[off]), nil
	}
	return "", errors.New("no ENCRYPTION option in the answer")
}
