package config

import (
	"slices"
	"testing"
)

// On an initrd whose busybox cannot mount /proc the executable cannot name
// its own folder; the file inject-initrd.sh puts in /imageinvoker must still
// count as the media's config, or a --config from the kernel line
// (IMAGEINVOKER_ARGS) would pass the location policy as the only config.
func TestSearchPathsFindTheInitrdConfigWithoutProc(t *testing.T) {
	got := SearchPaths("", "linux")
	if !slices.Contains(got, "/imageinvoker/"+FileName) {
		t.Errorf("SearchPaths without an executable path = %q: lacks /imageinvoker/%s", got, FileName)
	}
	if got := SearchPaths(`X:\ImageInvoker\imageinvoker.exe`, "windows"); slices.Contains(got, "/imageinvoker/"+FileName) {
		t.Errorf("a Linux path among Windows' search paths: %q", got)
	}
}
