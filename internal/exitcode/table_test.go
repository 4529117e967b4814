package exitcode

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// Every sentinel of pkg/model, alone and wrapped as an implementation
// would wrap it, has its documented code and a sentence the console can
// show: not empty, naming no command-line flag.
func TestTablePinsEverySentinel(t *testing.T) {
	cases := []struct {
		err  error
		code int
	}{
		{model.ErrUnknownComputer, UnknownComputer},
		{model.ErrAmbiguousComputer, UnknownComputer},
		{model.ErrUnknownJob, UnknownJob},
		{model.ErrJobChanged, UnknownJob},
		{model.ErrUnknownSchedule, StoreDown},
		{model.ErrStoreUnreachable, StoreDown},
		{model.ErrSchema, StoreDown},
		{model.ErrQueueUnsupported, Usage},
		{model.ErrNotPermitted, NotPermitted},
		{model.ErrEmptyPassword, BadCredentials},
		{model.ErrBadUser, BadCredentials},
		{model.ErrBadCredentials, BadCredentials},
		{model.ErrLockedOut, BadCredentials},
		{model.ErrDisabled, BadCredentials},
		{model.ErrPasswordExpired, BadCredentials},
		{model.ErrMustChangePassword, BadCredentials},
		{model.ErrAccountExpired, BadCredentials},
		{model.ErrLogonHours, BadCredentials},
		{model.ErrWorkstation, BadCredentials},
		{model.ErrUserNotFound, BadCredentials},
		{model.ErrOtherDomain, BadCredentials},
		{model.ErrDSAccountRefused, BadCredentials},
		{model.ErrPlainRefused, DirectoryDown},
		{model.ErrDCUnreachable, DirectoryDown},
		{model.ErrTLS, DirectoryDown},
		{model.ErrDCTimeout, DirectoryDown},
		{model.ErrForeignDomain, DirectoryDown},
		{model.ErrDirectoryConfig, Usage},
		{ErrConfig, Usage},
		{context.Canceled, Interrupted},
		{context.DeadlineExceeded, StoreDown},
		{errors.New("something nobody expected"), Failure},
	}
	for _, tc := range cases {
		for _, err := range []error{tc.err, fmt.Errorf("sqlite: %w", tc.err)} {
			d := Describe(err)
			if d.Code != tc.code {
				t.Errorf("%v: code %d, want %d", err, d.Code, tc.code)
			}
			if Of(err) != d.Code || From(err).Code != d.Code {
				t.Errorf("%v: Of %d, From %d, Describe %d", err, Of(err), From(err).Code, d.Code)
			}
			if strings.TrimSpace(d.Msg) == "" {
				t.Errorf("%v: empty sentence", err)
			}
			if strings.Contains(d.Msg, "--") {
				t.Errorf("%v: the console would show a flag: %q", err, d.Msg)
			}
			if d.Hint != "" && !strings.HasPrefix(d.Line(), d.Msg+" ") {
				t.Errorf("%v: the command line's %q does not start with the sentence", err, d.Line())
			}
		}
	}
}

// A DC's timeout wraps context.DeadlineExceeded: the directory's kind wins.
type dcTimeout struct{ cause error }

func (e dcTimeout) Error() string        { return "the DC did not answer in time" }
func (e dcTimeout) Is(target error) bool { return target == model.ErrDCTimeout }
func (e dcTimeout) Unwrap() error        { return e.cause }

func TestSentinelsBeforeDeadline(t *testing.T) {
	err := dcTimeout{context.DeadlineExceeded}
	if d := Describe(err); d.Code != DirectoryDown || d.Msg != err.Error() {
		t.Errorf("got %d %q, want %d with the directory's sentence", d.Code, d.Msg, DirectoryDown)
	}
}

// An *Error says its code itself, and its hint reaches the command line
// only; a cancellation inside one is still an interruption.
func TestErrorSpeaksForItself(t *testing.T) {
	e := &Error{Code: NotPermitted, Msg: "job 7 is not on your menu.", Hint: "See --help.", Err: model.ErrUnknownJob}
	d := Describe(fmt.Errorf("queue: %w", e))
	if d.Code != NotPermitted || d.Msg != e.Msg || d.Line() != "job 7 is not on your menu. See --help." || e.Error() != d.Line() {
		t.Errorf("got %+v (line %q)", d, d.Line())
	}
	if got := Of(Wrap(Failure, context.Canceled, "could not start")); got != Interrupted {
		t.Errorf("a wrapped cancellation: %d, want %d", got, Interrupted)
	}
	if got := Describe(&Error{Code: StoreDown, Err: model.ErrSchema}); got.Code != StoreDown || got.Msg != model.ErrSchema.Error() {
		t.Errorf("an *Error without a sentence takes its cause's: %+v", got)
	}
	if Of(nil) != OK || From(nil) != nil {
		t.Error("nil is success")
	}
}

// Every code the table gives is one --help documents.
func TestCodesAreDocumented(t *testing.T) {
	for _, r := range table {
		if !strings.Contains(Help, fmt.Sprintf("\n  %-4d ", r.code)) {
			t.Errorf("code %d is not in Help", r.code)
		}
	}
}

// hinted is an error like the directory's: a sentence, then a next step.
type hinted struct{ msg, next string }

func (e hinted) Error() string        { return e.msg + ". " + e.next }
func (e hinted) Hint() string         { return e.next }
func (e hinted) Is(target error) bool { return target == model.ErrTLS }

// A next step that names a flag is kept from the console, and the command
// line still prints the whole sentence; one without a flag stays.
func TestFlagAdviceStaysOffTheConsole(t *testing.T) {
	err := hinted{"the certificate of dc1 is signed by an authority this machine does not trust", "Give the domain's CA certificate with --ca-file (PEM)"}
	d := Describe(fmt.Errorf("sign in: %w", err))
	if d.Code != DirectoryDown || strings.Contains(d.Msg, "--") || d.Line() != "sign in: "+err.Error() {
		t.Errorf("got %+v (line %q)", d, d.Line())
	}
	if e := From(err); e.Msg != "the certificate of dc1 is signed by an authority this machine does not trust." || e.Error() != err.Error() {
		t.Errorf("From: msg %q, Error %q", e.Msg, e.Error())
	}
	plain := hinted{"the certificate of dc1 has expired", "Check this machine's clock"}
	if d := Describe(plain); d.Msg != plain.Error() || d.Hint != "" {
		t.Errorf("advice without a flag moved: %+v", d)
	}
}
