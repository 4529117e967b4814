package cmdutil

import (
	"strings"

	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/internal/secret"
	"github.com/spf13/pflag"
)

// SignInFlags are the flags of the commands that sign a technician in
// without the console (run, rehearse, whoami, doctor): one user flag and the password's two
// ways in (never a --password flag), written once so the two cannot drift.
type SignInFlags struct {
	User   string
	Secret secret.Options
}

// Add registers --user (-u) and the password flags.
func (s *SignInFlags) Add(fs *pflag.FlagSet) {
	fs.StringVarP(&s.User, "user", "u", "", `user to sign in as: name, DOMAIN\name, name@domain or .\name (env IMAGEINVOKER_USER)`)
	secret.AddFlags(fs, &s.Secret.Stdin, &s.Secret.File)
}

// Bind gives the password reader the factory's streams and environment
// (IMAGEINVOKER_PASSWORD goes once read), takes the user from
// IMAGEINVOKER_USER when --user is not given, and requires one.
func (s *SignInFlags) Bind(f *Factory) error {
	s.BindOptional(f)
	if strings.TrimSpace(s.User) == "" {
		return exitcode.New(exitcode.Usage, `--user is required: name, DOMAIN\name, name@domain or .\name`)
	}
	return nil
}

// BindOptional is Bind for a command that signs in only when a user is
// given (doctor's store checks under store.auth: technician): no user is
// not an error there.
func (s *SignInFlags) BindOptional(f *Factory) {
	s.Secret.In, s.Secret.Getenv, s.Secret.Unsetenv = f.IO.In, f.Getenv, f.Unsetenv
	if s.User == "" {
		s.User = f.Getenv("IMAGEINVOKER_USER")
	}
}

// Password reads the password the flags point at.
func (s *SignInFlags) Password() (string, error) {
	pw, err := secret.Read(s.Secret)
	if err != nil {
		return "", exitcode.Wrap(exitcode.Usage, err, "%s", err.Error())
	}
	return pw, nil
}
