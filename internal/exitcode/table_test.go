package exitcode

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// Every sentinel of pkg/model, alone and wrapped as an implementation
// would wrap it, has its documented code and a sentence the console can
// show: not empty, naming no command-line flag.
func TestTablePinsEverySentinel(t *testing.T) {
	cases := []struct {
		model string // the sentinel's name in pkg/model
		err   error
		code  int
	}{
		{"ErrUnknownComputer", model.ErrUnknownComputer, UnknownComputer},
		{"ErrAmbiguousComputer", model.ErrAmbiguousComputer, UnknownComputer},
		{"ErrUnknownJob", model.ErrUnknownJob, UnknownJob},
		{"ErrJobChanged", model.ErrJobChanged, UnknownJob},
		{"ErrUnknownSchedule", model.ErrUnknownSchedule, StoreDown},
		{"ErrStoreUnreachable", model.ErrStoreUnreachable, StoreDown},
		{"ErrStoreLoginRefused", model.ErrStoreLoginRefused, StoreDown},
		{"ErrSchema", model.ErrSchema, StoreDown},
		{"ErrQueueUnsupported", model.ErrQueueUnsupported, Usage},
		{"ErrNotPermitted", model.ErrNotPermitted, NotPermitted},
		{"ErrEmptyPassword", model.ErrEmptyPassword, BadCredentials},
		{"ErrBadUser", model.ErrBadUser, BadCredentials},
		{"ErrBadCredentials", model.ErrBadCredentials, BadCredentials},
		{"ErrLockedOut", model.ErrLockedOut, BadCredentials},
		{"ErrDisabled", model.ErrDisabled, BadCredentials},
		{"ErrPasswordExpired", model.ErrPasswordExpired, BadCredentials},
		{"ErrMustChangePassword", model.ErrMustChangePassword, BadCredentials},
		{"ErrAccountExpired", model.ErrAccountExpired, BadCredentials},
		{"ErrLogonHours", model.ErrLogonHours, BadCredentials},
		{"ErrWorkstation", model.ErrWorkstation, BadCredentials},
		{"ErrUserNotFound", model.ErrUserNotFound, BadCredentials},
		{"ErrOtherDomain", model.ErrOtherDomain, BadCredentials},
		{"ErrDSAccountRefused", model.ErrDSAccountRefused, BadCredentials},
		{"ErrPlainRefused", model.ErrPlainRefused, DirectoryDown},
		{"ErrDCUnreachable", model.ErrDCUnreachable, DirectoryDown},
		{"ErrTLS", model.ErrTLS, DirectoryDown},
		{"ErrDCTimeout", model.ErrDCTimeout, DirectoryDown},
		{"ErrForeignDomain", model.ErrForeignDomain, DirectoryDown},
		{"ErrDirectoryConfig", model.ErrDirectoryConfig, Usage},
		{"", ErrConfig, Usage},
		{"", context.Canceled, Interrupted},
		{"", context.DeadlineExceeded, StoreDown},
		{"", errors.New("something nobody expected"), Failure},
	}
	pinned := map[string]bool{}
	for _, tc := range cases {
		pinned[tc.model] = true
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
	// A sentinel added to pkg/model needs its row here (and in the table).
	for _, name := range modelSentinels(t) {
		if !pinned[name] {
			t.Errorf("model.%s has no pinned exit code", name)
		}
	}
}

// modelSentinels lists the Err* variables pkg/model declares.
func modelSentinels(t *testing.T) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join("..", "..", "pkg", "model", "errors.go"), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.VAR {
			continue
		}
		for _, spec := range g.Specs {
			for _, n := range spec.(*ast.ValueSpec).Names {
				if strings.HasPrefix(n.Name, "Err") {
					names = append(names, n.Name)
				}
			}
		}
	}
	if len(names) == 0 {
		t.Fatal("no sentinels found in pkg/model/errors.go")
	}
	return names
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
