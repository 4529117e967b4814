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

// directoryError gives a sign-in failure its exit code and sentence from
// the one table (exitcode.Describe). The directory's own message already
// says what happened and what to do, and never holds the password.
func directoryError(err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	return exitcode.From(err)
}

// storeError gives a store failure its exit code and sentence from the one
// table; an unknown machine's sentence lists what the machine is known by,
// and a failure the table does not know is the store's (8), since it came
// from the store.
func (f *Flow) storeError(err error, m *Machine) error {
	switch {
	case errors.Is(err, context.Canceled):
		return err
	case !exitcode.Known(err):
		return exitcode.Wrap(exitcode.StoreDown, err, "the eXpress database failed: %s", err.Error())
	}
	e := exitcode.From(err)
	var own *exitcode.Error
	if m != nil && !errors.As(err, &own) && errors.Is(err, model.ErrUnknownComputer) {
		e.Msg = exitcode.UnknownComputerMsg("this machine (" + m.Describe() + ")")
	}
	return e
}
