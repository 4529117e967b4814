package express

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/imageinvoker/imageinvoker/pkg/dscipher"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// SignInDSAccount checks a DS console account (a securityuser row without a
// domain) the way DS's own console login does: the typed password, through
// the DS cipher, must equal the stored one (compared in constant time). The
// name is compared after decryption, case-insensitively as Windows does.
// The identity returned is the stored account, never the typed string.
func (s *Store) SignInDSAccount(ctx context.Context, name, password string) (model.Identity, error) {
	if password == "" {
		return model.Identity{}, model.ErrEmptyPassword
	}
	name = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), model.DSAccountPrefix))
	if err := s.ready(ctx); err != nil {
		return model.Identity{}, err
	}
	if s.dialect == DialectSQLServer && s.schema.HasProcedure("wc_sel_security_authenticate") {
		// DS decides, and the login needs no SELECT on the passwords.
		return s.authenticateDS(ctx, name, password)
	}
	if s.schema.ident("securityuser.password") == "" {
		return model.Identity{}, &storeError{kind: model.ErrSchema, msg: fmt.Sprintf(
			"DS console accounts cannot sign in: this login may not read securityuser.password at %s — grant it (see the README: it lets the login recover every DS account's password) or turn directory.ds_accounts off", s.where)}
	}
	type account struct {
		id             int64
		name, password string
		fullName       string
	}
	var found []account
	err := s.each(ctx, s.db, nil, s.q.dsAccounts, nil, func(rows *sql.Rows) error {
		var id nullInt
		var user, pass, full nullText
		if err := rows.Scan(&id, &user, &pass, &full); err != nil {
			return err
		}
		plain, err := dscipher.DecryptText(user.S)
		if err == nil && name != "" && strings.EqualFold(plain, name) {
			found = append(found, account{id: id.V, name: plain, password: pass.S, fullName: full.S})
		}
		return nil
	})
	if err != nil {
		return model.Identity{}, s.classify("read DS console accounts", err)
	}
	// Compare even when no account matched, so a missing name costs the
	// same as a wrong password. Two accounts of one name are refused: DS
	// cannot tell them apart either.
	stored := dscipher.Encrypt("\x00no such account\x00")
	if len(found) == 1 && found[0].password != "" {
		stored = found[0].password
	}
	ok := dscipher.Equal(password, stored)
	if !ok || len(found) != 1 || found[0].password == "" {
		return model.Identity{}, model.ErrDSAccountRefused
	}
	a := found[0]
	return model.Identity{User: model.DSAccountPrefix + a.name, FullName: a.fullName, DSAccount: true, ConsoleUserID: a.id}, nil
}
