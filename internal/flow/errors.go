package flow

import (
	"context"
	"errors"

	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

func usage(format string, args ...any) error {
	return exitcode.New(exitcode.Usage, format, args...)
}

// directoryError gives a sign-in failure its exit code. The directory's own
// message already says what happened and what to do, and never holds the password.
func directoryError(err error) error {
	code := exitcode.BadCredentials
	switch {
	case errors.Is(err, context.Canceled):
		return err
	case errors.Is(err, model.ErrForeignDomain), errors.Is(err, model.ErrDCUnreachable), errors.Is(err, model.ErrTLS), errors.Is(err, model.ErrDCTimeout):
		code = exitcode.DirectoryDown
	case errors.Is(err, model.ErrEmptyPassword):
		code = exitcode.BadCredentials
	}
	return &exitcode.Error{Code: code, Msg: err.Error(), Err: err}
}

// storeError gives a store failure its exit code and, for an unknown
// machine, a message that lists what the machine is known by.
func (f *Flow) storeError(err error, m *Machine) error {
	var ue *exitcode.Error
	switch {
	case errors.As(err, &ue), errors.Is(err, context.Canceled):
		return err
	case errors.Is(err, model.ErrUnknownComputer):
		what := "this machine"
		if m != nil {
			what = "this machine (" + m.Describe() + ")"
		}
		return &exitcode.Error{Code: exitcode.UnknownComputer, Err: err, Msg: what +
			" is not known to Deployment Server. Let it boot to DS once so DS registers it (it appears under New Computers), or ask your DS administrator to add it; --wait-registration waits for that."}
	case errors.Is(err, model.ErrAmbiguousComputer):
		return &exitcode.Error{Code: exitcode.UnknownComputer, Err: err, Msg: err.Error() +
			" Ask your DS administrator to remove the duplicate, or choose with --computer-id."}
	case errors.Is(err, model.ErrUnknownJob), errors.Is(err, model.ErrJobChanged):
		return &exitcode.Error{Code: exitcode.UnknownJob, Err: err, Msg: err.Error() +
			" Nothing was queued. Go back to the menu to see the current jobs."}
	case errors.Is(err, model.ErrNotPermitted):
		return &exitcode.Error{Code: exitcode.NotPermitted, Err: err, Msg: err.Error()}
	case errors.Is(err, model.ErrQueueUnsupported):
		return &exitcode.Error{Code: exitcode.Usage, Err: err, Msg: err.Error() + ". Nothing was queued."}
	case errors.Is(err, model.ErrStoreUnreachable), errors.Is(err, model.ErrSchema), errors.Is(err, context.DeadlineExceeded):
		return &exitcode.Error{Code: exitcode.StoreDown, Err: err, Msg: err.Error()}
	}
	return &exitcode.Error{Code: exitcode.StoreDown, Err: err, Msg: "the eXpress database failed: " + err.Error()}
}
