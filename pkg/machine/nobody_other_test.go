//go:build !unix

package machine

import "testing"

// asNobody is unix-only; elsewhere os.Geteuid is -1 and it is never called.
func asNobody(t *testing.T, name string) { t.Fatalf("%s: no user nobody on this OS", name) }
