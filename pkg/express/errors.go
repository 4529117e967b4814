package express

import (
	"context"
	"crypto/x509"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/imageinvoker/imageinvoker/pkg/model"
	mssql "github.com/microsoft/go-mssqldb"
	"modernc.org/sqlite"
)

// storeError is a domain error with a sentence for the user. Its text is
// scrubbed of secrets; cause is kept for errors.Is/As only when it is safe
// to show (a connection error could echo a connection string).
type storeError struct {
	kind error
	// also is a second sentinel the error carries (a refused login).
	also  error
	msg   string
	cause error
}

func (e *storeError) Error() string { return e.msg }

func (e *storeError) Unwrap() []error {
	out := []error{e.kind}
	if e.also != nil {
		out = append(out, e.also)
	}
	if e.cause != nil {
		out = append(out, e.cause)
	}
	return out
}

// AmbiguousComputerError lists every computer that matched a key, so the
// technician can fix the duplicate (typically a cloned serial) in DS.
type AmbiguousComputerError struct {
	By        string
	Computers []ComputerRef
}

// ComputerRef names one matching computer.
type ComputerRef struct {
	ID   int64
	Name string
}

func (e *AmbiguousComputerError) Error() string {
	names := make([]string, len(e.Computers))
	for i, c := range e.Computers {
		names[i] = fmt.Sprintf("%s (id %d)", c.Name, c.ID)
	}
	return fmt.Sprintf("%d computers match this machine's %s: %s — remove the duplicate in the Deployment Server console or match by another identifier (machine.match)",
		len(e.Computers), e.By, strings.Join(names, ", "))
}

// Is makes errors.Is(err, model.ErrAmbiguousComputer) work.
func (e *AmbiguousComputerError) Is(target error) bool { return target == model.ErrAmbiguousComputer }

// scrub removes every secret from a text. Connection errors are the risk:
// a driver may quote the connection string it was given.
func (s *Store) scrub(text string) string {
	for _, sec := range s.secrets {
		if sec != "" {
			text = strings.ReplaceAll(text, sec, "***")
		}
	}
	return text
}

func (s *Store) containsSecret(text string) bool {
	for _, sec := range s.secrets {
		if sec != "" && strings.Contains(text, sec) {
			return true
		}
	}
	return false
}

// connectError turns a failure to open or ping the store into model.ErrStoreUnreachable.
func (s *Store) connectError(err error) error {
	raw := err.Error()
	e := &storeError{kind: model.ErrStoreUnreachable}
	if !s.containsSecret(raw) {
		e.cause = err
	}
	detail := s.scrub(raw)
	if msg := s.sqliteFileProblem(err); msg != "" {
		e.msg = msg
		return e
	}
	var me mssql.Error
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var pin *PinError
	switch {
	case strings.Contains(raw, "server does not support encryption"):
		e.msg = fmt.Sprintf("the SQL Server at %s offers no encryption, so ImageInvoker refused it before sending the login: someone may be posing as the DS SQL server, or SQL Server has no certificate — give it one (encrypt=disable in store.url is insecure)", s.where)
	case errors.As(err, &pin):
		e.msg = fmt.Sprintf("the eXpress database at %s: %s — `imageinvoker doctor` prints the certificate it sends", s.where, pin.Error())
	case errors.As(err, &unknown), strings.Contains(raw, "certificate signed by unknown authority"):
		e.msg = fmt.Sprintf("the SQL Server at %s sent a certificate no trusted CA signed — set store.ca_file to the PEM of the CA that signed it, or pin it with store.tls_fingerprint (`imageinvoker doctor` prints the line to paste)", s.where)
	case errors.As(err, &host), strings.Contains(raw, "certificate is valid for"):
		e.msg = fmt.Sprintf("the SQL Server at %s sent a certificate for another name (%s) — use the name the certificate carries in store.url, or pin it with store.tls_fingerprint", s.where, detail)
	case errors.As(err, &me) && me.Number == 18456:
		e.also = model.ErrStoreLoginRefused
		e.msg = fmt.Sprintf("the eXpress database at %s refused the login: %s — check the user name and password (store.url, or store.auth: technician)", s.where, detail)
	case errors.Is(err, context.DeadlineExceeded):
		e.msg = fmt.Sprintf("cannot reach the eXpress database at %s: no answer within %s — check the store URL and that SQL Server accepts TCP connections", s.where, s.timeout)
	default:
		e.msg = fmt.Sprintf("cannot reach the eXpress database at %s: %s — check the store URL and that SQL Server accepts TCP connections", s.where, detail)
	}
	return e
}

