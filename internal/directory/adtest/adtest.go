// Package adtest runs a real Samba Active Directory domain controller for
// tests: provisioned once per test binary, on a loopback address, with its
// own CA, seeded with the demo users (internal/demo) and one account per sign-in
// failure AD can report. Tests that need it call Start; a package's TestMain
// may call Main so the DC and its directory are removed at the end.
//
// Without Samba or root, Start skips the test with the reason, except when
// CI=true: then a missing DC is a failure, so CI can't go green by skipping.
package adtest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/tls"
	"crypto/x509"
	_ "embed"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
	"github.com/imageinvoker/imageinvoker/internal/certs"
	"github.com/imageinvoker/imageinvoker/internal/demo"
	"github.com/imageinvoker/imageinvoker/internal/directory"
	"github.com/imageinvoker/imageinvoker/internal/directory/directorytest"
	"github.com/imageinvoker/imageinvoker/internal/testenv"
)

//go:embed seed.py
var seedPy []byte

// Edge accounts: each makes the DC refuse a correct password with one AD
// "data" code. Their password is EdgePassword.
const (
	UserLocked          = "lockedout"   // 775, locked by LockoutThreshold bad binds
	UserPasswordExpired = "pwexpired"   // 532, pwdLastSet in 1970
	UserMustChange      = "mustchange"  // 773, pwdLastSet = 0
	UserAccountExpired  = "acctexpired" // 701, accountExpires in 1970
	UserLogonHours      = "nohours"     // 530, logonHours all zero
	UserWorkstation     = "wrongws"     // 531, userWorkstations names another machine
	UserDisabled        = "mallory"     // 533, the demo's disabled account
	UserBadPassword     = "frank"       // a plain account the wrong-password tests hammer
	EdgePassword        = "Edge-Pass-1"
	AdminPassword       = "Adm1n-Pass!x"
	// UserOutside lives in OutsideOU, outside CN=Users, and owns the UPN
	// OutsideUPN, which is also UserVictim's implicit UPN (sam@dnsdomain;
	// the victim has no explicit one): a sign-in that searched the typed
	// name instead of asking who bound would hand the outsider the victim's
	// SID and groups (DS Admins) under a base DN of CN=Users.
	UserOutside = "outsider"
	UserVictim  = "victim"
	OutsideOU   = "OU=Outside"
	OutsideUPN  = "victim@lab.example"
	// UserReader is a plain account in each domain that another domain's
	// sign-ins may bind as to read groups (directory domains[].bind_user).
	UserReader     = "ii-reader"
	ReaderPassword = "Reader-Pass-1"
	// LockoutThreshold is the domain's account lockout threshold. Tests may
	// send at most LockoutThreshold-1 wrong passwords for one account between
	// two right ones, or they lock it.
	LockoutThreshold = 5
)

// User is one seeded account.
type User struct {
	Sam         string
	Password    string
	DisplayName string
	// Groups are the security groups a sign-in must report (direct, nested
	// and primary), as sAMAccountNames; NotGroups are groups it must not
	// (a distribution group the user is in, groups of other users).
	Groups    []string
	NotGroups []string
}

// DC is a running Samba AD DC.
type DC struct {
	Addr        string // loopback address the DC listens on
	URL         string // ldaps://ADDR:636
	StartTLSURL string // ldap://ADDR:389 (StartTLS; plain binds refused by Samba)
	// DeadURL is an address where nothing listens: a DC that is down.
	DeadURL   string
	CAFile    string // PEM of the CA that signed the DC's certificate
	CAPEM     []byte
	Domain    string // LAB
	DNSDomain string // lab.example
	BaseDN    string // DC=lab,DC=example
	DomainSID string
	Users     map[string]User
	// Target is the conformance target of this DC (demo accounts only).
	Target directorytest.Target
	Dir    string
	// ProvisionTime is provision+seed; StartTime is from exec to LDAPS answering.
	ProvisionTime, StartTime time.Duration

	// SIDs are the seeded users' and groups' SIDs by sAMAccountName.
	SIDs map[string]string
	// Host is the DC's host name (dc1 for LAB, dc2 for OTHER).
	Host string

	proc  *os.Process
	done  chan struct{} // closed when samba has exited
	stdin *os.File      // held open: samba -i exits when it closes
	lock  *os.File
}

