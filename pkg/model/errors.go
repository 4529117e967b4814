package model

import "errors"

// The sentinel errors every store, scheduler and identity source speaks.
// Implementations wrap them (errors.Is finds them) with their own detail;
// the flow and the error table (internal/exitcode) know only these, so a
// new implementation needs no change there.

var (
	// Store and scheduler errors.
	ErrUnknownComputer   = errors.New("computer not known to Deployment Server")
	ErrAmbiguousComputer = errors.New("several computers match")
	ErrUnknownJob        = errors.New("job not found")
	ErrJobChanged        = errors.New("job changed since the menu was built")
	ErrUnknownSchedule   = errors.New("schedule not found")
	ErrStoreUnreachable  = errors.New("eXpress database unreachable")
	// ErrStoreLoginRefused: SQL Server refused the store's login (18456).
	// It comes with ErrStoreUnreachable; it says that trying the same login
	// again would only count another failure against the account.
	ErrStoreLoginRefused = errors.New("eXpress database refused the login")
	ErrSchema            = errors.New("eXpress database schema mismatch")
	ErrQueueUnsupported  = errors.New("queue method not supported by this store")
	ErrNotPermitted      = errors.New("not permitted by DS console security")

	// Identity-source (sign-in) errors.
	ErrEmptyPassword      = errors.New("empty password")
	ErrBadUser            = errors.New("bad user name")
	ErrBadCredentials     = errors.New("bad credentials")
	ErrLockedOut          = errors.New("account locked out")
	ErrDisabled           = errors.New("account disabled")
	ErrPasswordExpired    = errors.New("password expired")
	ErrMustChangePassword = errors.New("password must be changed")
	ErrAccountExpired     = errors.New("account expired")
	ErrLogonHours         = errors.New("outside logon hours")
	ErrWorkstation        = errors.New("workstation not allowed")
	ErrPlainRefused       = errors.New("plain LDAP refused")
	ErrDCUnreachable      = errors.New("domain controller unreachable")
	ErrTLS                = errors.New("domain controller certificate not trusted")
	ErrDCTimeout          = errors.New("domain controller timed out")
	ErrUserNotFound       = errors.New("user not found in the directory")
	ErrDirectoryConfig    = errors.New("bad directory configuration")
	ErrOtherDomain        = errors.New("account of another domain")
	// ErrForeignDomain: the groups a configured domain holds for the user
	// could not be read, so the sign-in is refused (a DS deny may sit there).
	ErrForeignDomain = errors.New("groups of another domain could not be read")
	// ErrDSAccountRefused: a DS console account (.\name) with a wrong name or
	// password; shown exactly like a wrong AD password.
	ErrDSAccountRefused = errors.New("DS console account sign-in refused")
)
