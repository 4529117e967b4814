//go:build !linux

package netup

import (
	"context"
	"errors"
)

// Supported says this build can bring the network up: only Linux's can
// (WinPE's wpeinit starts the network there).
const Supported = false

// Session does nothing off Linux.
type Session struct{}

// New returns a session that does nothing.
func New(Options) *Session { return &Session{} }

// Up is not supported off Linux.
func (*Session) Up(context.Context, func(Status)) (Status, error) {
	return Status{}, errors.New("bringing the network up is only done on Linux")
}

// LoadDrivers does nothing off Linux.
func (*Session) LoadDrivers() ([]string, []Missing, error) { return nil, nil, nil }

// Restore does nothing off Linux.
func (*Session) Restore() error { return nil }
