//go:build !unix

package tui

import (
	"os"
	"time"
)

// askSize is not needed off Unix: the Windows console always reports its size.
func askSize(_, _ *os.File, _ time.Duration) (Size, bool) { return Size{}, false }
