package configcheck

import (
	"os"
	"runtime"

	"github.com/imageinvoker/imageinvoker/internal/config"
)

// findDefault is config.Find's search without an explicit file, for a given
// executable, so tests can point it at a temporary directory.
func findDefault(exe string) string {
	for _, p := range config.SearchPaths(exe, runtime.GOOS) {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	return ""
}

func executable() string {
	exe, _ := os.Executable()
	return exe
}
