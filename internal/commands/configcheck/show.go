package configcheck

import (
	"fmt"
	"io"
	"net/netip"
	"text/tabwriter"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/internal/termsafe"
	"github.com/spf13/cobra"
)

// ShowOptions are the inputs of `config show`.
type ShowOptions struct {
	JSON bool
	// IP, when set, replaces this machine's addresses for choosing the site.
	IP string
}

func newShowCmd(f *cmdutil.Factory) *cobra.Command {
	o := &ShowOptions{}
	cmd := &cobra.Command{
		Use:   "show",
		Short: "Print every effective setting and where it came from",
		Long: `Print every effective setting and where it came from: the default, the central
file (include:) and its line, the config file and its line, the site and its line,
an IMAGEINVOKER_* variable, or a flag. A list or a map comes whole from one place.
It reads the config as every command does: the central file is read (over https
too), and the site is chosen by this machine's IP addresses, or by --ip ADDR as
if this machine had that address, or by --site NAME. Every setting's flag is
accepted, to see its effect. Credentials in the store URL are never printed.`,
		Example: `  imageinvoker config show
  imageinvoker config show --ip 10.2.0.15
  imageinvoker config show --site south --json | jq '.settings[] | select(.origin.kind != "default")'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts := f.ConfigOptions()
			if o.IP != "" {
				a, err := netip.ParseAddr(o.IP)
				if err != nil {
					return exitcode.New(exitcode.Usage, "--ip %q is not an IP address like 10.1.2.3 or 2001:db8::5", o.IP)
				}
				opts.Addrs = func() ([]netip.Addr, error) { return []netip.Addr{a}, nil }
			}
			cfg, err := config.ResolveWith(cmd.Flags(), f.Getenv, opts)
			if err != nil {
				return err
			}
			if o.JSON {
				return writeShowJSON(f.IO.Out, cfg)
			}
			return writeShowText(f.IO.Out, cfg)
		},
	}
	fs := cmd.Flags()
	fs.BoolVar(&o.JSON, "json", false, "print JSON on stdout")
	fs.StringVar(&o.IP, "ip", "", "choose the site as for a machine with this IP address")
	// With --debug, the root's persistent flag (cmdutil.AddRootFlags).
	config.AddGroups(fs, config.GroupAll&^config.GroupDebug)
	return cmd
}

type showJSON struct {
	ConfigFile string `json:"config_file"`
	// ConfigSHA256 is the file's sha256, which doctor and the log print too.
	ConfigSHA256 string          `json:"config_sha256,omitempty"`
	Label        string          `json:"label,omitempty"`
	Central      *config.Central `json:"central,omitempty"`
	Site         siteJSON        `json:"site"`
	Warnings     []string        `json:"warnings"`
	Settings     []config.Value  `json:"settings"`
}

type siteJSON struct {
	Name    string `json:"name"`
	Reason  string `json:"reason,omitempty"`
	Pending bool   `json:"pending,omitempty"`
}

func writeShowJSON(w io.Writer, cfg *config.Config) error {
	out := showJSON{
		ConfigFile: cfg.Source, ConfigSHA256: cfg.SHA256(), Label: cfg.Label, Central: cfg.Central,
		Site:     siteJSON{Name: cfg.Site, Reason: cfg.SiteReason, Pending: cfg.SitePending},
		Warnings: append([]string{}, cfg.Warnings...), Settings: cfg.Effective(),
	}
	return cmdutil.WriteJSON(w, out)
}

func writeShowText(w io.Writer, cfg *config.Config) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	file := cfg.Source
	if file == "" {
		file = "(none: defaults, IMAGEINVOKER_* variables and flags)"
	}
	fmt.Fprintf(tw, "config file\t%s\n", termsafe.Line(file))
	if sum := cfg.SHA256(); sum != "" {
		fmt.Fprintf(tw, "sha256\t%s\n", sum)
	}
	if cfg.Label != "" {
		fmt.Fprintf(tw, "label\t%s\n", termsafe.Line(cfg.Label))
	}
	if c := cfg.Central; c != nil {
		state := fmt.Sprintf("loaded (%d lines, %s)", c.Lines, c.Took.Round(100_000))
		if !c.Loaded {
			state = "not loaded: " + c.Err
		}
		fmt.Fprintf(tw, "central file\t%s: %s\n", termsafe.Line(c.Ref), termsafe.Line(state))
	}
	switch {
	case cfg.Site != "":
		fmt.Fprintf(tw, "site\t%s: %s\n", termsafe.Line(cfg.Site), termsafe.Line(cfg.SiteReason))
	case len(cfg.Sites) > 0:
		fmt.Fprintf(tw, "site\tnone: %s\n", termsafe.Line(cfg.SiteReason))
	}
	for _, warn := range cfg.Warnings {
		fmt.Fprintf(tw, "warning\t%s\n", termsafe.Line(warn))
	}
	fmt.Fprintf(tw, "\nSETTING\tVALUE\tFROM\n")
	for _, v := range cfg.Effective() {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", v.Key, termsafe.Line(config.FormatValue(v.Value)), termsafe.Line(v.Origin.String()))
	}
	return tw.Flush()
}
