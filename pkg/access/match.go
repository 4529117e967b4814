package access

import (
	"fmt"
	"sort"
	"strings"

	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// MatchPrincipals is the one place that decides which console users and
// groups are the signed-in identity (docs/ds-schema.md, "Console
// identities"). The store hands it every console principal, user names
// already decrypted, and the DS-native groups' memberships; it returns the
// matches in a stable order and notes on what it could not decide.
//
// The rules, compared case-insensitively as Windows compares account names:
//   - A console user with a domain (securityuser.domain / netbiosdomain) is
//     an NT account: it matches the AD identity with the same name in that
//     domain, by NetBIOS name or by DNS name. A domain column that is set
//     and disagrees is never overruled by the other: the same name in
//     another domain never matches.
//   - An AD-linked console user also matches the identity whose UPN equals
//     its upnname (DS's GetMatchingUser compares the whole UPN).
//   - A console user without a domain is a DS console account: it matches
//     only a DS-account sign-in (`.\name`) of that name.
//   - A console group with ad_group_* set matches only the AD group of that
//     name in that domain.
//   - A console group without them is DS-native: it matches when one of its
//     members (console users) matched. When the store could not read the
//     memberships (members == nil), it matches nobody and a note says so.
//   - An AD name without a domain proves nothing and matches nothing.
func MatchPrincipals(all []model.ConsolePrincipal, members []model.Membership, id model.Identity) (matched []model.Principal, notes []string) {
	users := map[int64]bool{}
	for _, p := range all {
		if p.Kind == model.ConsoleUser && userMatches(p, id) {
			users[p.ID] = true
		}
	}
	memberOf := map[int64]bool{}
	for _, m := range members {
		if users[m.UserID] {
			memberOf[m.GroupID] = true
		}
	}
	seen := map[int64]int{}
	add := func(p model.ConsolePrincipal) {
		if i, ok := seen[p.ID]; ok { // a duplicate right row: keep one principal
			matched[i].Admin = matched[i].Admin || p.Admin
			return
		}
		seen[p.ID] = len(matched)
		matched = append(matched, model.Principal{ID: p.ID, Name: p.Display(), Kind: p.Kind, Admin: p.Admin})
	}
	nativeGroups := 0
	for _, p := range all {
		switch {
		case p.Kind == model.ConsoleUser && users[p.ID]:
			add(p)
		case p.Kind == model.ConsoleGroup && !p.Native() && groupMatches(p, id):
			add(p)
		case p.Kind == model.ConsoleGroup && p.Native():
			if memberOf[p.ID] {
				add(p)
			}
			nativeGroups++
		}
	}
	if members == nil && nativeGroups > 0 {
		notes = append(notes, fmt.Sprintf(
			"%d DS console group(s) without an AD domain were not matched: their members are kept in a table this database does not show (see `imageinvoker doctor`), so they count as groups you are not in", nativeGroups))
	}
	sort.SliceStable(matched, func(i, j int) bool {
		if matched[i].Kind != matched[j].Kind {
			return matched[i].Kind < matched[j].Kind
		}
		return matched[i].ID < matched[j].ID
	})
	return matched, notes
}

func userMatches(p model.ConsolePrincipal, id model.Identity) bool {
	if p.Native() {
		if !id.DSAccount {
			return false
		}
		if id.ConsoleUserID != 0 { // a signed-in account is its own row only
			return p.ID == id.ConsoleUserID
		}
		return nameEqual(p.Name, strings.TrimPrefix(strings.TrimSpace(id.User), model.DSAccountPrefix))
	}
	if id.DSAccount {
		return false
	}
	// DS's RemotedObject::GetMatchingUser: the name in the domain, or the
	// whole UPN against the user's upnname.
	if upn := strings.TrimSpace(id.UPN); upn != "" && strings.Contains(upn, "@") && nameEqual(p.UPN, upn) {
		return true
	}
	return accountMatches(p, id.User, id)
}

func groupMatches(p model.ConsolePrincipal, id model.Identity) bool {
	if id.DSAccount {
		return false
	}
	for _, g := range id.Groups {
		if accountMatches(p, g, id) {
			return true
		}
	}
	return false
}

// accountMatches compares an AD-linked console entry with one `DOMAIN\name`
// of the identity.
func accountMatches(p model.ConsolePrincipal, account string, id model.Identity) bool {
	dom, name := model.SplitAccount(strings.TrimSpace(account))
	if dom == "" || dom == "." || !nameEqual(p.Name, name) {
		return false
	}
	nb, dns := strings.TrimSpace(p.NetBIOSDomain), strings.TrimSpace(p.DNSDomain)
	idDNS := id.DNSOf(dom)
	positive := false
	if nb != "" {
		if !foldEqual(nb, dom) {
			return false
		}
		positive = true
	}
	if dns != "" && idDNS != "" {
		if !foldEqual(dns, idDNS) {
			return false
		}
		positive = true
	}
	return positive
}

func nameEqual(a, b string) bool {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	return a != "" && foldEqual(a, b)
}

// foldEqual compares case-insensitively the way DS can: its names are one
// byte a character (Windows-1252), so case folds only within that set.
// Unicode folding goes further (the long s folds onto s, the Kelvin sign
// onto k): a name with a character DS cannot store is compared exactly, so
// an AD account named with such a twin never becomes the console's.
func foldEqual(a, b string) bool {
	if !inWindows1252(a) || !inWindows1252(b) {
		return a == b
	}
	return strings.EqualFold(a, b)
}

func inWindows1252(s string) bool {
	for _, r := range s {
		if r > 0xFF && !strings.ContainsRune(windows1252High, r) {
			return false
		}
	}
	return true
}

// windows1252High are the characters of Windows-1252's 0x80–0x9F above U+00FF.
const windows1252High = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
