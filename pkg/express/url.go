package express

import (
	"fmt"
	"net"
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
	out = keyRE.ReplaceAllString(out, "${1}${2}***")
	// go-mssqldb decodes a query key before it compares it, so
	// pass%77ord= or change%20password= carries a password too.
	return pairRE.ReplaceAllStringFunc(out, func(pair string) string {
		key, _, _ := strings.Cut(pair, "=")
		if k, err := url.QueryUnescape(key); err == nil {
			key = k
		}
		if k := strings.ToLower(strings.TrimSpace(key)); strings.Contains(k, "password") || k == "pwd" {
			i := strings.IndexByte(pair, '=')
			return pair[:i+1] + "***"
		}
		return pair
	})
}

// pairRE finds the key=value pairs of a URL query or an ADO-style string
// whose key is percent-encoded.
var pairRE = regexp.MustCompile(`[^?&;=]*%[^?&;=]*=[^&;]*`)

// URL is a parsed store location: where the eXpress database is, in the
// two forms the client opens. It is made only by ParseURL; the text it was
// parsed from (which may carry a password) stays inside this package, for
// the connector, and every way a URL is printed (String, %v, %+v, %#v)
// shows it redacted.
type URL struct {
	// Dialect is DialectSQLServer or DialectSQLite.
	Dialect string
	// Host is the SQL Server's host name or address.
	Host string
	// Port is the SQL Server's TCP port, "" when the URL gives none (1433,
	// or the named instance's port from the SQL Server Browser).
	Port string
	// Instance is the SQL Server named instance, "" for the default one.
	Instance string
	// Database is the ?database= the login uses, "" when not given.
	Database string
	// Credentials is set when the URL carries a user name or password
	// before the host (user:password@host).
	Credentials bool
	// Path is the SQLite file, without its ?options.
	Path string

	// raw is the text as written, behind a pointer: fmt prints a URL in
	// another type's unexported field field by field, without calling
	// String, and a pointer there prints as an address.
	raw *string
	// file is the SQLite file with its ?options, as the driver opens it.
	file string
}

// ParseURL reads a store URL: sqlite:PATH[?options], or
// sqlserver://[user[:password]@]host[:port][/instance][?database=...].
// A URL of any other shape is refused with the reason and the form to
// write; the error quotes the URL redacted.
func ParseURL(raw string) (URL, error) {
	if path, ok := strings.CutPrefix(raw, "sqlite:"); ok {
		file, _, _ := strings.Cut(path, "?")
		if file == "" {
			return URL{}, fmt.Errorf("%q needs a file path, like sqlite:/var/lib/imageinvoker/express.db", RedactURL(raw))
		}
		return URL{Dialect: DialectSQLite, Path: file, raw: &raw, file: path}, nil
	}
	bad := func(why string) error {
		return fmt.Errorf("%q %s: write sqlserver://[user:password@]host[:port][/instance]?database=eXpress or sqlite:PATH", RedactURL(raw), why)
	}
	rest, ok := strings.CutPrefix(raw, "sqlserver://")
	if !ok {
		return URL{}, bad("does not start with sqlserver:// or sqlite:")
	}
	u, err := url.Parse(raw)
	if err != nil {
		authority, _, _ := strings.Cut(rest, "?")
		if _, hostPart, _ := cutLast(authority, "@"); strings.Contains(hostPart, `\`) {
			return URL{}, bad(`writes the instance as HOST\INSTANCE, which a URL cannot hold (write sqlserver://HOST/INSTANCE)`)
		}
		return URL{}, bad("is not a URL")
	}
	if u.Hostname() == "" {
		return URL{}, bad("names no host")
	}
	inst := strings.Trim(u.Path, "/")
	if strings.Contains(inst, "/") {
		return URL{}, bad("has more than one instance name in its path")
	}
	return URL{Dialect: DialectSQLServer, Host: u.Hostname(), Port: u.Port(), Instance: inst,
		Database: u.Query().Get("database"), Credentials: u.User != nil, raw: &raw}, nil
}

// cutLast is strings.Cut at the last sep; without sep, all of s is after.
func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return "", s, false
}

// Redacted is the URL as written, its password hidden (RedactURL): for
// errors, logs and doctor, where the options matter.
func (u URL) Redacted() string { return RedactURL(u.text()) }

// String is Redacted, so a URL printed by any verb never shows a password.
func (u URL) String() string { return u.Redacted() }

// GoString is Redacted too (%#v).
func (u URL) GoString() string { return u.Redacted() }

// Short is how a person names the store: sqlserver://HOST[:PORT][\INSTANCE][/DATABASE]
// for SQL Server, sqlite:PATH for a file; no credentials, no options.
func (u URL) Short() string {
	switch u.Dialect {
	case DialectSQLite:
		return "sqlite:" + u.Path
	case DialectSQLServer:
		host := u.Host
		if u.Port != "" {
			host = net.JoinHostPort(u.Host, u.Port)
		}
		if u.Instance != "" {
			host += `\` + u.Instance
		}
		if u.Database != "" {
			host += "/" + u.Database
		}
		return "sqlserver://" + host
	}
	return ""
}

// IsZero says the URL was not parsed from anything: no store.
func (u URL) IsZero() bool { return u.text() == "" }

// text is the URL as written ("" for the zero URL).
func (u URL) text() string {
	if u.raw == nil {
		return ""
	}
	return *u.raw
}
