package tuicmd

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/termsafe"
	"github.com/spf13/cobra"
)

// retryCentral is the console's loader: when the central file cannot be
// read and the boot media does not allow going on without it
// (config.ErrCentralUnreachable), the console clears the screen, says why
// and what to check, and reads the configuration again on Enter (the
// network may come up, the share be mapped); q and Enter, or the end of
// the input, stops with the error (exit 2).
func retryCentral(f *cmdutil.Factory, load func(*cobra.Command) (*config.Config, error)) func(*cobra.Command) (*config.Config, error) {
	return func(cmd *cobra.Command) (*config.Config, error) {
		for {
			cfg, err := load(cmd)
			if !errors.Is(err, config.ErrCentralUnreachable) {
				return cfg, err
			}
			fmt.Fprint(f.IO.Out, "\x1b[2J\x1b[H")
			fmt.Fprintf(f.IO.Out, "ImageInvoker cannot start: the organisation's central settings could not be read.\r\n\r\n%s\r\n\r\nPress Enter to try again, or type q and Enter to stop.\r\n",
				strings.ReplaceAll(termsafe.Text(strings.TrimPrefix(err.Error(), config.ErrInvalid.Error()+": ")), "\n", "\r\n"))
			line, rerr := readLine(f.IO.In)
			if rerr != nil || strings.EqualFold(strings.TrimSpace(line), "q") {
				return nil, err
			}
			f.Reset()
		}
	}
}

// readLine reads up to a newline one byte at a time, so nothing typed after
// it is taken from the console that starts next.
func readLine(r io.Reader) (string, error) {
	var b strings.Builder
	buf := make([]byte, 1)
	for {
		n, err := r.Read(buf)
		if n == 1 {
			if buf[0] == '\n' || buf[0] == '\r' {
				return b.String(), nil
			}
			b.WriteByte(buf[0])
		}
		if err != nil {
			return b.String(), err
		}
	}
}
