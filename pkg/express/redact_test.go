package express

import (
	"fmt"
	"strings"
	"testing"

	"github.com/microsoft/go-mssqldb/msdsn"
)

// A mistyped SQL URL must not print its password (issue 9, attack 6):
// ParseURL, the one place a store URL is read, refuses it with the URL
// redacted.
func TestParseMistypedURLHidesThePassword(t *testing.T) {
	for _, u := range []string{"sqlserver//sa:S3cretPW@ds1?database=eXpress", "sqlserver:sa:S3cretPW@ds1", "sa:S3cretPW@ds1",
		`sqlserver://sa:S3cretPW@ds1\SQLEXPRESS?database=eXpress`, "sqlserver://sa:S3cretPW@/x"} {
		_, err := ParseURL(u)
		if err == nil || strings.Contains(err.Error(), "S3cretPW") {
			t.Errorf("ParseURL(%q) = %v; want an error without the password", u, err)
		}
	}
}

// However a parsed URL is printed, alone or inside a struct, its password
// does not show.
func TestURLPrintsRedacted(t *testing.T) {
	u := mustParse(t, "sqlserver://sa:S3cretPW@ds1/SQLEXPRESS?database=eXpress&password=S3cretPW")
	outer := struct{ Store URL }{u}
	for _, s := range []string{u.String(), u.Redacted(), u.Short(), fmt.Sprint(u), fmt.Sprintf("%v %+v %#v %s %q", u, u, u, u, u),
		fmt.Sprintf("%v %+v %#v", outer, outer, outer), fmt.Sprintf("%v", &u)} {
		if strings.Contains(s, "S3cretPW") {
			t.Errorf("a printed URL shows the password: %s", s)
		}
	}
}

// go-mssqldb decodes a URL's query keys before it looks for "password"
// (and "change password"), so pass%77ord=PW, %70assword=PW and
// change%20password=PW carry a password as password=PW does: the redacted
// URL (errors, config check's INSECURE line, config show) hides it too.
func TestRedactURLEncodedPasswordKeys(t *testing.T) {
	for _, raw := range []string{
		"sqlserver://sa@ds1?database=eXpress&pass%77ord=S3cretPW",
		"sqlserver://ds1?database=eXpress&user%20id=sa&%70assword=S3cretPW&encrypt=disable",
		"sqlserver://ds1?database=eXpress&%50WD=S3cretPW",
		"sqlserver://sa:old@ds1?database=eXpress&change%20password=S3cretPW",
		"sqlserver//ds1?pass%77ord=S3cretPW", // mistyped: redacted all the same
	} {
		if got := RedactURL(raw); strings.Contains(got, "S3cretPW") {
			t.Errorf("RedactURL(%q) = %q: the password shows", raw, got)
		}
		if u, err := ParseURL(raw); err == nil && strings.Contains(fmt.Sprintf("%v %s", u, u.Redacted()), "S3cretPW") {
			t.Errorf("ParseURL(%q) prints the password: %v", raw, u)
		}
	}
	// The driver does read those keys as the password (so the test is about
	// a real password, not a stray word).
	cfg, err := msdsn.Parse("sqlserver://sa@ds1?database=eXpress&pass%77ord=S3cretPW")
	if err != nil || cfg.Password != "S3cretPW" {
		t.Fatalf("msdsn reads password %q, err %v", cfg.Password, err)
	}
	// Other options stay readable.
	if got := RedactURL("sqlserver://ds1?database=eXpress&pass%77ord=S3cretPW&encrypt=disable"); !strings.Contains(got, "database=eXpress") || !strings.Contains(got, "encrypt=disable") {
		t.Errorf("RedactURL hid more than the password: %q", got)
	}
}

// A URL kept in another type's unexported field is printed by fmt field by
// field, without its String method (fmt cannot call methods through an
// unexported field): its text must not be there to print.
func TestURLInAnUnexportedFieldPrintsNoPassword(t *testing.T) {
	u := mustParse(t, "sqlserver://sa:S3cretPW@ds1/SQLEXPRESS?database=eXpress")
	type holder struct {
		store URL
		ptr   *URL
	}
	h := holder{store: u, ptr: &u}
	for _, s := range []string{fmt.Sprintf("%v", h), fmt.Sprintf("%+v", h), fmt.Sprintf("%#v", h), fmt.Sprintf("%v", []any{h}), fmt.Sprintf("%+v", &h)} {
		if strings.Contains(s, "S3cretPW") {
			t.Errorf("a URL in an unexported field prints the password: %s", s)
		}
	}
}
