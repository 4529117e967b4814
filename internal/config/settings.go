package config

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"
)

// Kind is how a setting's value is written on the command line and in the environment.
type Kind int

const (
	String Kind = iota
	Bool
	Duration
	List // comma-separated in env; repeated or comma-separated flag
)

// Setting describes one configuration value once: its YAML key, its
// IMAGEINVOKER_* variable, its flag, and how to set it.
type Setting struct {
	Key  string // YAML path, e.g. store.url
	Flag string // command-line flag name without dashes
	Kind Kind
	Help string
	// Policy marks a setting that widens what may be scheduled or whom the
	// client trusts: on the console and in `run` it comes only from the
	// config file, unless that file sets policy.allow_overrides (EnforcePolicy).
	Policy bool
	// Group says which commands take the setting as a flag (AddGroups).
	Group Group
	set   func(c *Config, v string) error
}

// Group is a set of settings a command takes as flags together, named by
// what the command does with them; a setting may serve several groups.
type Group uint

const (
	// GroupSite chooses the site (every command that reads settings of one).
	GroupSite Group = 1 << iota
	// GroupStore finds the eXpress store and this machine in it.
	GroupStore
	// GroupLogin says how the store's SQL session logs in.
	GroupLogin
	// GroupQueue says how a job is queued.
	GroupQueue
	// GroupRegistration waits for DS to register an unknown machine.
	GroupRegistration
	// GroupMenu decides which jobs make the menu and how it is laid out.
	GroupMenu
	// GroupDirectory reaches Active Directory.
	GroupDirectory
	// GroupWatch bounds the network steps and the watch for DS's pick-up.
	GroupWatch
	// GroupConsole is how the console looks and behaves when left alone.
	GroupConsole
	// GroupLog is the log file.
	GroupLog
	// GroupDebug is --debug.
	GroupDebug

	// GroupAll is every setting (config show).
	GroupAll Group = 1<<iota - 1
)

// Env is the environment variable of the setting.
func (s Setting) Env() string {
	return "IMAGEINVOKER_" + strings.ToUpper(strings.ReplaceAll(s.Flag, "-", "_"))
}

func str[T ~string](p func(*Config) *T) func(*Config, string) error {
	return func(c *Config, v string) error { *p(c) = T(v); return nil }
}

func boolean(p func(*Config) *bool) func(*Config, string) error {
	return func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%q is not true or false", v)
		}
		*p(c) = b
		return nil
	}
}

func duration(p func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("%q is not a duration like 30s or 10m", v)
		}
		*p(c) = d
		return nil
	}
}

func list[S ~[]T, T ~string](p func(*Config) *S) func(*Config, string) error {
	return func(c *Config, v string) error {
		var out S
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, T(part))
			}
		}
		*p(c) = out
		return nil
	}
}