var (
	once    sync.Once
	shared  *DC
	initErr error
	skip    string
)

// Start returns the shared DC, provisioning and starting it on first use.
func Start(t testing.TB) *DC {
	t.Helper()
	once.Do(func() {
		defer claimedOnce.Do(func() { close(labClaimed) })
		if reason := unavailable(); reason != "" {
			skip = reason
			return
		}
		shared, initErr = start()
	})
	need(t, "samba AD DC", skip, initErr)
	return shared
}

// need skips t, or fails it when CI=true, if the DC called what could not
// be had for the reason skip; it fails t if the DC did not start.
func need(t testing.TB, what, skip string, err error) {
	t.Helper()
	const install = "run scripts/install-test-deps.sh as root"
	if skip != "" {
		testenv.SkipOrFail(t, "no %s: %s (%s)", what, skip, install)
	}
	if err != nil {
		t.Fatalf("start %s: %v", what, err)
	}
}

// Main runs the tests and then stops the DC, removing its directory.
// Use as `func TestMain(m *testing.M) { os.Exit(adtest.Main(m)) }`.
func Main(m *testing.M) int {
	code := m.Run()
	Stop()
	return code
}

// Stop kills the shared DC and removes its files. Safe to call when none runs.
func Stop() {
	if other != nil {
		other.stop()
	}
	if shared == nil {
		return
	}
	shared.stop()
}

func (dc *DC) stop() {
	if dc.proc != nil {
		_ = dc.proc.Kill()
		select {
		case <-dc.done:
		case <-time.After(5 * time.Second):
		}
	}
	if dc.stdin != nil {
		dc.stdin.Close()
	}
	if dc.Dir != "" {
		os.RemoveAll(dc.Dir)
	}
	if dc.lock != nil {
		dc.lock.Close()
	}
}

func unavailable() string {
	if os.Geteuid() != 0 {
		return "samba-tool provision and samba need root"
	}
	for _, bin := range []string{"samba", "samba-tool", "ldbmodify"} {
		if _, err := lookPath(bin); err != nil {
			return bin + " not installed (Debian: samba-ad-dc samba-ad-provision ldb-tools)"
		}
	}
	if _, err := os.Stat("/usr/bin/python3"); err != nil {
		return "/usr/bin/python3 (Samba's Python) not found"
	}
	return ""
}

