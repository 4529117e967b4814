package access

import (
	"strings"

	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// Matches reports whether the console user or group named consoleName is the
// signed-in identity (ConsoleUser, compared with id.User) or one of its groups
// (ConsoleGroup, compared with each of id.Groups). It is the one place that
// decides who a console principal is; the store and the tests both use it.
//
// The rules, all case-insensitive because NT account names are:
//   - `DOMAIN\name` on the console side matches only `DOMAIN\name` on the AD
//     side: the console pinned a domain, so another domain's same-named
//     account must not inherit its rights.
//   - a bare console `name` matches `name` in any domain, and a bare AD name.
//     DS 6.9 shows console users and groups added from a workgroup or typed by
//     hand without a domain; those have always meant "this name".
//   - a bare AD name (no domain known) does NOT match a `DOMAIN\name` console
//     entry: the domain cannot be proved, so it fails closed.
//   - NetBIOS and DNS domain names are not treated as equal (`LAB` vs
//     `lab.example`); the directory package reports NetBIOS names.
//   - empty names never match.
//
// Console user names pass through decodeConsoleUserName first because the DS
// SDK may store them encoded (domain.md §1); group names are stored plain.
func Matches(kind model.PrincipalKind, consoleName string, id model.Identity) bool {
	switch kind {
	case model.ConsoleUser:
		return accountMatches(decodeConsoleUserName(consoleName), id.User)
	case model.ConsoleGroup:
		for _, g := range id.Groups {
			if accountMatches(consoleName, g) {
				return true
			}
		}
	}
	return false
}

// MatchPrincipals keeps the candidates that Matches the identity, in order.
func MatchPrincipals(candidates []model.Principal, id model.Identity) []model.Principal {
	var out []model.Principal
	for _, p := range candidates {
		if Matches(p.Kind, p.Name, id) {
			out = append(out, p)
		}
	}
	return out
}

// decodeConsoleUserName turns a `securityuser.name` value into the plain
// account name. The DS SDK stores user names through a reversible
// DS-specific encoding whose details are not known yet (domain.md §1); every
// name seen so far is plain, so this is the identity. A real decoder drops in
// here and nowhere else.
func decodeConsoleUserName(stored string) string { return stored }

func accountMatches(console, ad string) bool {
	console = strings.TrimSpace(console)
	ad = strings.TrimSpace(ad)
	cDomain, cName := model.SplitAccount(console)
	aDomain, aName := model.SplitAccount(ad)
	if cName == "" || aName == "" || !strings.EqualFold(cName, aName) {
		return false
	}
	if cDomain == "" {
		return true
	}
	return strings.EqualFold(cDomain, aDomain)
}
