package expresstest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"errors"
	"io"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"
)

// TDS packet types (MS-TDS 2.2.3.1.1).
const (
	TDSReply    = 0x04
	TDSLogin7   = 0x10
	TDSPrelogin = 0x12
)

// FakeTDS is a rogue SQL Server: it answers PRELOGIN with the encryption
// byte given (ENCRYPT_NOT_SUP = 2, ENCRYPT_ON = 1) and, when cert is set,
// does the TLS handshake inside PRELOGIN packets as SQL Server does. It
// records the type of every TDS packet that reaches it in clear, and the
// first packet's type after a completed handshake.
type FakeTDS struct {
	Addr    string
	encrypt byte
	cert    *tls.Certificate

	mu         sync.Mutex
	clear      []byte // packet types received outside TLS
	inTLS      []byte // packet types received inside TLS
	handshaked bool
}

func StartFakeTDS(t *testing.T, encrypt byte, cert *tls.Certificate) *FakeTDS {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	f := &FakeTDS{Addr: ln.Addr().String(), encrypt: encrypt, cert: cert}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go f.serve(c)
		}
	}()
	return f
}

func readPacket(r io.Reader) (typ byte, payload []byte, err error) {
	var h [8]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return 0, nil, err
	}
	n := int(binary.BigEndian.Uint16(h[2:4]))
	if n < 8 {
		return 0, nil, errors.New("short packet")
	}
	payload = make([]byte, n-8)
	_, err = io.ReadFull(r, payload)
	return h[0], payload, err
}

func writePacket(w io.Writer, typ byte, payload []byte) error {
	h := []byte{typ, 0x01, 0, 0, 0, 0, 1, 0}
	binary.BigEndian.PutUint16(h[2:4], uint16(8+len(payload)))
	_, err := w.Write(append(h, payload...))
	return err
}

func (f *FakeTDS) note(inTLS bool, typ byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if inTLS {
		f.inTLS = append(f.inTLS, typ)
	} else {
		f.clear = append(f.clear, typ)
	}
}

func (f *FakeTDS) Seen() (clear, inTLS []byte, handshaked bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]byte(nil), f.clear...), append([]byte(nil), f.inTLS...), f.handshaked
}

// serve answers one connection.
func (f *FakeTDS) serve(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	typ, _, err := readPacket(c)
	if err != nil {
		return
	}
	f.note(false, typ)
	// PRELOGIN answer: VERSION (6 bytes) and ENCRYPTION (1 byte).
	opts := []byte{
		0x00, 0, 11, 0, 6, // VERSION at offset 11
		0x01, 0, 17, 0, 1, // ENCRYPTION at offset 17
		0xff,
		16, 0, 0x07, 0xd0, 0, 0, // 16.0.2000
		f.encrypt,
	}
	if err := writePacket(c, TDSReply, opts); err != nil {
		return
	}
	if f.encrypt == 2 || f.cert == nil {
		// No encryption: whatever comes next arrives in clear.
		for {
			typ, _, err := readPacket(c)
			if err != nil {
				return
			}
			f.note(false, typ)
		}
	}
	w := &tdsWrapped{c: c}
	tc := tls.Server(w, &tls.Config{Certificates: []tls.Certificate{*f.cert}})
	if err := tc.Handshake(); err != nil {
		return
	}
	f.mu.Lock()
	f.handshaked = true
	f.mu.Unlock()
	w.raw = true // after the handshake TLS records travel bare
	if typ, _, err := readPacket(tc); err == nil {
		f.note(true, typ)
	}
}

// tdsWrapped carries the TLS handshake inside TDS PRELOGIN packets.
type tdsWrapped struct {
	c   net.Conn
	raw bool
	buf []byte
}

func (w *tdsWrapped) Read(b []byte) (int, error) {
	if w.raw && len(w.buf) == 0 {
		return w.c.Read(b)
	}
	for len(w.buf) == 0 {
		_, p, err := readPacket(w.c)
		if err != nil {
			return 0, err
		}
		w.buf = p
	}
	n := copy(b, w.buf)
	w.buf = w.buf[n:]
	return n, nil
}

func (w *tdsWrapped) Write(b []byte) (int, error) {
	if w.raw {
		return w.c.Write(b)
	}
	if err := writePacket(w.c, TDSPrelogin, b); err != nil {
		return 0, err
	}
	return len(b), nil
}

func (w *tdsWrapped) Close() error                       { return w.c.Close() }
func (w *tdsWrapped) LocalAddr() net.Addr                { return w.c.LocalAddr() }
func (w *tdsWrapped) RemoteAddr() net.Addr               { return w.c.RemoteAddr() }
func (w *tdsWrapped) SetDeadline(t time.Time) error      { return w.c.SetDeadline(t) }
func (w *tdsWrapped) SetReadDeadline(t time.Time) error  { return w.c.SetReadDeadline(t) }
func (w *tdsWrapped) SetWriteDeadline(t time.Time) error { return w.c.SetWriteDeadline(t) }

func SelfSigned(t *testing.T, host string) (tls.Certificate, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: host},
		DNSNames: []string{host}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, der
}

func HasType(types []byte, typ byte) bool {
	for _, b := range types {
		if b == typ {
			return true
		}
	}
	return false
}
