package config

import (
	"errors"
	"fmt"
)

// ErrCentralUnreachable: the central file could not be read and the boot
// media does not allow going on without it (include_fallback); the console
// offers a retry.
var ErrCentralUnreachable = errors.New("central settings not loaded")

// override is one policy-protected setting given outside the config file.
type override struct {
	key, by string // store.url, --store or IMAGEINVOKER_STORE
}

func (c *Config) noteOverride(s Setting, by string) {
	if s.Policy {
		c.overrides = append(c.overrides, override{key: s.Key, by: by})
	}
}

// EnforcePolicy is the boot-media policy of the console and `run` (issue 9).
// On boot media whoever sits at the console can often change the command
// line, and on Linux the kernel command line becomes the environment; so
// the settings that widen what may be scheduled or whom the client trusts
// (Setting.Policy) and the flags that name the machine (machineFlags, as
// given) come only from the config file, unless the file itself sets
// policy.allow_overrides. Console security "off" is refused outright: it
// switches every DS permission check off. Previews (menu, explain) and
// doctor do not call this: they queue nothing.
func (c *Config) EnforcePolicy(machineFlags []string) error {
	var errs []error
	if c.Store.ConsoleSecurity == SecurityOff {
		errs = append(errs, errors.New("store.console_security: off is refused on the console and in `run`: it would let anyone schedule any job. "+
			"Use auto or on; `imageinvoker menu` and `explain` can still preview off as a what-if"))
	}
	if c.Central != nil && !c.Central.Loaded && !c.IncludeFallback {
		errs = append(errs, fmt.Errorf("%w: %s could not be read: %s. The console and `run` need it: what only it restricts (a domain holding deny groups, a narrower menu.root, console_security) would be dropped. "+
			"Check the network and the share or server; include_fallback: true in the boot media's file would go on without it (weaker)", ErrCentralUnreachable, c.Central.Ref, c.Central.Err))
	}
	if err := c.checkStoreTLS(); err != nil {
		errs = append(errs, err)
	}
	if !c.Policy.AllowOverrides && c.base != nil {
		// A console left signed in is anyone's: a flag or variable may
		// shorten the idle time of the config file, never lengthen it.
		if o := c.Origin("session.idle_timeout"); (o.Kind == FromEnv || o.Kind == FromFlag) && c.Session.IdleTimeout > c.base.Session.IdleTimeout {
			errs = append(errs, fmt.Errorf("%s sets session.idle_timeout to %s, longer than the config file's %s: on the console and in `run` it may only be shortened. "+
				"Change it in the config file, or set policy: {allow_overrides: true} there", o.Name, c.Session.IdleTimeout, c.base.Session.IdleTimeout))
		}
	}
	if !c.Policy.AllowOverrides {
		for _, o := range c.overrides {
			errs = append(errs, fmt.Errorf("%s sets %s, which on the console and in `run` comes only from the config file. "+
				"Put it in the config file, or set policy: {allow_overrides: true} there", o.by, o.key))
		}
		for _, f := range machineFlags {
			errs = append(errs, fmt.Errorf("--%s names the machine, which on the console and in `run` is read from the machine itself. "+
				"Drop it, or set policy: {allow_overrides: true} in the config file", f))
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrInvalid, errors.Join(errs...))
}

// EnforceDemoPolicy is the boot-media policy left under --demo: the demo's
// store and directory replace the configured ones, but its log is still
// written on this machine. With a config file that does not allow
// overrides (the boot media's), log.file and log.debug come only from it:
// from the kernel line (IMAGEINVOKER_ARGS="run --demo --debug --log-file
// FILE") they appended what was typed in the user field, unquoted shell
// text such as $(sh), to any file the image's init runs next.
func (c *Config) EnforceDemoPolicy() error {
	if c.Policy.AllowOverrides || c.Source == "" {
		return nil
	}
	var errs []error
	for _, o := range c.overrides {
		if o.key == "log.file" || o.key == "log.debug" {
			errs = append(errs, fmt.Errorf("%s sets %s, which with a config file (%s) comes only from that file, --demo or not. "+
				"Put it in the config file, or set policy: {allow_overrides: true} there", o.by, o.key, c.Source))
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrInvalid, errors.Join(errs...))
}

// Overrides lists the policy-protected settings given by flags or the
// environment, as "--store (store.url)".
func (c *Config) Overrides() []string {
	var out []string
	for _, o := range c.overrides {
		out = append(out, o.by+" ("+o.key+")")
	}
	return out
}
