package adtest

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/demo"
)

// The second domain, OTHER (other.example) on 127.0.0.3, and the foreign
// members between it and LAB. The two Samba domains have no trust (see
// docs/active-directory.md): the foreign security principals are made by
// adding members by SID (<SID=...>) with Samba's own bindings, which is what
// AD does when an administrator adds a trusted domain's account to a group.
const (
	OtherDomain    = "OTHER"
	OtherDNSDomain = "other.example"
	OtherBaseDN    = "DC=other,DC=example"
	// OtherAddr is not 127.0.0.2: before this harness had two DCs, tests
	// used that address as a DC that is down, and test binaries built from
	// older trees may run beside these on one machine.
	OtherAddr = "127.0.0.3"

	// OTHER's users.
	UserOlga     = "olga" // in OTHER\Field Techs; LAB holds her and that group as FSPs
	OlgaPassword = "olga-other"
	UserOscar    = "oscar" // in no group of LAB
	OscarPass    = "oscar-other"

	// OTHER's groups.
	GroupFieldTechs = "Field Techs" // global; olga
	// GroupResImagers is domain-local in OTHER and holds LAB\Imaging Techs
	// (alice's group) as a foreign security principal.
	GroupResImagers = "Res Imagers"
	// GroupResAdmins holds GroupResImagers: nested inside OTHER.
	GroupResAdmins = "Res Admins"
	// GroupResDeny holds LAB\bob himself as a foreign security principal.
	GroupResDeny = "Res Deny"
	// GroupResList is a distribution group holding LAB\alice: never reported.
	GroupResList = "Res List"

	// LAB's groups for OTHER's members.
	GroupGuestImagers = "Guest Imagers" // domain-local; holds OTHER\olga
	GroupGuestOuter   = "Guest Outer"   // holds Guest Imagers
	GroupVisitors     = "Visitors"      // domain-local; holds OTHER\Field Techs
	// GroupAllAuth is domain-local in LAB and holds Authenticated Users
	// (S-1-5-11, an FSP every domain has): every OTHER user is in it at LAB.
	GroupAllAuth = "All Authenticated"
)

var (
	otherOnce sync.Once
	other     *DC
	otherErr  error
	otherSkip string
)

// StartPair returns the shared LAB DC and the shared OTHER DC, with the
// foreign members above in both. The second DC needs OtherAddr on lo
// (Samba binds only addresses an interface has): it is added as root.
func StartPair(t testing.TB) (lab, oth *DC) {
	t.Helper()
	// Provision OTHER while LAB provisions: each takes seconds. Its address
	// is claimed only once LAB's is held: test binaries run in parallel
	// take the two slots in one order, so none holds OTHER's while waiting
	// for LAB's (a deadlock until the claim times out).
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-labClaimed
		otherOnce.Do(func() {
			if reason := unavailable(); reason != "" {
				otherSkip = reason
				return
			}
			if reason := ensureLoopback(OtherAddr); reason != "" {
				otherSkip = reason
				return
			}
			other, otherErr = startOther()
		})
	}()
	lab = Start(t)
	wg.Wait()
	need(t, "second samba AD DC (OTHER)", otherSkip, otherErr)
	crossOnce.Do(func() { crossErr = crossSeed(lab, other) })
	if crossErr != nil {
		t.Fatalf("foreign members: %v", crossErr)
	}
	return lab, other
}

var (
	crossOnce sync.Once
	crossErr  error
)

// ensureLoopback adds addr to lo unless some interface has it.
func ensureLoopback(addr string) string {
	ip := net.ParseIP(addr)
	addrs, err := net.InterfaceAddrs()
	if err == nil {
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok && n.IP.Equal(ip) {
				return ""
			}
		}
	}
	bin, err := lookPath("ip")
	if err != nil {
		return "no interface has " + addr + " and the ip command is missing (iproute2)"
	}
	if out, err := exec.Command(bin, "addr", "add", addr+"/8", "dev", "lo").CombinedOutput(); err != nil {
		return fmt.Sprintf("cannot add %s to lo (Samba binds only an interface's addresses): %v: %s", addr, err, strings.TrimSpace(string(out)))
	}
	return ""
}

