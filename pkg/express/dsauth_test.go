package express

import (
	"context"
	"database/sql/driver"
	"errors"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/pkg/dscipher"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// authServer answers discovery with every procedure (or without
// wc_sel_security_authenticate) and DS's authenticate procedure with rows.
func authServer(withProc bool, rows ...[]driver.Value) answerFunc {
	procs := allProcs()
	if !withProc {
		procs = procs[:0]
		for _, p := range allProcs() {
			if p != "wc_sel_security_authenticate" {
				procs = append(procs, p)
			}
		}
	}
	return func(text string, _ []driver.NamedValue) ([]resultSet, error) {
		switch {
		case isDiscovery(text):
			return discoveryAnswer(nil, procs, nil), nil
		case strings.HasPrefix(text, "EXEC wc_sel_security_authenticate"):
			set := resultSet{named("securityuser", "user_id", "authenticated")}
			return []resultSet{append(set, rows...)}, nil
		}
		return nil, errors.New("not scripted: " + text)
	}
}

// On SQL Server a DS console account is checked by DS's own
// wc_sel_security_authenticate: the name and password go in as DS cipher
// text with an empty domain and UPN, the answer is read by column name (the
// columns come in another order here), and securityuser.password is never
// read.
func TestDSAccountByProcedure(t *testing.T) {
	ctx := context.Background()
	s, rec := recordingStore(t, OpenOptions{}, authServer(true, []driver.Value{dscipher.Encrypt("Tech2"), int64(14000002), int64(1)}))
	if how, err := s.DSAccountCheck(ctx); err != nil || how != "procedure" {
		t.Fatalf("DSAccountCheck = %q, %v", how, err)
	}
	id, err := s.SignInDSAccount(ctx, `.\tech2`, "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	if id.User != `.\Tech2` || id.ConsoleUserID != 14000002 || !id.DSAccount {
		t.Errorf("identity = %+v, want DS's own account .\\Tech2 (id 14000002)", id)
	}
	var sent []string
	for _, c := range rec.Calls() {
		if isDiscovery(c.text) {
			continue
		}
		if strings.Contains(c.text, "password FROM") || strings.Contains(strings.ToLower(c.text), "securityuser") {
			t.Errorf("read securityuser directly: %s", c.text)
		}
		sent = append(sent, c.text+" ["+strings.Join(argSig(c.args), "; ")+"]")
	}
	want := "EXEC wc_sel_security_authenticate @username = @username, @password = @password, @domain = @domain, @upnname = @upnname" +
		" [username string " + dscipher.Encrypt("tech2") + "; password string " + dscipher.Encrypt("s3cret") + "; domain string ; upnname string ]"
	if len(sent) != 1 || sent[0] != want {
		t.Errorf("sent:\n%s\nwant:\n%s", strings.Join(sent, "\n"), want)
	}
}

// Every answer but one row with authenticated = 1 and a user id refuses:
// 0 (no such console account), 2 (an NT account: AD decides, not a DS
// console password), no row, two rows.
func TestDSAccountByProcedureRefusals(t *testing.T) {
	row := func(auth int64, id int64) []driver.Value { return []driver.Value{"", id, auth} }
	for name, rows := range map[string][][]driver.Value{
		"wrong password": {row(0, 0)},
		"NT account":     {row(2, 14000003)},
		"no row":         nil,
		"two rows":       {row(1, 14000002), row(1, 14000004)},
		"no user id":     {row(1, 0)},
	} {
		t.Run(name, func(t *testing.T) {
			s, _ := recordingStore(t, OpenOptions{}, authServer(true, rows...))
			if _, err := s.SignInDSAccount(context.Background(), `.\tech2`, "guess"); !errors.Is(err, model.ErrDSAccountRefused) {
				t.Errorf("err = %v, want a refusal", err)
			}
		})
	}
}

// Where the procedure cannot be called the direct compare stays, and the
// store says so (doctor shows it).
func TestDSAccountCheckWithoutProcedure(t *testing.T) {
	s, _ := recordingStore(t, OpenOptions{}, authServer(false))
	if how, err := s.DSAccountCheck(context.Background()); err != nil || how != "compare" {
		t.Fatalf("DSAccountCheck = %q, %v; want compare", how, err)
	}
}