// lookPath also looks in sbin, which a non-login PATH may lack.
func lookPath(bin string) (string, error) {
	if p, err := exec.LookPath(bin); err == nil {
		return p, nil
	}
	for _, dir := range []string{"/usr/sbin", "/sbin"} {
		p := filepath.Join(dir, bin)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: not found", bin)
}

// Seeded users: the demo accounts (same names, passwords and groups as the
// demo directory) and the edge accounts.
func seedUsers() map[string]User {
	users := map[string]User{}
	for _, u := range directorytest.DemoUsers() {
		users[u.Sam] = User{Sam: u.Sam, Password: u.Password, DisplayName: u.DisplayName,
			Groups: u.Groups, NotGroups: u.NotGroups}
	}
	for _, sam := range []string{UserLocked, UserPasswordExpired, UserMustChange, UserAccountExpired,
		UserLogonHours, UserWorkstation, UserBadPassword} {
		users[sam] = User{Sam: sam, Password: EdgePassword, DisplayName: "Edge " + sam,
			Groups: []string{demo.DomainUsers}, NotGroups: []string{"Techs"}}
	}
	return users
}

type seedUser struct {
	Sam          string            `json:"sam"`
	Password     string            `json:"password"`
	DisplayName  string            `json:"display_name"`
	Groups       []string          `json:"groups,omitempty"`
	Disabled     bool              `json:"disabled,omitempty"`
	MustChange   bool              `json:"must_change,omitempty"`
	NoLogonHours bool              `json:"no_logon_hours,omitempty"`
	Attrs        map[string]string `json:"attrs,omitempty"`
	RawAttrs     map[string]string `json:"raw_attrs,omitempty"` // written below Samba's checks (seed.py)
	NoUPN        bool              `json:"no_upn,omitempty"`    // only the implicit UPN sam@dnsdomain
	OU           string            `json:"ou,omitempty"`        // e.g. OU=Outside; default CN=Users
}

type seedGroup struct {
	Name         string   `json:"name"`
	Nested       []string `json:"nested,omitempty"`
	Distribution bool     `json:"distribution,omitempty"`
	DomainLocal  bool     `json:"domain_local,omitempty"`
}

// seedForeign makes the account or group of another domain with SID a
// member of Group: the DC stores it as a foreign security principal
// (CN=<SID>,CN=ForeignSecurityPrincipals,<base DN>), creating that object.
type seedForeign struct {
	Group string `json:"group"`
	SID   string `json:"sid"`
}

type seedDoc struct {
	URL     string        `json:"url"`
	SMBConf string        `json:"smbconf"`
	Groups  []seedGroup   `json:"groups"`
	Users   []seedUser    `json:"users"`
	Foreign []seedForeign `json:"foreign,omitempty"`
}

// seedDocFor is an empty seed document for the DC provisioned in dir.
func seedDocFor(dir string) seedDoc {
	return seedDoc{URL: filepath.Join(dir, "private", "sam.ldb"), SMBConf: filepath.Join(dir, "etc", "smb.conf")}
}

// filetime1970 is 1970-01-01 as a Windows FILETIME: long past, so a
// password set then is expired and an account expiring then has expired.
const filetime1970 = "116444736000000000"

func seedSpec(dir string) ([]byte, map[string]User) {
	users := seedUsers()
	spec := seedDocFor(dir)
	for _, g := range demo.Groups {
		spec.Groups = append(spec.Groups, seedGroup{Name: g.Sam, Nested: g.Nested, Distribution: g.Distribution})
	}
	for _, a := range demo.Accounts {
		spec.Users = append(spec.Users, seedUser{Sam: a.Sam, Password: a.Password, DisplayName: a.DisplayName,
			Groups: a.Groups, Disabled: a.Disabled})
	}
	// alice is also in the distribution group: tokenGroups must leave it out.
	for i := range spec.Users {
		if spec.Users[i].Sam == "alice" {
			spec.Users[i].Groups = append(spec.Users[i].Groups, "All Staff")
		}
	}
	edge := func(sam string, f func(*seedUser)) {
		u := seedUser{Sam: sam, Password: EdgePassword, DisplayName: users[sam].DisplayName}
		if f != nil {
			f(&u)
		}
		spec.Users = append(spec.Users, u)
	}
	edge(UserLocked, nil)
	edge(UserPasswordExpired, nil) // pwdLastSet needs ldbmodify with a control, below
	edge(UserMustChange, func(u *seedUser) { u.MustChange = true })
	edge(UserAccountExpired, func(u *seedUser) { u.Attrs = map[string]string{"accountExpires": filetime1970} })
	edge(UserLogonHours, func(u *seedUser) { u.NoLogonHours = true })
	edge(UserWorkstation, func(u *seedUser) { u.Attrs = map[string]string{"userWorkstations": "NOT-THIS-PC"} })
	edge(UserBadPassword, nil)
	spec.Users = append(spec.Users, seedUser{Sam: UserVictim, Password: EdgePassword, DisplayName: "Victim",
		Groups: []string{"DS Admins"}, NoUPN: true})
	spec.Users = append(spec.Users, seedUser{Sam: UserOutside, Password: EdgePassword, DisplayName: "Outside the base",
		OU: OutsideOU, RawAttrs: map[string]string{"userPrincipalName": OutsideUPN}})
	spec.Users = append(spec.Users, seedUser{Sam: UserReader, Password: ReaderPassword, DisplayName: "Group reader"})
	b, _ := json.Marshal(spec)
	return b, users
}

func start() (*DC, error) {
	dc, err := startDC(DC{Domain: demo.Domain, DNSDomain: demo.DNSDomain, BaseDN: demo.BaseDN, Host: "dc1"},
		claimAddress, "ad.", seedSpec)
	if err != nil {
		return nil, err
	}
	if err := dc.lockOut(UserLocked); err != nil {
		dc.stop()
		return nil, err
	}
	return dc, nil
}

// startDC provisions, seeds and runs the DC of domain (whose Domain,
// DNSDomain, BaseDN and Host are set) on the address claim gives it, in a
// new directory /tmp/<dirPattern>*.
func startDC(domain DC, claim func() (string, *os.File, error), dirPattern string,
	spec func(dir string) ([]byte, map[string]User)) (*DC, error) {
	addr, lock, err := claim()
	if err != nil {
		return nil, err
	}
	// Short on purpose: Samba's unix sockets live under it (108-byte limit).
	dir, err := os.MkdirTemp("/tmp", dirPattern)
	if err != nil {
		lock.Close()
		return nil, err
	}
	dc := &domain
	dc.Addr, dc.Dir, dc.lock = addr, dir, lock
	dc.URL, dc.StartTLSURL, dc.DeadURL = "ldaps://"+addr+":636", "ldap://"+addr+":389", deadURL
	b, users := spec(dir)
	if err := dc.provision(b, users); err != nil {
		dc.stop()
		return nil, err
	}
	if err := dc.run(); err != nil {
		dc.stop()
		return nil, err
	}
	return dc, nil
}

// claimAddress waits for this machine's one DC slot. LDAP ports are fixed
// and Samba only binds addresses configured on an interface (lo has just
// 127.0.0.1), so test binaries that go test runs in parallel take turns: an
// flock, released when the holding process exits, says whose turn it is.
func claimAddress() (string, *os.File, error) {
	addr, f, err := claim("127.0.0.1")
	claimedOnce.Do(func() { close(labClaimed) })
	return addr, f, err
}

// labClaimed is closed once this process holds LAB's slot (or gave up on
// it); StartPair claims OTHER's only after that.
var (
	labClaimed  = make(chan struct{})
	claimedOnce sync.Once
)

// deadURL is an address of the loopback network where nothing listens: a DC that is down.
const deadURL = "ldaps://127.0.0.9:636"

func claim(addr string) (string, *os.File, error) {
	f, err := os.OpenFile("/tmp/adtest."+addr+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return "", nil, err
	}
	deadline := time.Now().Add(10 * time.Minute)
	for syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
		if time.Now().After(deadline) {
			f.Close()
			return "", nil, errors.New("another test process held the samba DC slot for 10 minutes")
		}
		time.Sleep(250 * time.Millisecond)
	}
	// A DC of a test process killed hard may still be shutting down.
	for i := 0; ; i++ {
		c, err := net.DialTimeout("tcp", addr+":636", 200*time.Millisecond)
		if err != nil {
			break
		}
		c.Close()
		if i > 50 {
			f.Close()
			return "", nil, errors.New("something else listens on " + addr + ":636; stop it (another samba?)")
		}
		time.Sleep(200 * time.Millisecond)
	}
	return addr, f, nil
}

