package express

import (
	"fmt"
	"strings"
	"testing"
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