// Settings is every setting reachable from flags and the environment.
var Settings = []Setting{
	{Key: "store.url", Flag: "store", Group: GroupStore, Policy: true, Help: "eXpress database: sqlserver://host/instance?database=eXpress or sqlite:PATH",
		set: str(func(c *Config) *string { return &c.Store.URL })},
	{Key: "site", Flag: "site", Group: GroupSite, Policy: true, Help: "the site (sites: in the config file) whose store, menu and directory settings apply, instead of the one this machine's IP addresses choose",
		set: str(func(c *Config) *string { return &c.Site })},
	{Key: "store.auth", Flag: "store-auth", Group: GroupLogin, Policy: true, Help: "SQL login: url (credentials in the URL) or technician (NTLM as the signed-in user)",
		set: str(func(c *Config) *StoreAuth { return &c.Store.Auth })},
	{Key: "store.queue", Flag: "queue-method", Group: GroupQueue, Policy: true, Help: "how to queue: auto (procedure on SQL Server, insert on SQLite), procedure (DS's wc_ins_schedule) or insert",
		set: str(func(c *Config) *QueueMethod { return &c.Store.Queue })},
	{Key: "store.console_security", Flag: "console-security", Group: GroupMenu, Policy: true, Help: "auto, on or off (auto: on when DS has console users or groups)",
		set: str(func(c *Config) *ConsoleSecurity { return &c.Store.ConsoleSecurity })},
	{Key: "store.ca_file", Flag: "store-ca-file", Group: GroupStore, Policy: true, Help: "PEM file of the CA that signs the SQL Server's certificate (default: system pool)",
		set: str(func(c *Config) *string { return &c.Store.CAFile })},
	{Key: "store.tls_fingerprint", Flag: "store-tls-fingerprint", Group: GroupStore, Policy: true, Help: "SHA-256 of the SQL Server's certificate, to pin a self-signed one (doctor prints it)",
		set: str(func(c *Config) *string { return &c.Store.TLSFingerprint })},
	{Key: "store.timeout", Flag: "store-timeout", Group: GroupStore, Kind: Duration, Help: "timeout of each database step",
		set: duration(func(c *Config) *time.Duration { return &c.Store.Timeout })},
	{Key: "directory.dcs", Flag: "dc", Group: GroupDirectory, Policy: true, Kind: List, Help: "domain controller URL, ldaps://dc1:636 or ldap://dc1:389 (StartTLS); repeat to try several in order",
		set: list(func(c *Config) *[]string { return &c.Directory.DCs })},
	{Key: "directory.domain", Flag: "domain", Group: GroupDirectory, Policy: true, Help: "NetBIOS domain for bare user names (LAB)",
		set: str(func(c *Config) *string { return &c.Directory.Domain })},
	{Key: "directory.dns_domain", Flag: "dns-domain", Group: GroupDirectory, Policy: true, Help: "AD DNS domain, for DC discovery and UPNs (lab.example)",
		set: str(func(c *Config) *string { return &c.Directory.DNSDomain })},
	{Key: "directory.base_dn", Flag: "base-dn", Group: GroupDirectory, Policy: true, Help: "LDAP base DN (default: from --dns-domain)",
		set: str(func(c *Config) *string { return &c.Directory.BaseDN })},
	{Key: "directory.ca_file", Flag: "ca-file", Group: GroupDirectory, Policy: true, Help: "PEM file of CAs that sign the DCs' certificates (default: system pool)",
		set: str(func(c *Config) *string { return &c.Directory.CAFile })},
	{Key: "directory.allow_plain", Flag: "allow-plain-ldap", Group: GroupDirectory, Policy: true, Kind: Bool, Help: "allow a simple bind over plain LDAP: the password crosses the network in clear",
		set: boolean(func(c *Config) *bool { return &c.Directory.AllowPlain })},
	{Key: "directory.timeout", Flag: "dc-timeout", Group: GroupDirectory, Kind: Duration, Help: "timeout per domain controller",
		set: duration(func(c *Config) *time.Duration { return &c.Directory.Timeout })},
	{Key: "directory.total_timeout", Flag: "dc-total-timeout", Group: GroupDirectory, Kind: Duration, Help: "time budget for trying all domain controllers",
		set: duration(func(c *Config) *time.Duration { return &c.Directory.TotalTimeout })},
	// Policy: the order chooses which identifier names this machine; an
	// asset tag or serial a technician can edit in BIOS setup would let the
	// boot line make this machine another DS computer.
	{Key: "machine.match", Flag: "match", Group: GroupStore, Kind: List, Policy: true, Help: "identifiers that find this machine in DS, tried in order: mac, serial, uuid, asset_tag",
		set: list(func(c *Config) *MatchList { return &c.Machine.Match })},
	{Key: "machine.wait_registration", Flag: "wait-registration", Group: GroupRegistration, Kind: Duration, Help: "wait this long for DS to register an unknown machine",
		set: duration(func(c *Config) *time.Duration { return &c.Machine.WaitRegistration })},
	{Key: "menu.root", Flag: "menu-root", Group: GroupMenu, Policy: true, Help: "DS job folder whose subtree is the menu",
		set: str(func(c *Config) *string { return &c.Menu.Root })},
	{Key: "menu.tag", Flag: "menu-tag", Group: GroupMenu, Policy: true, Help: "description tag that puts a job on the menu from anywhere",
		set: str(func(c *Config) *string { return &c.Menu.Tag })},
	{Key: "menu.flat", Flag: "flat", Group: GroupMenu | GroupConsole, Kind: Bool, Help: "show the menu as one flat list instead of folders",
		set: boolean(func(c *Config) *bool { return &c.Menu.Flat })},
	{Key: "session.idle_timeout", Flag: "idle-timeout", Group: GroupConsole, Kind: Duration, Help: "idle time on a screen that waits for the technician before the idle action",
		set: duration(func(c *Config) *time.Duration { return &c.Session.IdleTimeout })},
	{Key: "session.idle_action", Flag: "idle-action", Group: GroupConsole, Help: "exit, reboot or shutdown when idle",
		set: str(func(c *Config) *IdleAction { return &c.Session.IdleAction })},
	{Key: "session.after_queue", Flag: "after-queue", Group: GroupConsole, Policy: true, Help: "exit, reboot or stay after DS picks the job up",
		set: str(func(c *Config) *AfterQueue { return &c.Session.AfterQueue })},
	{Key: "session.watch_timeout", Flag: "watch-timeout", Group: GroupWatch, Kind: Duration, Help: "how long to watch for DS to pick a queued job up",
		set: duration(func(c *Config) *time.Duration { return &c.Session.WatchTimeout })},
	{Key: "session.step_timeout", Flag: "step-timeout", Group: GroupWatch, Kind: Duration, Help: "timeout of each network step",
		set: duration(func(c *Config) *time.Duration { return &c.Session.StepTimeout })},
	{Key: "look.style", Flag: "look", Group: GroupConsole, Help: "auto, styled or ascii",
		set: str(func(c *Config) *LookStyle { return &c.Look.Style })},
	{Key: "log.file", Flag: "log-file", Group: GroupLog, Policy: true, Help: "log file (on boot media: the RAM drive)",
		set: str(func(c *Config) *string { return &c.Log.File })},
	{Key: "log.debug", Flag: "debug", Group: GroupDebug, Kind: Bool, Policy: true, Help: "log and print error detail",
		set: boolean(func(c *Config) *bool { return &c.Log.Debug })},
}

