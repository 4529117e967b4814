package express

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	mssql "github.com/microsoft/go-mssqldb"
	"github.com/microsoft/go-mssqldb/msdsn"
)

// The SQL Server connection is encrypted and the server's certificate
// verified by default: go-mssqldb, given a URL without encrypt=, skips the
// certificate check and encrypts only the login, and accepts a server that
// answers "encryption not supported" with the LOGIN7 packet (whose password
// is only nibble-swapped and XORed) in clear. A LAN attacker posing as the
// DS SQL server would get the SQL login or an NTLM exchange, and could
// rewrite permission rows in transit.

// InsecureTLS says why the store URL's connection would not be encrypted and
// verified ("" when it is): encrypt=disable, encrypt=false/optional (only
// the login is encrypted) or trustServerCertificate=true. Such a URL is
// policy: only the boot media's own file may carry it, and `config check`
// and doctor label it insecure.
func (u URL) InsecureTLS() string {
	if u.Dialect != DialectSQLServer {
		return ""
	}
	cfg, err := msdsn.Parse(u.text())
	if err != nil {
		return ""
	}
	var why []string
	if enc, ok := cfg.Parameters[msdsn.Encrypt]; ok {
		switch cfg.Encryption {
		case msdsn.EncryptionDisabled:
			why = append(why, "encrypt="+enc+": nothing is encrypted, the login included")
		case msdsn.EncryptionOff:
			why = append(why, "encrypt="+enc+": only the login is encrypted, and a server that offers no encryption gets it in clear")
		}
	}
	if t, ok := cfg.Parameters[msdsn.TrustServerCertificate]; ok && cfg.TrustServerCertificate && cfg.Encryption != msdsn.EncryptionDisabled {
		why = append(why, "trustServerCertificate="+t+": any server's certificate is accepted")
	}
	return strings.Join(why, "; ")
}

// TLSOptions are how the SQL Server's certificate is verified.
type TLSOptions struct {
	// CAFile is a PEM file of the CAs that sign the server's certificate
	// (store.ca_file: an internal CA); default the system pool.
	CAFile string
	// Fingerprint pins the server's certificate by its SHA-256
	// (store.tls_fingerprint: a self-signed one); the chain and the name
	// are then not checked, the exact certificate is.
	Fingerprint string
}

// ParseFingerprint reads a SHA-256 certificate fingerprint written as hex,
// with or without colons and a sha256: prefix.
func ParseFingerprint(s string) ([]byte, error) {
	h := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s)), "sha256:")
	h = strings.NewReplacer(":", "", " ", "").Replace(h)
	b, err := hex.DecodeString(h)
	if err != nil || len(b) != sha256.Size {
		return nil, errors.New("is not a SHA-256 fingerprint (64 hex digits, colons allowed, like sha256:3f:a1:...); `imageinvoker doctor` prints the server's")
	}
	return b, nil
}

// Fingerprint is a certificate's SHA-256 as store.tls_fingerprint takes it.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = hex.EncodeToString([]byte{b})
	}
	return "sha256:" + strings.Join(parts, ":")
}

