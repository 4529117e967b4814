package express

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/imageinvoker/imageinvoker/pkg/dscipher"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// rawAuthenticate is DS's own console sign-in check (docs/ds-schema.md,
// "Console identities"): the user name and password go in as DS cipher text,
// as DS's SDK sends them (Altiris.DSSDK.Security.DeploymentServerIdentity::
// Authenticate), with an empty domain and UPN for a DS console account. The
// answer is one row, read by column name: authenticated (1: a DS console
// account whose password matched), user_id and securityuser.
const rawAuthenticate = `EXEC wc_sel_security_authenticate @username = @username, @password = @password, @domain = @domain, @upnname = @upnname`

// DSAccountCheck says how DS console account passwords are checked on this
// store: "procedure" (DS's wc_sel_security_authenticate: the login needs no
// SELECT on securityuser.password), "compare" (the password column read and
// compared here: the login can read every DS console password, and the
// cipher is reversible) or "" (neither: DS console accounts cannot sign in).
func (s *Store) DSAccountCheck(ctx context.Context) (string, error) {
	if err := s.ready(ctx); err != nil {
		return "", err
	}
	switch {
	case s.dialect == DialectSQLServer && s.schema.HasProcedure("wc_sel_security_authenticate"):
		return "procedure", nil
	case s.schema.ident("securityuser.password") != "":
		return "compare", nil
	}
	return "", nil
}

// authenticateDS asks DS's wc_sel_security_authenticate. Anything but
// exactly one row with authenticated = 1 and a console user id is a refusal.
func (s *Store) authenticateDS(ctx context.Context, name, password string) (model.Identity, error) {
	args := []any{
		sql.Named("username", dscipher.Encrypt(name)), sql.Named("password", dscipher.Encrypt(password)),
		sql.Named("domain", ""), sql.Named("upnname", ""),
	}
	rowsSeen := 0
	var authenticated, userID int64
	var stored string
	err := s.each(ctx, s.db, nil, rawAuthenticate, args, func(rows *sql.Rows) error {
		rowsSeen++
		cols, err := rows.Columns()
		if err != nil {
			return err
		}
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, c := range cols {
			switch strings.ToLower(c) {
			case "authenticated":
				authenticated = anyInt(vals[i])
			case "user_id":
				userID = anyInt(vals[i])
			case "securityuser":
				stored = anyText(vals[i])
			}
		}
		return nil
	})
	if err != nil {
		return model.Identity{}, s.classify("check the DS console account with wc_sel_security_authenticate", err)
	}
	if rowsSeen != 1 || authenticated != 1 || userID <= 0 {
		return model.Identity{}, model.ErrDSAccountRefused
	}
	// The account's own name as DS stores it (cipher text), else the name
	// DS accepted, as DS's SDK falls back to it.
	user := name
	if plain, err := dscipher.DecryptText(stored); err == nil && plain != "" {
		user = plain
	}
	return model.Identity{User: model.DSAccountPrefix + user, DSAccount: true, ConsoleUserID: userID}, nil
}

func anyInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int32:
		return int64(x)
	case int:
		return int64(x)
	case int16:
		return int64(x)
	case uint8:
		return int64(x)
	case bool:
		if x {
			return 1
		}
		return 0
	case []byte:
		n, _ := strconv.ParseInt(strings.TrimSpace(string(x)), 10, 64)
		return n
	case string:
		n, _ := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		return n
	}
	return 0
}

func anyText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}
