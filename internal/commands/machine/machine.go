// Package machine is `imageinvoker machine`: what this binary reads from the
// machine it runs on — every network interface and whether it is used to
// find the machine in DS, the SMBIOS identifiers — and, when a store is
// configured, which DS computer that finds. It is what an image builder runs
// when the console says the machine is not known to Deployment Server.
package machine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"

	"github.com/imageinvoker/imageinvoker/internal/cmdutil"
	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/demo"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/internal/setup"
	"github.com/imageinvoker/imageinvoker/internal/termsafe"
	machinepkg "github.com/imageinvoker/imageinvoker/pkg/machine"
	"github.com/imageinvoker/imageinvoker/pkg/model"
	"github.com/spf13/cobra"
)

// Options are the command's dependencies and flags.
type Options struct {
	IO      *cmdutil.IOStreams
	Machine cmdutil.MachineFlags
	Demo    bool
	JSON    bool
	Config  *config.Config
	// Inspect reads this machine; machine.Inspect unless a test injects one.
	Inspect func() (machinepkg.Report, error)
	// Platform is GOOS/GOARCH, shown so a report says which binary read it.
	Platform string
}

// NewCmd returns the machine command; runF, when not nil, runs instead of
// run (tests of argv → Options).
func NewCmd(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	o := &Options{IO: f.IO, Inspect: machinepkg.Inspect, Platform: runtime.GOOS + "/" + runtime.GOARCH}
	cmd := &cobra.Command{
		Use:   "machine",
		Short: "Show what this binary reads from this machine (NICs, SMBIOS) and which DS computer it matches",
		Long: `Lists every network interface this binary sees, with its MAC and whether it is
used to find the machine in Deployment Server (and why not when it is not), and
the SMBIOS system UUID, serial number, asset tag, manufacturer and model.

When a store is configured (--store, store.url) it also looks the machine up in
the eXpress database, trying machine.match (--match) in order, and names the DS
computer found. With store.auth technician the database can only be opened after
sign-in, so the lookup is skipped. --demo looks up in the embedded demo store, as
the demo machine ` + demo.ComputerName + ` unless --mac etc. name another.

Exit codes: 0 read (and found, when looked up); 3 looked up and not known to
Deployment Server; 8 the eXpress database could not be reached or read. What
could not be read from the machine (no DMI table in a container, no permission)
is shown as a note and is not a failure.`,
		Example: `  imageinvoker machine
  imageinvoker machine --json
  imageinvoker machine --store 'sqlserver://ds1/SQLEXPRESS?database=eXpress' --match mac,serial
  imageinvoker machine --demo`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := f.Config(cmd)
			if err != nil {
				return err
			}
			o.Config = cfg
			if runF != nil {
				return runF(cmd.Context(), o)
			}
			return run(cmd.Context(), o)
		},
	}
	fs := cmd.Flags()
	o.Machine.Add(fs)
	fs.BoolVar(&o.Demo, "demo", false, "look the machine up in the embedded demo eXpress database (as "+demo.ComputerName+" unless --mac etc. say otherwise)")
	fs.BoolVar(&o.JSON, "json", false, "print JSON on stdout")
	config.AddGroups(fs, config.GroupSite|config.GroupStore|config.GroupLogin|config.GroupRegistration)
	return cmd
}

// Result is what the command prints with --json.
type Result struct {
	Platform string `json:"platform"`
	machinepkg.Report
	// Warnings are what could not be read from the machine.
	Warnings []string `json:"warnings"`
	Lookup   Lookup   `json:"lookup"`
}

// Lookup statuses.
const (
	LookupFound    = "found"
	LookupNotFound = "not_found"
	LookupSkipped  = "skipped"
	LookupFailed   = "failed"
)

// Lookup is what the eXpress database said about this machine.
type Lookup struct {
	Status string `json:"status"`
	// Keys are the identifiers tried, in order.
	Keys     []Key           `json:"keys"`
	Computer *model.Computer `json:"computer,omitempty"`
	// Detail says why the lookup was skipped, found nothing or failed.
	Detail string `json:"detail,omitempty"`
}

// Key is one identifier the lookup tried.
type Key struct {
	By     string   `json:"by"`
	Values []string `json:"values,omitempty"`
	ID     int64    `json:"id,omitempty"`
}

// run reads the machine, looks it up when it can, and prints the result. The
// report is printed even when the lookup fails, then the lookup's error is
// returned for its exit code.
func run(ctx context.Context, o *Options) error {
	res, lookupErr := collect(ctx, o)
	write := WriteText
	if o.JSON {
		write = WriteJSON
	}
	if err := write(o.IO.Out, res); err != nil {
		return err
	}
	return lookupErr
}

