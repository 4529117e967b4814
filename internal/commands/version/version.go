// Package version is `imageinvoker version`; it never touches the network.
package version

import (
	"encoding/json"
	"fmt"
	"runtime"

	"github.com/imageinvoker/imageinvoker/internal/buildinfo"
	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/spf13/cobra"
)

// Info is what version prints.
type Info struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	Date    string `json:"date"`
	Go      string `json:"go"`
	OS      string `json:"os"`
	Arch    string `json:"arch"`
}

// NewCmd returns the version command.
func NewCmd(f *cmdutil.Factory) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the version and build of this binary",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			info := Info{buildinfo.Version, buildinfo.Commit, buildinfo.Date, runtime.Version(), runtime.GOOS, runtime.GOARCH}
			if asJSON {
				enc := json.NewEncoder(f.IO.Out)
				return enc.Encode(info)
			}
			_, err := fmt.Fprintf(f.IO.Out, "imageinvoker %s (commit %s, built %s, %s %s/%s)\n",
				info.Version, info.Commit, info.Date, info.Go, info.OS, info.Arch)
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print as JSON")
	return cmd
}