// secureTLS makes cfg encrypt the whole session and verify the server's
// certificate unless the URL itself says otherwise (InsecureTLS): the
// encryption is required, so a server that offers none is refused before
// LOGIN7 is sent.
func secureTLS(cfg *msdsn.Config, o TLSOptions) error {
	if _, ok := cfg.Parameters[msdsn.Encrypt]; !ok {
		cfg.Encryption = msdsn.EncryptionRequired
		// Without encrypt= go-mssqldb trusts any certificate; only an
		// explicit trustServerCertificate=true (insecure, labelled) may.
		cfg.TrustServerCertificate = false
		if t, ok := cfg.Parameters[msdsn.TrustServerCertificate]; ok {
			cfg.TrustServerCertificate = strings.EqualFold(t, "true") || t == "1" || strings.EqualFold(t, "yes")
		}
	}
	if cfg.Encryption == msdsn.EncryptionDisabled {
		return nil
	}
	if _, ok := cfg.Parameters[msdsn.ServerCertificate]; ok && o.Fingerprint == "" && o.CAFile == "" {
		return nil // go-mssqldb's own pin (serverCertificate=FILE)
	}
	host := cfg.Host
	if h := cfg.Parameters[msdsn.HostNameInCertificate]; h != "" {
		host = h
	}
	tc := &tls.Config{
		ServerName: host,
		MinVersion: tls.VersionTLS12,
		// As go-mssqldb sets it: SQL Server expects one TCP segment per
		// encrypted TDS packet.
		DynamicRecordSizingDisabled: true,
		InsecureSkipVerify:          cfg.TrustServerCertificate,
	}
	if cfg.TLSConfig != nil {
		tc.RootCAs = cfg.TLSConfig.RootCAs // certificate=FILE in the URL
	}
	if o.CAFile != "" {
		pem, err := os.ReadFile(o.CAFile)
		if err != nil {
			return fmt.Errorf("store.ca_file %s: %w", o.CAFile, errors.Unwrap(err))
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return fmt.Errorf("store.ca_file %s holds no PEM certificate", o.CAFile)
		}
		tc.RootCAs = pool
	}
	if o.Fingerprint != "" {
		pin, err := ParseFingerprint(o.Fingerprint)
		if err != nil {
			return fmt.Errorf("store.tls_fingerprint %w", err)
		}
		// The exact certificate is checked instead of the chain and name.
		tc.InsecureSkipVerify = true
		tc.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) == 0 {
				return errors.New("the SQL Server sent no certificate")
			}
			sum := sha256.Sum256(raw[0])
			if string(sum[:]) != string(pin) {
				return &PinError{Got: Fingerprint(raw[0])}
			}
			return nil
		}
	}
	cfg.TLSConfig = tc
	return nil
}

// PinError is a server certificate that is not the one store.tls_fingerprint pins.
type PinError struct{ Got string }

func (e *PinError) Error() string {
	return "the SQL Server's certificate (" + e.Got + ") is not the one store.tls_fingerprint pins: someone may be posing as the DS SQL server, or its certificate was renewed"
}

// errCaptured ends a handshake once the server's certificate is read.
var errCaptured = errors.New("certificate read")

// ServerCertificate connects to the SQL Server of u only as far as its
// TLS certificate (no LOGIN7 is sent: the handshake is ended once the
// certificate arrives) and returns the leaf certificate, for doctor to
// print its fingerprint and the line to paste.
func ServerCertificate(ctx context.Context, u URL, timeout time.Duration) (*x509.Certificate, error) {
	cfg, err := msdsn.Parse(u.text())
	if u.Dialect != DialectSQLServer || err != nil {
		return nil, fmt.Errorf("store url %s is not a SQL Server URL — fix store.url", u.Redacted())
	}
	if timeout <= 0 {
		timeout = defaultTimeout
	}
	cfg.DialTimeout, cfg.ConnTimeout = timeout, timeout
	if cfg.Encryption != msdsn.EncryptionStrict {
		cfg.Encryption = msdsn.EncryptionRequired
	}
	var leaf *x509.Certificate
	cfg.TLSConfig = &tls.Config{
		MinVersion:                  tls.VersionTLS12,
		DynamicRecordSizingDisabled: true,
		InsecureSkipVerify:          true, // only to read the certificate; nothing else is sent
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			if len(raw) > 0 {
				leaf, _ = x509.ParseCertificate(raw[0])
			}
			return errCaptured
		},
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := mssql.NewConnectorConfig(cfg).Connect(ctx)
	if err == nil {
		conn.Close()
	}
	if leaf != nil {
		return leaf, nil
	}
	if err == nil {
		err = errors.New("no certificate was sent")
	}
	return nil, err
}