func (dc *DC) provision(spec []byte, users map[string]User) error {
	t0 := time.Now()
	seed := filepath.Join(dc.Dir, "seed.conf")
	// An empty config keeps provision from reading the host's /etc/samba/smb.conf.
	if err := os.WriteFile(seed, []byte("[global]\n"), 0o600); err != nil {
		return err
	}
	if err := runCmd(nil, "samba-tool", "domain", "provision", "--realm="+strings.ToUpper(dc.DNSDomain),
		"--domain="+dc.Domain, "--server-role=dc", "--dns-backend=NONE", "--host-name="+dc.Host,
		"--adminpass="+AdminPassword, "--targetdir="+dc.Dir, "-s", seed); err != nil {
		return fmt.Errorf("provision: %w", err)
	}
	if err := dc.writeTLS(); err != nil {
		return fmt.Errorf("tls files: %w", err)
	}
	if err := dc.writeSMBConf(); err != nil {
		return err
	}
	sam := filepath.Join(dc.Dir, "private", "sam.ldb")
	// Complexity off so the demo's passwords (alice-demo) are accepted as is.
	if err := runCmd(nil, "samba-tool", "domain", "passwordsettings", "set", "-H", sam,
		"-s", filepath.Join(dc.Dir, "etc", "smb.conf"),
		"--complexity=off", "--min-pwd-length=1", "--history-length=0", "--min-pwd-age=0", "--max-pwd-age=42",
		fmt.Sprintf("--account-lockout-threshold=%d", LockoutThreshold),
		"--account-lockout-duration=60", "--reset-account-lockout-after=60"); err != nil {
		return fmt.Errorf("password settings: %w", err)
	}
	if err := dc.seed(spec); err != nil {
		return err
	}
	dc.Users = users
	if dc.Domain != demo.Domain {
		dc.ProvisionTime = time.Since(t0)
		return nil
	}
	dc.Target = directorytest.Target{Users: directorytest.DemoUsers(), Config: directory.Config{
		DCs: []string{dc.URL}, Domain: dc.Domain, DNSDomain: dc.DNSDomain, BaseDN: dc.BaseDN, CAFile: dc.CAFile}}
	// Samba recomputes pwdLastSet on every write; this control (docs/active-directory.md)
	// lets a test store a value from the past.
	ldif := fmt.Sprintf("dn: CN=%s,CN=Users,%s\nchangetype: modify\nreplace: pwdLastSet\npwdLastSet: %s\n",
		UserPasswordExpired, dc.BaseDN, filetime1970)
	if err := runCmd([]byte(ldif), "ldbmodify", "-H", sam, "--controls=local_oid:1.3.6.1.4.1.7165.4.3.12:0"); err != nil {
		return fmt.Errorf("expire password: %w", err)
	}
	dc.ProvisionTime = time.Since(t0)
	return nil
}

