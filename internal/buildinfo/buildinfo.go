// Package buildinfo holds what the build stamps into the binary.
package buildinfo

// Stamped by scripts/build.sh with -ldflags "-X github.com/imageinvoker/imageinvoker/internal/buildinfo.Version=...".
var (
	Version = "dev"
	Commit  = "unknown"
	Date    = "unknown"
)
