// Package config is ImageInvoker's one configuration: defaults, then a YAML
// file, then IMAGEINVOKER_* environment variables, then command-line flags.
// Every setting is described once in the Settings table, so the file key, the
// environment variable and the flag can never drift apart.
package config

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/pkg/express"
)

// Config is every setting of the program.
type Config struct {
	Store     StoreConfig     `yaml:"store"`
	Directory DirectoryConfig `yaml:"directory"`
	Machine   MachineConfig   `yaml:"machine"`
	Menu      MenuConfig      `yaml:"menu"`
	Session   SessionConfig   `yaml:"session"`
	Look      LookConfig      `yaml:"look"`
	Log       LogConfig       `yaml:"log"`
	Policy    PolicyConfig    `yaml:"policy"`

	// Include names the organisation's central config file: a path (a DS
	// share automation maps, a UNC path) or an https:// URL. Read from the
	// boot media's file only; its settings sit under the media file's.
	Include string `yaml:"include"`
	// IncludeCAFile verifies an https:// include (default: directory.ca_file
	// of the media file, else the system pool).
	IncludeCAFile string `yaml:"include_ca_file"`
	// IncludeFallback lets the console and `run` go on with the boot
	// media's settings alone when the include cannot be read (weaker).
	IncludeFallback bool `yaml:"include_fallback"`
	// Sites are the Deployment Servers of the organisation, chosen by this
	// machine's IP addresses (ChooseSite); each overrides store, menu and
	// directory keys of the common settings.
	Sites []Site `yaml:"sites"`
	// SitesPrompt makes the console ask for the site when no site's subnets
	// match this machine.
	SitesPrompt bool `yaml:"sites_prompt"`
	// Site names the site to use instead of choosing one by address.
	Site string `yaml:"site"`
	// Label names this config for people (the console's status line,
	// doctor, the log): which media, which revision. Optional.
	Label string `yaml:"label"`

	// Source is the file the config came from ("" for defaults only).
	Source string `yaml:"-"`
	// Central says whether and how the include was read (nil: no include).
	Central *Central `yaml:"-"`
	// Warnings are problems that did not stop the program (an unreachable
	// central file); the console's status line and doctor show them.
	Warnings []string `yaml:"-"`
	// SiteReason says why Site was chosen, or why none was.
	SiteReason string `yaml:"-"`
	// SitePending: no site matched and sites_prompt is on, so the console
	// must ask (ForSite with the answer); other commands use the top level.
	SitePending bool `yaml:"-"`

	// overrides are the policy settings given by flags or the environment.
	overrides []override
	// origins says where each setting that is not a default came from.
	origins map[string]Origin
	// base is the file layers alone (before env and flags) and later the
	// env and flag values, so ForSite can lay a site between them.
	base  *Config
	later []applied
}

// PolicyConfig is the boot-media policy; it is read from the config file only.
type PolicyConfig struct {
	// AllowOverrides lets flags and IMAGEINVOKER_* variables set the
	// policy-protected settings and name the machine on the console and in
	// `run` (a lab or a script host, not boot media).
	AllowOverrides bool `yaml:"allow_overrides"`
}

// StoreConfig says where the eXpress database is and how to write to it.
type StoreConfig struct {
	// URL is `sqlserver://host/instance?database=eXpress` or `sqlite:PATH`.
	URL string `yaml:"url"`
	// Auth is `url` (credentials in the URL, a SQL login) or `technician`
	// (NTLM with the signed-in technician's DOMAIN\user and password, so
	// boot media carries no SQL secret).
	Auth StoreAuth `yaml:"auth"`
	// Queue is `auto` (procedure on SQL Server, insert on SQLite), `procedure`
	// (DS's own wc_ins_schedule, recording the technician the DS way) or
	// `insert` (a row in event_schedule).
	Queue QueueMethod `yaml:"queue"`
	// ConsoleSecurity is `auto` (on when console users/groups exist), `on` or `off`.
	ConsoleSecurity ConsoleSecurity `yaml:"console_security"`
	Timeout         time.Duration   `yaml:"timeout"`
	// CAFile verifies the SQL Server's certificate against an internal CA
	// (PEM), and TLSFingerprint pins a self-signed one (storetls.go).
	CAFile         string `yaml:"ca_file"`
	TLSFingerprint string `yaml:"tls_fingerprint"`
}