// seed runs seed.py on the DC's sam.ldb and records the SIDs it reports.
func (dc *DC) seed(spec []byte) error {
	out, err := output(spec, "/usr/bin/python3", "-c", string(seedPy))
	if err != nil {
		return fmt.Errorf("seed %s: %w", dc.Domain, err)
	}
	var res struct {
		DomainSID string            `json:"domain_sid"`
		SIDs      map[string]string `json:"sids"`
	}
	if err := json.Unmarshal(lastLine(out), &res); err != nil {
		return fmt.Errorf("seed %s: read result %q: %w", dc.Domain, out, err)
	}
	dc.DomainSID = res.DomainSID
	if dc.SIDs == nil {
		dc.SIDs = map[string]string{}
	}
	for k, v := range res.SIDs {
		dc.SIDs[k] = v
	}
	return nil
}

func (dc *DC) writeSMBConf() error {
	d := dc.Dir
	for _, sub := range []string{"cache", "lock", "pid", "ncalrpc", "log"} {
		if err := os.MkdirAll(filepath.Join(d, sub), 0o755); err != nil {
			return err
		}
	}
	conf := fmt.Sprintf(`[global]
	netbios name = %[5]s
	realm = %[1]s
	workgroup = %[2]s
	server role = active directory domain controller
	server services = ldap
	interfaces = %[3]s
	bind interfaces only = yes
	private dir = %[4]s/private
	binddns dir = %[4]s/bind-dns
	state directory = %[4]s/state
	cache directory = %[4]s/cache
	lock directory = %[4]s/lock
	pid directory = %[4]s/pid
	ncalrpc dir = %[4]s/ncalrpc
	log file = %[4]s/log/samba.log
	log level = 1
	tls enabled = yes
	tls keyfile = %[4]s/tls/key.pem
	tls certfile = %[4]s/tls/cert.pem
	tls cafile = %[4]s/tls/ca.pem
`, strings.ToUpper(dc.DNSDomain), dc.Domain, dc.Addr, d, strings.ToUpper(dc.Host))
	return os.WriteFile(filepath.Join(d, "etc", "smb.conf"), []byte(conf), 0o600)
}

