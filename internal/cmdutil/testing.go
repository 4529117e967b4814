package cmdutil

import (
	"bytes"
	"net/netip"
)

// TestStreams are the buffers behind a test factory's streams.
type TestStreams struct {
	In, Out, Err *bytes.Buffer
}

// Test returns a factory for tests, as gh's iostreams.Test does: the
// streams are buffers (write stdin to In before running), no terminal,
// env is the whole environment, nothing is removed from the process's, and
// the machine has no IP address (so no site is chosen by address).
func Test(env map[string]string) (*Factory, *TestStreams) {
	ts := &TestStreams{In: &bytes.Buffer{}, Out: &bytes.Buffer{}, Err: &bytes.Buffer{}}
	f := &Factory{
		IO:       &IOStreams{In: ts.In, Out: ts.Out, Err: ts.Err},
		Getenv:   func(k string) string { return env[k] },
		Unsetenv: func(string) error { return nil },
		Addrs:    func() ([]netip.Addr, error) { return nil, nil },
	}
	return f, ts
}
