package express

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// schemeRE is the scheme word a store URL starts with, and whatever
// separators follow it, well formed or not (sqlserver://, sqlserver//,
// sqlserver:).
var schemeRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*[:/]*`)

// keyRE finds password keywords in a URL query or an ADO-style string.
var keyRE = regexp.MustCompile(`(?i)\b(password|pwd)(\s*=\s*)[^&;]*`)

// RedactURL hides the credentials of a store URL before it is quoted in an
// error, a log or doctor's report. It works on the text, not on a parse:
// a mistyped URL (sqlserver//sa:PW@host, sqlserver:sa:PW@host) parses as a
// path or an opaque value with no user info, and it is exactly the mistyped
// one that ends up in an error message. Everything before the last '@' (a
// password may hold '@'; a host never does) becomes ***, and password=
// and pwd= values do too.
func RedactURL(raw string) string {
	out := raw
	if i := strings.LastIndexByte(out, '@'); i >= 0 {
		prefix := schemeRE.FindString(out[:i])
		out = prefix + "***" + out[i:]
	}
	return keyRE.ReplaceAllString(out, "${1}${2}***")
}

// CheckStoreURL says what is wrong with a store URL, or nil: sqlite:PATH,
// or sqlserver://[user[:password]@]host[:port][/instance][?database=...].
// The error quotes the URL redacted.
func CheckStoreURL(raw string) error {
	if path, ok := strings.CutPrefix(raw, "sqlite:"); ok {
		if path == "" || strings.HasPrefix(path, "?") {
			return fmt.Errorf("%q needs a file path, like sqlite:/var/lib/imageinvoker/express.db", raw)
		}
		return nil
	}
	bad := func(why string) error {
		return fmt.Errorf("%q %s: write sqlserver://[user:password@]host[:port][/instance]?database=eXpress or sqlite:PATH", RedactURL(raw), why)
	}
	if !strings.HasPrefix(raw, "sqlserver://") {
		return bad("does not start with sqlserver:// or sqlite:")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return bad("is not a URL")
	}
	if u.Hostname() == "" {
		return bad("names no host")
	}
	if strings.Count(strings.Trim(u.Path, "/"), "/") > 0 {
		return bad("has more than one instance name in its path")
	}
	return nil
}