// writeTLS makes a CA and a server certificate. Samba's self-made one has a
// negative serial half the time, which Go's x509 rejects (docs/active-directory.md).
func (dc *DC) writeTLS() error {
	dir := filepath.Join(dc.Dir, "tls")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	now := time.Now()
	ca, err := certs.NewCA(caName(dc.Domain), now.Add(-time.Hour), now.Add(24*time.Hour))
	if err != nil {
		return err
	}
	host := dc.Host + "." + dc.DNSDomain
	cert, err := ca.Issue([]string{host, dc.Addr}, now.Add(-time.Hour), now.Add(24*time.Hour))
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalECPrivateKey(cert.PrivateKey.(*ecdsa.PrivateKey))
	if err != nil {
		return err
	}
	dc.CAPEM = ca.PEM
	dc.CAFile = filepath.Join(dir, "ca.pem")
	files := []struct {
		name string
		data []byte
	}{
		{"ca.pem", dc.CAPEM},
		{"cert.pem", certs.PEM(cert.Certificate[0])},
		// Samba refuses a key file readable by others.
		{"key.pem", pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})},
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.name), f.data, 0o600); err != nil {
			return err
		}
	}
	return nil
}

func caName(domain string) string {
	if domain == demo.Domain {
		return "adtest CA"
	}
	return "adtest CA " + domain
}

func (dc *DC) run() error {
	t0 := time.Now()
	bin, err := lookPath("samba")
	if err != nil {
		return err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	var logBuf bytes.Buffer
	cmd := exec.Command(bin, "-i", "-M", "single", "--debug-stdout", "-s", filepath.Join(dc.Dir, "etc", "smb.conf"))
	cmd.Stdin = r
	cmd.Stdout = &syncWriter{w: &logBuf}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		r.Close()
		w.Close()
		return fmt.Errorf("start samba: %w", err)
	}
	r.Close()
	dc.proc, dc.stdin, dc.done = cmd.Process, w, make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(dc.done) }()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(dc.CAPEM)
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-dc.done:
			dc.proc = nil
			return fmt.Errorf("samba exited: %v; output:\n%s", waitErr, tail(logBuf.String()))
		default:
		}
		c, err := tls.DialWithDialer(&net.Dialer{Timeout: time.Second}, "tcp", dc.Addr+":636",
			&tls.Config{RootCAs: pool, ServerName: dc.Addr})
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("samba did not answer LDAPS on %s:636 within 60s: %v; output:\n%s", dc.Addr, err, tail(logBuf.String()))
		}
		time.Sleep(100 * time.Millisecond)
	}
	dc.StartTime = time.Since(t0)
	return nil
}

// lockOut sends LockoutThreshold wrong passwords, the way a technician
// locks an account.
func (dc *DC) lockOut(sam string) error {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(dc.CAPEM)
	for i := 0; i < LockoutThreshold; i++ {
		c, err := ldap.DialURL(dc.URL, ldap.DialWithTLSConfig(&tls.Config{RootCAs: pool, ServerName: dc.Addr}))
		if err != nil {
			return fmt.Errorf("lock out %s: %w", sam, err)
		}
		err = c.Bind(dc.Domain+`\`+sam, "wrong-"+fmt.Sprint(i))
		c.Close()
		if err == nil {
			return fmt.Errorf("lock out %s: a wrong password was accepted", sam)
		}
	}
	return nil
}

func runCmd(stdin []byte, name string, args ...string) error {
	_, err := output(stdin, name, args...)
	return err
}

func output(stdin []byte, name string, args ...string) ([]byte, error) {
	bin, err := lookPath(name)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("%s: %w: %s", name, err, tail(stderr.String()))
	}
	return out, nil
}

func lastLine(b []byte) []byte {
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	return lines[len(lines)-1]
}

func tail(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > 30 {
		lines = lines[len(lines)-30:]
	}
	return strings.Join(lines, "\n")
}

type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// Silent starts a TCP server on loopback that accepts connections and never
// answers: a DC that is up but stuck. Its address is host:port; the server
// and its connections close when the test ends.
func Silent(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	return l.Addr().String()
}
