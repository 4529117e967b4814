// Package tlshttp sends one HTTP/1.1 request over TLS on a connection of its
// own. Not http.Client: its Transport (and the HTTP/2 client bundled with
// it) adds 700–900 KB to a binary that boot media carries, for the one or
// two requests a run makes (the central config file, the log copy). No
// proxy: on Linux boot media the kernel command line becomes the
// environment, so an HTTPS_PROXY there must not route these. No redirects.
package tlshttp

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
)

// RoundTrip dials req.URL's host (port 443 unless named) with conf, checking
// the certificate against the host name, sends req and reads the answer's
// head. The caller closes the answer's Body, which closes the connection.
// The context's deadline bounds the whole exchange, the body's reading
// included.
func RoundTrip(ctx context.Context, req *http.Request, conf *tls.Config) (*http.Response, error) {
	u := req.URL
	if u == nil || u.Host == "" {
		return nil, errors.New("the URL names no server")
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "443")
	}
	conf = conf.Clone()
	conf.ServerName = u.Hostname()
	d := tls.Dialer{Config: conf}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	req.Header.Set("User-Agent", "imageinvoker")
	req.Close = true
	if err := req.Write(conn); err != nil {
		conn.Close()
		return nil, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		conn.Close()
		return nil, err
	}
	resp.Body = body{resp.Body, conn}
	return resp, nil
}

// body closes the connection with the answer's body.
type body struct {
	io.ReadCloser
	conn net.Conn
}

func (b body) Close() error {
	err := b.ReadCloser.Close()
	if cerr := b.conn.Close(); err == nil {
		err = cerr
	}
	return err
}