// DirectoryConfig says how to reach Active Directory.
type DirectoryConfig struct {
	// DCs are tried in order: ldaps://dc1:636 or ldap://dc1:389 (StartTLS).
	// Empty means DNS SRV discovery for DNSDomain.
	DCs []string `yaml:"dcs"`
	// Domain is the NetBIOS name bare user names are qualified with (LAB).
	Domain string `yaml:"domain"`
	// DNSDomain is the AD DNS domain (lab.example), for SRV discovery and UPNs.
	DNSDomain string `yaml:"dns_domain"`
	// BaseDN defaults to the DN form of DNSDomain.
	BaseDN string `yaml:"base_dn"`
	// CAFile verifies the DCs' certificates instead of the system pool.
	CAFile string `yaml:"ca_file"`
	// AllowPlain permits a simple bind over plain LDAP (password in clear).
	AllowPlain   bool          `yaml:"allow_plain"`
	Timeout      time.Duration `yaml:"timeout"`
	TotalTimeout time.Duration `yaml:"total_timeout"`
	// DSAccounts lets `.\name` sign in with a DS console account (no AD):
	// the password is checked against DS's own securityuser.password.
	// Config file only: it widens who may sign in.
	DSAccounts bool `yaml:"ds_accounts"`
	// Domains, when present, replace dcs, domain, dns_domain, base_dn and
	// ca_file: several AD domains, the first for bare user names. Config
	// file only (domains.go).
	Domains []DomainConfig `yaml:"domains"`
}

// MachineConfig says how this machine is matched to a DS computer.
type MachineConfig struct {
	// Match lists identifiers tried in order: mac, serial, uuid, asset_tag.
	Match MatchList `yaml:"match"`
	// WaitRegistration polls for an unknown machine this long (0: don't wait).
	WaitRegistration time.Duration `yaml:"wait_registration"`
}

// MenuConfig says which jobs make the boot menu and how it looks.
type MenuConfig struct {
	Root string `yaml:"root"`
	Tag  string `yaml:"tag"`
	Flat bool   `yaml:"flat"`
	// FolderNames overrides folder display names by folder id.
	FolderNames FolderNames `yaml:"folder_names"`
	// TypeToConfirm makes the technician type the machine name to confirm.
	TypeToConfirm bool `yaml:"type_to_confirm"`
}

// SessionConfig says what happens on idle and after queueing.
type SessionConfig struct {
	IdleTimeout time.Duration `yaml:"idle_timeout"`
	// IdleAction is exit, reboot or shutdown.
	IdleAction IdleAction `yaml:"idle_action"`
	// AfterQueue is exit, reboot or stay.
	AfterQueue AfterQueue `yaml:"after_queue"`
	// WatchTimeout bounds how long the client watches for DS to pick the job up.
	WatchTimeout time.Duration `yaml:"watch_timeout"`
	// StepTimeout bounds each network step (sign in, load, queue).
	StepTimeout time.Duration `yaml:"step_timeout"`
}

// LookConfig says how the console is drawn.
type LookConfig struct {
	// Style is auto, styled or ascii.
	Style LookStyle `yaml:"style"`
}

// LogConfig says where the log goes.
type LogConfig struct {
	File  string `yaml:"file"`
	Debug bool   `yaml:"debug"`
	// CopyTo keeps the log after the reboot that ends most runs: an
	// https:// URL it is PUT to, or a folder (a share path) it is copied
	// into, when the run ends.
	CopyTo string `yaml:"copy_to"`
}