// Lookup finds a setting by its flag name.
func Lookup(flag string) (Setting, bool) {
	for _, s := range Settings {
		if s.Flag == flag {
			return s, true
		}
	}
	return Setting{}, false
}

// AddGroups registers the flags of every setting in any of the groups, in
// the order of Settings.
func AddGroups(fs *pflag.FlagSet, g Group) {
	for _, s := range Settings {
		if s.Group&g != 0 {
			addFlag(fs, s)
		}
	}
}

// addFlag registers s's flag; the help names the environment variable, as
// restic does, so a script author sees both.
func addFlag(fs *pflag.FlagSet, s Setting) {
	help := s.Help + " (env " + s.Env() + ")"
	if d := defaultOf(s.Key); d != "" && s.Kind != Bool {
		help += " (default " + d + ")"
	}
	switch s.Kind {
	case Bool:
		fs.Bool(s.Flag, false, help)
	case List:
		fs.StringArray(s.Flag, nil, help)
	case Duration:
		// Typed, so --help says "duration" and pflag refuses "ten
		// minutes" itself; zero as the flag's default, since only a
		// flag given (Visit) overrides the file and the environment.
		fs.Duration(s.Flag, 0, help)
	default:
		fs.String(s.Flag, "", help)
	}
}

// defaultOf is the built-in default of a setting as it would be written on
// the command line ("" when there is none), read off Default() through its
// YAML form so the table needs no second accessor per setting.
func defaultOf(key string) string {
	section, field, _ := strings.Cut(key, ".")
	m, _ := defaultTree()[section].(map[string]any)
	switch v := m[field].(type) {
	case nil:
		return ""
	case []any:
		var parts []string
		for _, p := range v {
			parts = append(parts, fmt.Sprint(p))
		}
		return strings.Join(parts, ",")
	case string:
		return v
	case int:
		if v == 0 {
			return ""
		}
		return time.Duration(v).String()
	default:
		return fmt.Sprint(v)
	}
}

// defaultTree is Default() in its YAML form, made once: every command
// registers its flags when the program starts, `version` included.
var defaultTree = sync.OnceValue(func() map[string]any {
	var tree map[string]any
	data, err := yaml.Marshal(Default())
	if err != nil || yaml.Unmarshal(data, &tree) != nil {
		return nil
	}
	return tree
})

// ApplyEnv sets every setting whose variable is set. A bad value fails at
// once, naming the variable.
func (c *Config) ApplyEnv(getenv func(string) string) error {
	for _, s := range Settings {
		if v := getenv(s.Env()); v != "" {
			if err := c.apply(applied{s: s, v: v, by: s.Env(), kind: FromEnv}); err != nil {
				return fmt.Errorf("%w: %s: %w", ErrInvalid, s.Env(), err)
			}
		}
	}
	return nil
}

// ApplyFlags sets every setting whose flag was given on the command line.
func (c *Config) ApplyFlags(fs *pflag.FlagSet) error {
	var err error
	fs.Visit(func(f *pflag.Flag) {
		s, ok := Lookup(f.Name)
		if !ok || err != nil {
			return
		}
		v := f.Value.String()
		if s.Kind == List {
			vals, _ := fs.GetStringArray(f.Name)
			v = strings.Join(vals, ",")
		}
		if e := c.apply(applied{s: s, v: v, by: "--" + s.Flag, kind: FromFlag}); e != nil {
			err = fmt.Errorf("%w: --%s: %w", ErrInvalid, s.Flag, e)
		}
	})
	return err
}

// apply sets one value from the environment or a flag, notes it for the
// boot-media policy and `config show`, and keeps it for ForSite.
func (c *Config) apply(a applied) error {
	if err := a.s.set(c, a.v); err != nil {
		return err
	}
	c.noteOverride(a.s, a.by)
	c.setOrigin(a.s.Key, Origin{Kind: a.kind, Name: a.by})
	c.later = append(c.later, a)
	return nil
}
