package cmdutil

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/buildinfo"
	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/logging"
	"github.com/imageinvoker/imageinvoker/internal/termsafe"
)

// LogStart writes a run's start line: the build, the config file, its
// sha256 and label, and the site.
func LogStart(log *logging.Logger, cfg *config.Config, command string) {
	log.Start(logging.RunInfo{Command: command, Version: buildinfo.Line(), Config: cfg.Source,
		ConfigSHA256: cfg.SHA256(), Label: cfg.Label, Site: cfg.Site})
}

// LogEnd writes a run's end line (the exit code and the error table's
// sentence for err) and copies the log where log.copy_to says; a copy that
// fails is a warning on errOut, never the run's outcome.
func LogEnd(ctx context.Context, log *logging.Logger, cfg *config.Config, err error, errOut io.Writer) {
	log.End(err)
	if cfg.Log.CopyTo == "" {
		return
	}
	host, _ := os.Hostname()
	// The run may have been interrupted: the copy gets its own time.
	ctx = context.WithoutCancel(ctx)
	o := logging.CopyOptions{To: cfg.Log.CopyTo, Name: logging.CopyName(time.Now(), host), CAFile: cfg.Directory.CAFile}
	if cerr := log.Copy(ctx, o); cerr != nil {
		fmt.Fprintln(errOut, "warning: "+termsafe.Line(cerr.Error()))
	}
}