func collect(ctx context.Context, o *Options) (*Result, error) {
	rep, err := o.Inspect()
	res := &Result{Platform: o.Platform, Report: rep, Warnings: []string{}}
	var pe *machinepkg.PartialError
	switch {
	case errors.As(err, &pe):
		res.Warnings = pe.Warnings()
	case err != nil:
		return res, err
	}
	if res.NICs == nil {
		res.NICs = []machinepkg.NIC{}
	}
	if res.MACs == nil {
		res.MACs = []string{}
	}
	res.Lookup.Keys = []Key{}
	cfg := o.Config
	if !o.Demo && !cfg.Store.Configured() {
		res.Lookup.Status = LookupSkipped
		res.Lookup.Detail = "no eXpress store configured: give --store (store.url), or --demo, to see which DS computer this machine is"
		return res, nil
	}
	// The flow looks up exactly what was read above, not a second reading.
	read := func() (machinepkg.Identity, []string, error) { return rep.Identity, res.Warnings, nil }
	env, err := setup.Build(ctx, cfg, setup.Options{Demo: o.Demo, ReadMachine: read})
	if err != nil {
		return res, err
	}
	defer env.Close()
	m, err := env.Flow.Identify(o.Machine.Target(o.Demo))
	if err != nil {
		return res, err
	}
	res.Lookup.Keys = keys(m.Keys)
	if !o.Demo && cfg.Store.Auth == config.AuthTechnician {
		res.Lookup.Status = LookupSkipped
		res.Lookup.Detail = "store.auth is technician: the eXpress database is opened as the technician, so DS is asked after sign-in"
		return res, nil
	}
	sess, err := env.Flow.Preview(ctx, model.Identity{})
	if err != nil {
		res.Lookup.Status, res.Lookup.Detail = LookupFailed, err.Error()
		return res, err
	}
	defer sess.Close()
	err = env.Flow.FindComputer(ctx, sess.Reader, m)
	switch {
	case err == nil:
		res.Lookup.Status, res.Lookup.Computer = LookupFound, m.Computer
	case exitcode.Of(err) == exitcode.UnknownComputer:
		res.Lookup.Status, res.Lookup.Detail = LookupNotFound, err.Error()
	default:
		res.Lookup.Status, res.Lookup.Detail = LookupFailed, err.Error()
	}
	return res, err
}

func keys(ks []model.ComputerKey) []Key {
	out := make([]Key, 0, len(ks))
	for _, k := range ks {
		out = append(out, Key{By: string(k.By), Values: k.Values, ID: k.ID})
	}
	return out
}

// WriteJSON prints the result as indented JSON.
func WriteJSON(w io.Writer, res *Result) error {
	return cmdutil.WriteJSON(w, res)
}

// WriteText prints the result for a person at the console.
func WriteText(w io.Writer, res *Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Read from this machine (%s):\n", res.Platform)
	b.WriteString("  Network interfaces:\n")
	if len(res.NICs) == 0 {
		b.WriteString("    (none listed by the OS)\n")
	}
	nameW := 4
	for _, n := range res.NICs {
		nameW = max(nameW, len(n.Name))
	}
	for _, n := range res.NICs {
		mac := "-"
		if n.MAC != "" {
			mac = machinepkg.FormatMAC(n.MAC)
		}
		use := "used"
		if !n.Used {
			use = "not used: " + n.Reason
		}
		fmt.Fprintf(&b, "    %-*s  %-17s  %s\n", nameW, n.Name, mac, use)
	}
	macs := make([]string, len(res.MACs))
	for i, m := range res.MACs {
		macs[i] = machinepkg.FormatMAC(m)
	}
	field(&b, "MACs for matching", strings.Join(macs, ", "))
	field(&b, "System UUID", res.UUID)
	field(&b, "Serial number", res.Serial)
	field(&b, "Asset tag", res.AssetTag)
	field(&b, "Manufacturer", res.Manufacturer)
	field(&b, "Model", res.Model)
	for _, warn := range res.Warnings {
		b.WriteString("  note: " + warn + "\n")
	}
	b.WriteString("\nDeployment Server:\n")
	l := res.Lookup
	if len(l.Keys) > 0 {
		b.WriteString("  looked up by " + describeKeys(l.Keys) + "\n")
	}
	switch l.Status {
	case LookupFound:
		fmt.Fprintf(&b, "  this machine is %s (computer %d)\n", l.Computer.Name, l.Computer.ID)
	default:
		b.WriteString("  " + l.Detail + "\n")
	}
	// Names come from DS, the firmware (SMBIOS strings) and the OS: data,
	// never terminal control.
	_, err := io.WriteString(w, termsafe.Text(b.String()))
	return err
}

func field(b *strings.Builder, name, value string) {
	if value == "" {
		value = "(none)"
	}
	fmt.Fprintf(b, "  %-18s %s\n", name+":", value)
}

func describeKeys(ks []Key) string {
	parts := make([]string, len(ks))
	for i, k := range ks {
		vals := k.Values
		if k.By == string(model.MatchMAC) {
			vals = make([]string, len(k.Values))
			for j, v := range k.Values {
				vals[j] = machinepkg.FormatMAC(v)
			}
		}
		if k.ID != 0 {
			vals = []string{strconv.FormatInt(k.ID, 10)}
		}
		parts[i] = k.By + " " + strings.Join(vals, ", ")
	}
	return strings.Join(parts, ", then ")
}