func otherSpec(dir string) ([]byte, map[string]User) {
	spec := seedDocFor(dir)
	spec.Groups = []seedGroup{
		{Name: GroupFieldTechs},
		{Name: GroupResImagers, DomainLocal: true, Nested: []string{GroupResAdmins}},
		{Name: GroupResAdmins, DomainLocal: true},
		{Name: GroupResDeny, DomainLocal: true},
		{Name: GroupResList, DomainLocal: true, Distribution: true},
	}
	// Nested is "is a member of": Res Admins must exist before Res Imagers
	// joins it, which seed.py does after creating every group.
	spec.Users = []seedUser{
		{Sam: UserOlga, Password: OlgaPassword, DisplayName: "Olga Other", Groups: []string{GroupFieldTechs}},
		{Sam: UserOscar, Password: OscarPass, DisplayName: "Oscar Other"},
		{Sam: UserReader, Password: ReaderPassword, DisplayName: "Group reader"},
	}
	b, _ := json.Marshal(spec)
	users := map[string]User{
		UserOlga:   {Sam: UserOlga, Password: OlgaPassword, DisplayName: "Olga Other", Groups: []string{GroupFieldTechs, demo.DomainUsers}},
		UserOscar:  {Sam: UserOscar, Password: OscarPass, DisplayName: "Oscar Other", Groups: []string{demo.DomainUsers}},
		UserReader: {Sam: UserReader, Password: ReaderPassword, DisplayName: "Group reader", Groups: []string{demo.DomainUsers}},
	}
	return b, users
}

func startOther() (*DC, error) {
	return startDC(DC{Domain: OtherDomain, DNSDomain: OtherDNSDomain, BaseDN: OtherBaseDN, Host: "dc2"},
		func() (string, *os.File, error) { return claim(OtherAddr) }, "ad2.", otherSpec)
}

// crossSeed adds each domain's foreign members, by the other's SIDs.
func crossSeed(lab, oth *DC) error {
	t0 := time.Now()
	sid := func(dc *DC, name string) (string, error) {
		s := dc.SIDs[name]
		if s == "" {
			return "", fmt.Errorf("no SID seeded for %s\\%s", dc.Domain, name)
		}
		return s, nil
	}
	type member struct {
		in          *DC
		group       string
		from        *DC
		fromAccount string
	}
	members := []member{
		{oth, GroupResImagers, lab, "Imaging Techs"},
		{oth, GroupResDeny, lab, "bob"},
		{oth, GroupResList, lab, "alice"},
		{lab, GroupGuestImagers, oth, UserOlga},
		{lab, GroupVisitors, oth, GroupFieldTechs},
	}
	labDoc, othDoc := seedDocFor(lab.Dir), seedDocFor(oth.Dir)
	labDoc.Groups = []seedGroup{
		{Name: GroupGuestImagers, DomainLocal: true, Nested: []string{GroupGuestOuter}},
		{Name: GroupGuestOuter, DomainLocal: true},
		{Name: GroupVisitors, DomainLocal: true},
		{Name: GroupAllAuth, DomainLocal: true},
	}
	// Authenticated Users is not any domain's account: its SID is well known.
	labDoc.Foreign = []seedForeign{{Group: GroupAllAuth, SID: "S-1-5-11"}}
	docs := map[*DC]*seedDoc{lab: &labDoc, oth: &othDoc}
	for _, m := range members {
		s, err := sid(m.from, m.fromAccount)
		if err != nil {
			return err
		}
		docs[m.in].Foreign = append(docs[m.in].Foreign, seedForeign{Group: m.group, SID: s})
	}
	for _, dc := range []*DC{lab, oth} {
		b, _ := json.Marshal(docs[dc])
		if err := dc.seed(b); err != nil {
			return err
		}
	}
	lab.ProvisionTime += time.Since(t0)
	return nil
}