// classify turns a driver error of one statement into a domain error; op is
// a short lowercase phrase naming what was being done.
func (s *Store) classify(op string, err error) error {
	if err == nil {
		return nil
	}
	var se *storeError
	if errors.As(err, &se) {
		return fmt.Errorf("%s: %w", op, err)
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("%s: %w", op, err)
	}
	if isSchemaError(err) {
		return &storeError{kind: model.ErrSchema, cause: err, msg: fmt.Sprintf(
			"%s: the eXpress database at %s lacks a table or column ImageInvoker needs: %s — run `imageinvoker doctor` and check the names in pkg/express/queries.go against this DS version",
			op, s.where, s.scrub(err.Error()))}
	}
	if msg := s.sqliteFileProblem(err); msg != "" {
		return &storeError{kind: model.ErrStoreUnreachable, cause: err, msg: op + ": " + msg}
	}
	if isUnreachable(err) {
		ce := s.connectError(err)
		ce.(*storeError).msg = op + ": " + ce.Error()
		return ce
	}
	if s.containsSecret(err.Error()) {
		return fmt.Errorf("%s: %s", op, s.scrub(err.Error()))
	}
	return fmt.Errorf("%s: %w", op, err)
}

// sqliteFileProblem names what is wrong with a SQLite store file — locked,
// read-only, full, not openable — or returns "". Without it such a file was
// reported as a network problem ("check that SQL Server accepts TCP
// connections"), which sends an administrator looking in the wrong place.
func (s *Store) sqliteFileProblem(err error) string {
	var le *sqlite.Error
	if !errors.As(err, &le) {
		return ""
	}
	switch le.Code() & 0xff {
	case 5, 6: // SQLITE_BUSY, SQLITE_LOCKED
		return fmt.Sprintf("the SQLite store file %s is locked by another program — close whatever holds it (a DB browser, another ImageInvoker) and try again", s.where)
	case 8: // SQLITE_READONLY
		return fmt.Sprintf("the SQLite store file %s is read-only — ImageInvoker must write schedules: check the file's (and its folder's) permissions and that the media is writable", s.where)
	case 13: // SQLITE_FULL
		return fmt.Sprintf("the SQLite store file %s is full: the disk (or its size limit) has no room left — free space and try again", s.where)
	case 14: // SQLITE_CANTOPEN
		return fmt.Sprintf("cannot open the SQLite store file %s: it is missing, a folder, or not readable — check store.url", s.where)
	case 3, 23: // SQLITE_PERM, SQLITE_AUTH
		return fmt.Sprintf("access to the SQLite store file %s was refused — check the file's permissions", s.where)
	case 10: // SQLITE_IOERR
		return fmt.Sprintf("reading or writing the SQLite store file %s failed (%s) — check the disk", s.where, le.Error())
	}
	return ""
}

// driverError is what the driver said under err: the SQL Server error
// number (0 when err is not from SQL Server) or the SQLite error (nil when
// it is not from SQLite).
func driverError(err error) (mssqlNumber int32, lite *sqlite.Error) {
	var me mssql.Error
	if errors.As(err, &me) {
		return me.Number, nil
	}
	errors.As(err, &lite)
	return 0, lite
}

func isSchemaError(err error) bool {
	switch num, le := driverError(err); {
	case num != 0:
		// 207 invalid column name, 208 invalid object name, 2812 no such procedure.
		return num == 207 || num == 208 || num == 2812
	case le != nil:
		m := le.Error()
		return strings.Contains(m, "no such table") || strings.Contains(m, "no such column")
	}
	return false
}

func isUnreachable(err error) bool {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &ne) {
		return true
	}
	switch num, le := driverError(err); {
	case num != 0:
		return num == 18456 // login failed
	case le != nil:
		// SQLITE_CANTOPEN: the file vanished or is not readable.
		return le.Code()&0xff == 14
	}
	return false
}

// isRetryableWrite tells a lost race (another writer took the same
// schedule_id, a deadlock victim, a busy SQLite file) from a real failure.
func isRetryableWrite(err error) bool {
	switch num, le := driverError(err); {
	case num != 0:
		return num == 2627 || num == 2601 || num == 1205
	case le != nil:
		switch le.Code() & 0xff {
		case 5, 6: // SQLITE_BUSY, SQLITE_LOCKED
			return true
		case 19: // SQLITE_CONSTRAINT: only a primary key clash is a race
			return le.Code() == 1555 || le.Code() == 2067
		}
	}
	return false
}
