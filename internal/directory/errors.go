package directory

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"regexp"
	"time"

	"github.com/go-ldap/ldap/v3"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// Error is a sign-in failure a technician can act on. It never carries the
// password: nothing built from it has seen one.
type Error struct {
	Kind error  // one of model's sign-in sentinels (model.ErrLockedOut, ...)
	DC   string // the DC that answered or failed ("" when none was tried)
	Code string // AD's "data" code (52e, 775, ...) when the DC gave one
	Msg  string // what happened
	Next string // what to do next
	Err  error  // the cause, for --debug
}

func (e *Error) Error() string {
	if e.Next == "" {
		return e.Msg
	}
	return e.Msg + ". " + e.Next
}

// Hint is the next step for the technician.
func (e *Error) Hint() string { return e.Next }

func (e *Error) Is(target error) bool { return target == e.Kind }

func (e *Error) Unwrap() error { return e.Err }

// credential failures by AD's "data" code (docs/active-directory.md). 525 (no such
// user) reads as 52e on purpose: telling the two apart helps guessers.
var credentialErrors = map[string]struct {
	kind      error
	msg, next string
}{
	"52e": {model.ErrBadCredentials, "sign-in refused: wrong user name or password", "Check the user name and the password (Caps Lock? keyboard layout?) and try again"},
	"525": {model.ErrBadCredentials, "sign-in refused: wrong user name or password", "Check the user name and the password (Caps Lock? keyboard layout?) and try again"},
	"530": {model.ErrLogonHours, "sign-in refused: this account may not sign in at this time of day", "Ask an AD administrator to widen the account's logon hours"},
	"531": {model.ErrWorkstation, "sign-in refused: this account may only sign in on certain computers", "Ask an AD administrator to allow this account on all computers (Log On To...)"},
	"532": {model.ErrPasswordExpired, "sign-in refused: the password has expired", "Change it on a Windows PC (Ctrl+Alt+Del) and sign in again"},
	"533": {model.ErrDisabled, "sign-in refused: the account is disabled", "Ask an AD administrator to enable it"},
	"701": {model.ErrAccountExpired, "sign-in refused: the account has expired", "Ask an AD administrator to extend the account's expiry date"},
	"773": {model.ErrMustChangePassword, "sign-in refused: the password must be changed before first use", "Change it on a Windows PC (Ctrl+Alt+Del) and sign in again"},
	"775": {model.ErrLockedOut, "sign-in refused: the account is locked out after too many wrong passwords", "Wait for the lockout to expire or ask an AD administrator to unlock it"},
}

var dataRE = regexp.MustCompile(`data ([0-9a-fA-F]+)`)

// bindError maps a failed simple bind to a domain error.
func bindError(dc string, err error) *Error {
	var le *ldap.Error
	if errors.As(err, &le) {
		switch le.ResultCode {
		case ldap.LDAPResultInvalidCredentials:
			code := ""
			if m := dataRE.FindStringSubmatch(le.Err.Error()); m != nil {
				code = m[1]
			}
			if c, ok := credentialErrors[code]; ok {
				return &Error{Kind: c.kind, DC: dc, Code: code, Msg: c.msg, Next: c.next, Err: err}
			}
			c := credentialErrors["52e"]
			return &Error{Kind: model.ErrBadCredentials, DC: dc, Code: code, Msg: c.msg, Next: c.next, Err: err}
		case ldap.LDAPResultStrongAuthRequired, ldap.LDAPResultConfidentialityRequired:
			return &Error{Kind: model.ErrPlainRefused, DC: dc, Err: err,
				Msg:  "the domain controller " + dc + " refuses passwords over unencrypted LDAP",
				Next: "Use an ldaps:// address, or an ldap:// one the DC can secure with StartTLS"}
		}
	}
	return connError(dc, err)
}

// connError maps a failure to reach or talk to a DC.
func connError(dc string, err error) *Error {
	var de *Error
	if errors.As(err, &de) {
		if de.DC == "" {
			de.DC = dc
		}
		return de
	}
	if te := tlsError(dc, err); te != nil {
		return te
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, errTimeout) || (errors.As(err, &ne) && ne.Timeout()) {
		return &Error{Kind: model.ErrDCTimeout, DC: dc, Err: err,
			Msg:  "the domain controller " + dc + " did not answer in time",
			Next: "Check the network cable and that this machine has an address, or try another DC (--dc)"}
	}
	return &Error{Kind: model.ErrDCUnreachable, DC: dc, Err: err,
		Msg:  "could not reach the domain controller " + dc,
		Next: "Check the network cable, that this machine has an address, and the DC address (--dc)"}
}

var errTimeout = errors.New("timed out")

func tlsError(dc string, err error) *Error {
	var (
		host    x509.HostnameError
		unknown x509.UnknownAuthorityError
		invalid x509.CertificateInvalidError
		rec     tls.RecordHeaderError
	)
	e := &Error{Kind: model.ErrTLS, DC: dc, Err: err}
	switch {
	case errors.As(err, &host):
		e.Msg = fmt.Sprintf("the certificate of %s is for another name (%s)", dc, certNames(host.Certificate))
		e.Next = "Use the DC's name as written in its certificate in --dc, or fix the DC's certificate"
	case errors.As(err, &unknown):
		e.Msg = "the certificate of " + dc + " is signed by an authority this machine does not trust"
		e.Next = "Give the domain's CA certificate with --ca-file (PEM)"
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		now := time.Now()
		c := invalid.Cert
		switch {
		case c != nil && now.Before(c.NotBefore):
			e.Msg = fmt.Sprintf("the certificate of %s is not valid yet (valid from %s; this machine's clock says %s)",
				dc, c.NotBefore.UTC().Format(time.DateOnly), now.UTC().Format(time.DateOnly))
		case c != nil:
			e.Msg = fmt.Sprintf("the certificate of %s has expired (on %s; this machine's clock says %s)",
				dc, c.NotAfter.UTC().Format(time.DateOnly), now.UTC().Format(time.DateOnly))
		default:
			e.Msg = "the certificate of " + dc + " is expired or not yet valid"
		}
		e.Next = "Check this machine's clock (BIOS date) first; if it is right, the DC's certificate must be renewed"
	case errors.As(err, &invalid):
		e.Msg = "the certificate of " + dc + " is not valid here (" + invalid.Error() + ")"
		e.Next = "Ask an AD administrator to check the DC's certificate"
	case errors.As(err, &rec):
		e.Msg = "the domain controller " + dc + " did not answer with TLS"
		e.Next = "Use ldaps:// with port 636, or ldap:// with port 389 for StartTLS"
	default:
		return nil
	}
	return e
}

func certNames(c *x509.Certificate) string {
	if c == nil {
		return "unknown"
	}
	var names []string
	names = append(names, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 {
		names = append(names, c.Subject.CommonName)
	}
	return fmt.Sprint(names)
}

// BadCredentialsError is the refusal of a wrong user name or password,
// worded exactly as a DC's 52e, for sign-ins checked elsewhere (DS console
// accounts): a guesser cannot tell which check refused.
func BadCredentialsError() *Error {
	c := credentialErrors["52e"]
	return &Error{Kind: model.ErrBadCredentials, Code: "52e", Msg: c.msg, Next: c.next}
}

// EmptyPasswordError refuses an empty password before it reaches any check.
func EmptyPasswordError() *Error {
	return &Error{Kind: model.ErrEmptyPassword, Msg: "the password is empty",
		Next: "Type the password (an empty one is never sent: AD would let anyone in)"}
}
