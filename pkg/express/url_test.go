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

func mustParse(t *testing.T, raw string) URL {
	t.Helper()
	u, err := ParseURL(raw)
	if err != nil {
		t.Fatalf("ParseURL(%q): %v", raw, err)
	}
	return u
}

// ParseURL reads each form a store URL takes into its parts, and names the
// store for a person (Short) without credentials or options.
func TestParseURL(t *testing.T) {
	cases := []struct {
		raw   string
		want  URL // raw is not compared
		short string
	}{
		{"sqlserver://ds01?database=eXpress", URL{Dialect: DialectSQLServer, Host: "ds01", Database: "eXpress"}, "sqlserver://ds01/eXpress"},
		{"sqlserver://ds01", URL{Dialect: DialectSQLServer, Host: "ds01"}, "sqlserver://ds01"},
		{"sqlserver://ds01/SQLEXPRESS?database=eXpress", URL{Dialect: DialectSQLServer, Host: "ds01", Instance: "SQLEXPRESS", Database: "eXpress"}, `sqlserver://ds01\SQLEXPRESS/eXpress`},
		{"sqlserver://ds01/SQLEXPRESS/?database=eXpress", URL{Dialect: DialectSQLServer, Host: "ds01", Instance: "SQLEXPRESS", Database: "eXpress"}, `sqlserver://ds01\SQLEXPRESS/eXpress`},
		{"sqlserver://ds01.lab.example:1433?database=eXpress", URL{Dialect: DialectSQLServer, Host: "ds01.lab.example", Port: "1433", Database: "eXpress"}, "sqlserver://ds01.lab.example:1433/eXpress"},
		{"sqlserver://[fd00::5]:14330?database=eXpress", URL{Dialect: DialectSQLServer, Host: "fd00::5", Port: "14330", Database: "eXpress"}, "sqlserver://[fd00::5]:14330/eXpress"},
		{"sqlserver://sa:S3cretPW@ds01:1433/ALTIRIS?database=eXpress", URL{Dialect: DialectSQLServer, Host: "ds01", Port: "1433", Instance: "ALTIRIS", Database: "eXpress", Credentials: true}, `sqlserver://ds01:1433\ALTIRIS/eXpress`},
		{"sqlserver://sa:S3c%40ret@ds01?database=eXpress", URL{Dialect: DialectSQLServer, Host: "ds01", Database: "eXpress", Credentials: true}, "sqlserver://ds01/eXpress"},
		{"sqlserver://ds01?database=eXpress&user+id=sa&password=S3cretPW", URL{Dialect: DialectSQLServer, Host: "ds01", Database: "eXpress"}, "sqlserver://ds01/eXpress"},
		{"sqlserver://ds01/ALTIRIS?database=eXpress&encrypt=true&trustServerCertificate=false&dial+timeout=5", URL{Dialect: DialectSQLServer, Host: "ds01", Instance: "ALTIRIS", Database: "eXpress"}, `sqlserver://ds01\ALTIRIS/eXpress`},
		{"sqlserver://ds01?database=eXpress&encrypt=disable", URL{Dialect: DialectSQLServer, Host: "ds01", Database: "eXpress"}, "sqlserver://ds01/eXpress"},
		{"sqlite:/var/lib/imageinvoker/express.db", URL{Dialect: DialectSQLite, Path: "/var/lib/imageinvoker/express.db"}, "sqlite:/var/lib/imageinvoker/express.db"},
		{"sqlite:express.db?mode=ro", URL{Dialect: DialectSQLite, Path: "express.db"}, "sqlite:express.db"},
		{`sqlite:C:\ImageInvoker\demo\express-demo.db`, URL{Dialect: DialectSQLite, Path: `C:\ImageInvoker\demo\express-demo.db`}, `sqlite:C:\ImageInvoker\demo\express-demo.db`},
		{"sqlite::memory:", URL{Dialect: DialectSQLite, Path: ":memory:"}, "sqlite::memory:"},
	}
	for _, c := range cases {
		got := mustParse(t, c.raw)
		if got.text() != c.raw {
			t.Errorf("ParseURL(%q) keeps %q as written", c.raw, got.text())
		}
		got.raw, got.file = nil, ""
		if got != c.want {
			t.Errorf("ParseURL(%q) =\n  %#v\nwant\n  %#v", c.raw, fields(got), fields(c.want))
		}
		if s := mustParse(t, c.raw).Short(); s != c.short {
			t.Errorf("ParseURL(%q).Short() = %q, want %q", c.raw, s, c.short)
		}
		if strings.Contains(mustParse(t, c.raw).Short()+mustParse(t, c.raw).Redacted(), "S3c") {
			t.Errorf("ParseURL(%q): Short or Redacted shows the password", c.raw)
		}
	}
}

// fields prints a URL's exported fields (its own %#v is redacted).
func fields(u URL) []any {
	return []any{u.Dialect, u.Host, u.Port, u.Instance, u.Database, u.Credentials, u.Path}
}

// Garbage is refused with the reason, and the form to write.
func TestParseURLRefuses(t *testing.T) {
	cases := map[string]string{
		"":                                       "does not start with sqlserver:// or sqlite:",
		"sqlite:":                                "needs a file path",
		"sqlite:?mode=ro":                        "needs a file path",
		"mysql://ds1":                            "does not start with sqlserver:// or sqlite:",
		"SQLSERVER://ds1":                        "does not start with sqlserver:// or sqlite:",
		"sqlserver//sa:S3cretPW@ds1":             "does not start with sqlserver://",
		"sqlserver:sa:S3cretPW@ds1":              "does not start with sqlserver://",
		"sqlserver://sa:S3cretPW@/x":             "names no host",
		"sqlserver://?database=eXpress":          "names no host",
		"sqlserver://ds1/a/b":                    "more than one instance name",
		`sqlserver://ds1\SQLEXPRESS`:             `write sqlserver://HOST/INSTANCE`,
		`sqlserver://sa:S3cretPW@ds1\SQLEXPRESS`: `write sqlserver://HOST/INSTANCE`,
		"sqlserver://ds1:port?database=eXpress":  "is not a URL",
		"ds1.lab.example":                        "does not start with sqlserver:// or sqlite:",
	}
	for raw, want := range cases {
		u, err := ParseURL(raw)
		if err == nil {
			t.Errorf("ParseURL(%q) = %v; want an error", raw, u)
			continue
		}
		if !strings.Contains(err.Error(), want) {
			t.Errorf("ParseURL(%q) = %v; want it to say %q", raw, err, want)
		}
		if strings.Contains(err.Error(), "S3cretPW") {
			t.Errorf("ParseURL(%q): the error shows the password: %v", raw, err)
		}
		if !u.IsZero() {
			t.Errorf("ParseURL(%q) refused but returned %v", raw, u)
		}
	}
}
