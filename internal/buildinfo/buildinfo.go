// Package buildinfo holds what the build stamps into the binary.
package buildinfo

import (
	"fmt"
	"runtime"
)

// Stamped by scripts/build.sh with -ldflags "-X github.com/imageinvoker/imageinvoker/internal/buildinfo.Version=...".
var (
	Version = "dev"
	Commit  = "unknown"
	Date    = "unknown"
)

// Line is the build in one line: version, commit, date, Go, system.
func Line() string {
	return fmt.Sprintf("%s (commit %s, built %s, %s %s/%s)", Version, Commit, Date, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
