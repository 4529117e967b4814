package exitcode

import (
	"context"
	"errors"
	"strings"

	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// ErrConfig marks configuration errors: a config file, a setting or a flag
// value that cannot be used (exit code 2, like a usage error). config wraps
// every such error with it.
var ErrConfig = errors.New("invalid configuration")

// Description is what the table says of an error.
type Description struct {
	Code int
	// Msg is the sentence for a person; it names no command-line flag, so
	// the console shows it as it is.
	Msg string
	// Hint names command-line flags; only the command line shows it.
	Hint string
	// Detail is the cause, shown with --debug; nil when there is none.
	Detail error
}

// Line is the description as the command line prints it: the sentence,
// then the advice about flags.
func (d Description) Line() string {
	if d.Hint == "" {
		return d.Msg
	}
	return d.Msg + " " + d.Hint
}

// rule is one row of the table: the errors it matches (errors.Is), their
// exit code, and the sentence and flag advice for a person.
type rule struct {
	is   []error
	code int
	// say is the sentence; nil keeps the error's own text (the store's and
	// the directory's errors already say what happened and what to do).
	say  func(err error) string
	hint string
}

func plus(s string) func(error) string { return func(err error) string { return err.Error() + s } }

// table is every neutral sentinel of pkg/model with its code, in the order
// they are tried (context.Canceled is tried before all of them, in
// Describe); context.DeadlineExceeded comes after every sentinel (a DC's timeout wraps it and is ErrDCTimeout first).
var table = []rule{
	{is: []error{ErrConfig, model.ErrDirectoryConfig}, code: Usage},

	// The store and the scheduler.
	{is: []error{model.ErrUnknownComputer}, code: UnknownComputer,
		say: func(error) string {
			return UnknownComputerMsg("this machine")
		},
		hint: "--wait-registration waits for that."},
	{is: []error{model.ErrAmbiguousComputer}, code: UnknownComputer,
		say: plus(" Ask your DS administrator to remove the duplicate."), hint: "Or choose one with --computer-id."},
	{is: []error{model.ErrUnknownJob, model.ErrJobChanged}, code: UnknownJob,
		say: plus(" Nothing was queued. Go back to the menu to see the current jobs.")},
	{is: []error{model.ErrNotPermitted}, code: NotPermitted},
	{is: []error{model.ErrQueueUnsupported}, code: Usage, say: plus(". Nothing was queued.")},
	{is: []error{model.ErrStoreUnreachable, model.ErrStoreLoginRefused, model.ErrSchema, model.ErrUnknownSchedule}, code: StoreDown},

	// The identity source. A refusal of this user's sign-in is 6, whatever
	// the reason (the documented table: wrong password, locked, disabled,
	// expired; a malformed or unknown name is refused the same way).
	{is: []error{model.ErrEmptyPassword, model.ErrBadUser, model.ErrBadCredentials, model.ErrLockedOut,
		model.ErrDisabled, model.ErrPasswordExpired, model.ErrMustChangePassword, model.ErrAccountExpired,
		model.ErrLogonHours, model.ErrWorkstation, model.ErrUserNotFound, model.ErrOtherDomain,
		model.ErrDSAccountRefused}, code: BadCredentials},
	// The directory could not be used safely or at all: 7. A DC that refuses
	// a password over plain LDAP refuses the transport, not the technician.
	{is: []error{model.ErrDCUnreachable, model.ErrTLS, model.ErrDCTimeout, model.ErrPlainRefused,
		model.ErrForeignDomain}, code: DirectoryDown},

	// Only the store's steps reach here with a bare deadline: the
	// directory reports its own as ErrDCTimeout, the watch as Timeout.
	{is: []error{context.DeadlineExceeded}, code: StoreDown,
		say: func(err error) string { return "the eXpress database did not answer in time (" + err.Error() + ")." }},
}

// UnknownComputerMsg is the sentence for a machine DS does not know; what
// names the machine ("this machine (MAC ...)").
func UnknownComputerMsg(what string) string {
	return what + " is not known to Deployment Server. Let it boot to DS once so DS registers it (it appears under New Computers), or ask your DS administrator to add it."
}

// Describe maps any error to its exit code and its sentence: an *Error
// says both itself; a sentinel of pkg/model, config's ErrConfig and the
// context errors get theirs from the table; anything else is an unexpected
// failure (1) told in its own words.
func Describe(err error) Description {
	if err == nil {
		return Description{Code: OK}
	}
	// Ctrl+C is 130 whatever a step wrapped the cancellation in.
	if errors.Is(err, context.Canceled) {
		return Description{Code: Interrupted, Msg: "interrupted", Detail: err}
	}
	var e *Error
	if errors.As(err, &e) {
		d := Description{Code: e.Code, Msg: e.Msg, Hint: e.Hint, Detail: e.Err}
		if d.Msg == "" && e.Err != nil {
			inner := Describe(e.Err)
			d.Msg, d.Hint = inner.Msg, inner.Hint
		}
		return d
	}
	for _, r := range table {
		for _, target := range r.is {
			if errors.Is(err, target) {
				d := Description{Code: r.code, Msg: err.Error(), Hint: r.hint, Detail: err}
				if r.say != nil {
					d.Msg = r.say(err)
				} else {
					d.Msg, d.Hint = splitFlagHint(err, d.Msg, d.Hint)
				}
				return d
			}
		}
	}
	return Description{Code: Failure, Msg: err.Error(), Detail: err}
}

// hinter is an error that ends its sentence with a next step for the
// person (the directory's errors: "... Give the CA certificate with
// --ca-file").
type hinter interface{ Hint() string }

// splitFlagHint moves a next step that names a command-line flag from the
// sentence to the hint, so the console, which has no flags, never shows it;
// the command line prints both, as before.
func splitFlagHint(err error, msg, hint string) (string, string) {
	var h hinter
	if !errors.As(err, &h) || hint != "" {
		return msg, hint
	}
	next := h.Hint()
	if !strings.Contains(next, "--") || !strings.HasSuffix(msg, next) {
		return msg, hint
	}
	return strings.TrimSpace(strings.TrimSuffix(msg, next)), next
}

// Known says whether the table knows err (an *Error, a sentinel or a
// context error): a front end that knows where an unknown error came from
// (the store) may give it that place's code instead of Failure.
func Known(err error) bool {
	if errors.Is(err, context.Canceled) {
		return true
	}
	var e *Error
	if errors.As(err, &e) {
		return true
	}
	for _, r := range table {
		for _, target := range r.is {
			if errors.Is(err, target) {
				return true
			}
		}
	}
	return false
}
