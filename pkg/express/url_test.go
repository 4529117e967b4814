package express

import (
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/tabletest"
)

// A mistyped store URL must not print its password (issue 9, attack 6).
func TestRedactURL(t *testing.T) {
	cases := [][2]string{
		{"sqlserver://sa:S3cretPW@ds1/SQLEXPRESS?database=eXpress", "sqlserver://***@ds1/SQLEXPRESS?database=eXpress"},
		{"sqlserver//sa:S3cretPW@ds1?database=eXpress", "sqlserver//***@ds1?database=eXpress"},
		{"sqlserver:sa:S3cretPW@ds1", "sqlserver:***@ds1"},
		{"sa:S3cretPW@ds1", "sa:***@ds1"}, // sa: reads as a scheme; the password is hidden all the same
		{"sqlserver://sa:S3c@ret@PW@ds1", "sqlserver://***@ds1"},
		{"sqlserver://ds1?database=eXpress&password=S3cretPW&user+id=sa", "sqlserver://ds1?database=eXpress&password=***&user+id=sa"},
		{"server=ds1;user id=sa;Password = S3cretPW;database=eXpress", "server=ds1;user id=sa;Password = ***;database=eXpress"},
		{"sqlserver://ds1/SQLEXPRESS?database=eXpress", "sqlserver://ds1/SQLEXPRESS?database=eXpress"},
		{"sqlite:/var/lib/express.db", "sqlite:/var/lib/express.db"},
	}
	tabletest.Pairs(t, "RedactURL", RedactURL, cases)
	// The table itself must not expect a password to show.
	for _, c := range cases {
		if strings.Contains(c[1], "S3c") || strings.Contains(c[1], "PW@") {
			t.Errorf("the case for %q wants the password shown: %q", c[0], c[1])
		}
	}
}

func TestCheckStoreURL(t *testing.T) {
	for _, ok := range []string{"sqlite:/x.db", "sqlite:x.db?mode=ro", "sqlserver://ds1?database=eXpress",
		"sqlserver://sa:pw@ds1:1433/SQLEXPRESS?database=eXpress"} {
		if err := CheckStoreURL(ok); err != nil {
			t.Errorf("CheckStoreURL(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"sqlserver//sa:S3cretPW@ds1", "sqlserver:sa:S3cretPW@ds1", "sqlserver://sa:S3cretPW@/x",
		"sqlite:", "mysql://ds1", "sqlserver://ds1/a/b"} {
		err := CheckStoreURL(bad)
		if err == nil {
			t.Errorf("CheckStoreURL(%q) = nil; want an error", bad)
			continue
		}
		if strings.Contains(err.Error(), "S3cretPW") {
			t.Errorf("CheckStoreURL(%q): the error shows the password: %v", bad, err)
		}
	}
}