// PollEvery is how often a wait on Deployment Server reads its database
// again: `run --wait` and the console watching for the pick-up, and the
// wait for a new machine's registration. One indexed query each time, cheap
// for the DS database; DS itself polls its queue every few seconds.
const PollEvery = 2 * time.Second

// Default returns the built-in defaults.
func Default() *Config {
	return &Config{
		Store: StoreConfig{Auth: AuthURL, Queue: QueueAuto, ConsoleSecurity: SecurityAuto, Timeout: 15 * time.Second},
		Directory: DirectoryConfig{
			Timeout: 5 * time.Second, TotalTimeout: 20 * time.Second,
		},
		Machine: MachineConfig{Match: MatchList{MatchMAC}},
		Menu:    MenuConfig{Root: "ImageInvoker", Tag: "[imageinvoker]"},
		Session: SessionConfig{
			IdleTimeout: 10 * time.Minute, IdleAction: IdleExit, AfterQueue: AfterExit,
			WatchTimeout: 30 * time.Minute, StepTimeout: 30 * time.Second,
		},
		Look: LookConfig{Style: LookAuto},
	}
}

// ErrInvalid marks configuration errors (exit code 2, like a usage error).
var ErrInvalid = exitcode.ErrConfig

// oneOf says v is not one of allowed, naming the setting key.
func oneOf[T ~string](key string, v T, allowed ...T) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return fmt.Errorf("%s: %q is not one of %v", key, v, allowed)
}

// Validate checks every enumerated value and bound.
func (c *Config) Validate() error {
	var errs []error
	note := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	note(oneOf("store.auth", c.Store.Auth, AuthURL, AuthTechnician))
	note(oneOf("store.queue", c.Store.Queue, QueueAuto, QueueInsert, QueueProcedure))
	note(oneOf("store.console_security", c.Store.ConsoleSecurity, SecurityAuto, SecurityOn, SecurityOff))
	note(oneOf("session.idle_action", c.Session.IdleAction, IdleExit, IdleReboot, IdleShutdown))
	note(oneOf("session.after_queue", c.Session.AfterQueue, AfterExit, AfterReboot, AfterStay))
	note(oneOf("look.style", c.Look.Style, LookAuto, LookStyled, LookASCII))
	for _, m := range c.Machine.Match {
		note(oneOf("machine.match", m, MatchKeys...))
	}
	if len(c.Machine.Match) == 0 {
		errs = append(errs, errors.New("machine.match: needs at least one of mac, serial, uuid, asset_tag"))
	}
	positive := func(key string, d time.Duration) {
		if d <= 0 {
			errs = append(errs, fmt.Errorf("%s: must be a positive duration like 5s or 10m", key))
		}
	}
	positive("store.timeout", c.Store.Timeout)
	positive("directory.timeout", c.Directory.Timeout)
	positive("directory.total_timeout", c.Directory.TotalTimeout)
	positive("session.idle_timeout", c.Session.IdleTimeout)
	positive("session.watch_timeout", c.Session.WatchTimeout)
	positive("session.step_timeout", c.Session.StepTimeout)
	if c.Machine.WaitRegistration < 0 {
		errs = append(errs, errors.New("machine.wait_registration: must not be negative"))
	}
	var store express.URL
	if c.Store.Configured() {
		// A mistyped URL would otherwise fail only when the store is
		// opened, and `config check` would call the file ok.
		var err error
		if store, err = c.Store.Location(); err != nil {
			errs = append(errs, err)
		}
	}
	errs = append(errs, c.Directory.validateDomains()...)
	if to := c.Log.CopyTo; strings.Contains(to, "://") && !strings.HasPrefix(to, "https://") {
		errs = append(errs, errors.New("log.copy_to: an https:// URL or a folder (a share path); plain http would send user names in clear"))
	}
	if c.Store.Auth == AuthTechnician && store.Dialect == express.DialectSQLite {
		errs = append(errs, errors.New("store.auth: technician (NTLM) only applies to sqlserver:// stores"))
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrInvalid, errors.Join(errs...))
}
