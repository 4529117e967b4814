package doctor

import (
	"github.com/imageinvoker/imageinvoker/internal/buildinfo"
	"github.com/imageinvoker/imageinvoker/internal/config"
)

// newReport starts the report with what identifies the build and the
// config: which binary and which settings a boot image carries.
func newReport(d Deps) *Report {
	r := &Report{Version: buildinfo.Line()}
	if d.Source.File != "" {
		r.ConfigSHA256 = config.FileSHA256(d.Source.File)
	}
	if d.Config != nil {
		r.Label = d.Config.Label
	}
	return r
}
