package directory

import (
	"context"
	"errors"

	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// AccountStore checks DS console accounts (`.\name`): the eXpress store
// (express.Store.SignInDSAccount) does, with DS's own cipher.
type AccountStore interface {
	SignInDSAccount(ctx context.Context, name, password string) (model.Identity, error)
}

// ConsoleAuthority is what a DS console account's sign-in names as the one
// that checked the password.
const ConsoleAuthority = "Deployment Server (DS console account)"

// ConsoleAccounts is the identity source of DS console accounts: no domain
// controller, the store checks the password. Its refusals read exactly like
// AD's (BadCredentialsError), so a guesser cannot tell which check refused;
// the store's own failures (unreachable, schema) pass through unchanged.
type ConsoleAccounts struct {
	Store AccountStore
	// Backoff slows guessing per name (nil: the default, in os.TempDir()).
	Backoff *Backoff
}

// SignIn checks user (`.\name`) and password against DS's console accounts.
func (c ConsoleAccounts) SignIn(ctx context.Context, user, password string) (*model.SignIn, error) {
	if password == "" {
		return nil, EmptyPasswordError()
	}
	b := c.Backoff
	if b == nil {
		b = &Backoff{}
		if l, ok := c.Store.(interface{ Location() string }); ok {
			b.Scope = l.Location()
		}
	}
	if wait := b.Wait(user); wait > 0 {
		return nil, BackoffError(wait)
	}
	id, err := c.Store.SignInDSAccount(ctx, user, password)
	switch {
	case errors.Is(err, model.ErrDSAccountRefused):
		b.Failed(user)
		return nil, BadCredentialsError()
	case errors.Is(err, model.ErrEmptyPassword):
		return nil, EmptyPasswordError()
	case err != nil:
		return nil, err
	}
	b.Succeeded(user)
	return &model.SignIn{Identity: id, Authority: ConsoleAuthority}, nil
}
