// Package exitcode defines the documented exit codes of imageinvoker, the
// error type that carries one, and the one table (Describe) that gives
// every error its code and its sentence for a person. Scripts rely on these
// numbers: never renumber, only add.
package exitcode

import (
	"errors"
	"fmt"
)

// Exit codes. Listed in every command's --help (see Help).
const (
	OK              = 0
	Failure         = 1  // unexpected failure; run with --debug for detail
	Usage           = 2  // bad flags, bad config, or a confirmation needed without a terminal
	UnknownComputer = 3  // this machine is not known to Deployment Server
	UnknownJob      = 4  // no such job, or it changed/was deleted since the menu was built
	NotPermitted    = 5  // the job exists but this user may not schedule it here / not on the menu
	BadCredentials  = 6  // sign-in refused: wrong password, locked, disabled, expired...
	DirectoryDown   = 7  // no domain controller answered, or TLS to it failed
	StoreDown       = 8  // the eXpress database could not be reached or read
	Timeout         = 9  // watching for DS to pick the job up ran out of time
	Idle            = 10 // the console sat idle past the idle timeout
	Interrupted     = 130
)

// Help is the table printed in --help.
const Help = `Exit codes:
  0    success
  1    unexpected failure (run again with --debug for detail)
  2    usage: bad flags or config, or --yes needed without a terminal
  3    this machine is not known to Deployment Server
  4    no such job, or it was changed or deleted since the menu was built
  5    not permitted: the job is not on this user's menu for this machine
  6    sign-in refused (wrong password, locked, disabled, expired)
  7    no domain controller reachable or trusted, or it refused plain LDAP
  8    the eXpress database could not be reached or read
  9    timed out waiting for Deployment Server to pick the job up
  10   the console was idle past the idle timeout
  130  interrupted (Ctrl+C)
`

// Error carries an exit code and a message meant for the user, plus the
// underlying cause shown only with --debug.
type Error struct {
	Code int
	Msg  string // what happened and what to do, one or two sentences; names no CLI flag
	// Hint is advice that names command-line flags (--computer-id...). The
	// command line prints it after Msg; the console never shows it, since
	// a technician at the console has no flags to give.
	Hint string
	Err  error // detail
}

func (e *Error) Error() string {
	if e.Msg == "" && e.Err != nil {
		return e.Err.Error()
	}
	if e.Hint != "" {
		return e.Msg + " " + e.Hint
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an Error with a user message.
func New(code int, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// Wrap returns an Error with a user message and a cause.
func Wrap(code int, err error, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...), Err: err}
}

// Of returns the exit code an error maps to (Describe).
func Of(err error) int { return Describe(err).Code }

// From returns err as an *Error with the code and sentence the table gives
// it: what the flow hands its front ends, so none of them inspects errors.
func From(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	d := Describe(err)
	return &Error{Code: d.Code, Msg: d.Msg, Hint: d.Hint, Err: err}
}
