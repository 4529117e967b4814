package cmdutil

import (
	"strings"

	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/pkg/model"
	"github.com/spf13/pflag"
)

// IdentityFlags name the identity a preview decides for; no password, no directory.
type IdentityFlags struct {
	As     string
	Groups []string
}

// Add registers --as and --as-groups.
func (i *IdentityFlags) Add(fs *pflag.FlagSet) {
	fs.StringVar(&i.As, "as", "", `the user to decide for: DOMAIN\user (a bare name takes directory.domain), or .\name for a DS console account (required)`)
	fs.StringSliceVar(&i.Groups, "as-groups", nil, `the user's AD groups, comma-separated (DOMAIN\group; a bare name takes directory.domain)`)
}

// Identity returns the identity, or a usage error when --as is missing.
func (i *IdentityFlags) Identity() (model.Identity, error) {
	user := strings.TrimSpace(i.As)
	if user == "" {
		return model.Identity{}, exitcode.New(exitcode.Usage, `--as is required: the AD user to preview for, e.g. --as 'LAB\alice' --as-groups 'LAB\Techs'`)
	}
	var groups []string
	for _, g := range i.Groups {
		if g = strings.TrimSpace(g); g != "" {
			groups = append(groups, g)
		}
	}
	if model.IsDSAccountName(user) {
		return model.Identity{User: user, DSAccount: true}, nil
	}
	return model.Identity{User: user, Groups: groups}, nil
}
