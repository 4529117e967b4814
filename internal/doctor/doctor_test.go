package doctor_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/imageinvoker/imageinvoker/internal/buildinfo"
	"github.com/imageinvoker/imageinvoker/internal/certs"
	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/directory/adtest"
	"github.com/imageinvoker/imageinvoker/internal/doctor"
	"github.com/imageinvoker/imageinvoker/internal/flow"
	"github.com/imageinvoker/imageinvoker/pkg/express/expresstest"
	"github.com/jimlambrt/gldap"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestMain(m *testing.M) { os.Exit(adtest.Main(m)) }

// knownMAC is PC-01's first NIC in testdata/express/basic.sql.
const knownMAC = "00:11:22:33:44:55"

// env is one doctor run against the real Samba DC and a real SQLite store,
// all green until a case breaks one thing.
type env struct {
	dc        *adtest.DC
	storePath string
	cfg       *config.Config
	deps      doctor.Deps
}

func newEnv(t testing.TB) *env {
	t.Helper()
	dc := adtest.Start(t)
	path := expresstest.NewFile(t, expresstest.Fixture(t, "basic.sql"))
	cfg := config.Default()
	cfg.Store.URL = "sqlite:" + path
	cfg.Store.Timeout = 5 * time.Second
	cfg.Directory.DCs = []string{dc.URL}
	cfg.Directory.CAFile = dc.CAFile
	cfg.Directory.Timeout = 3 * time.Second
	cfg.Directory.TotalTimeout = 8 * time.Second
	return &env{dc: dc, storePath: path, cfg: cfg, deps: doctor.Deps{
		Config:   cfg,
		Source:   doctor.ConfigSource{File: "/etc/imageinvoker/imageinvoker.yaml", From: "the boot environment's standard place"},
		Override: flow.Override{MACs: []string{knownMAC}},
		Network:  labNetwork,
	}}
}

// labNetwork is a booted machine's network as the tests give it: the real
// one differs between machines.
func labNetwork() (doctor.NetInfo, error) {
	return doctor.NetInfo{Interfaces: []doctor.NetInterface{{Name: "eth0", Addrs: []string{"10.1.2.3/16"}}},
		Gateways: []string{"10.1.0.1"}, DNS: []string{"10.1.0.10"}, Known: true}, nil
}

func (e *env) dcHost() string { return e.dc.Addr + ":636" }

func (e *env) run(t *testing.T) *doctor.Report {
	t.Helper()
	r := doctor.Run(context.Background(), e.deps)
	if t.Failed() || testing.Verbose() {
		var b bytes.Buffer
		_ = doctor.WriteText(&b, r)
		t.Logf("report:\n%s", b.String())
	}
	return r
}

// want is what one case expects of one check.
type want struct {
	check  string
	status doctor.Status
	detail []string // substrings of Detail
	fix    []string // substrings of Fix
}

func TestDoctorOneThingBroken(t *testing.T) {
	threeYearsAgo := func() time.Time { return time.Now().AddDate(-3, 0, 0) }
	cases := []struct {
		name   string
		breaks func(t *testing.T, e *env)
		// fails are every check that must fail; any other failure is a bug.
		fails []string
		want  func(e *env) []want
	}{
		{
			name: "all green", breaks: func(*testing.T, *env) {},
			want: func(e *env) []want {
				return []want{
					{"config", doctor.OK, []string{"/etc/imageinvoker/imageinvoker.yaml", "standard place"}, nil},
					{"dns", doctor.Skip, []string{"DCs are configured"}, nil},
					{"dc " + e.dcHost() + " connect", doctor.OK, nil, nil},
					{"dc " + e.dcHost() + " tls", doctor.OK, []string{"LDAPS", "dc1.lab.example", `"adtest CA"`, "the CA file " + e.dc.CAFile}, nil},
					{"store", doctor.OK, []string{"connected to sqlite:" + e.storePath}, nil},
					{"store tables", doctor.OK, []string{"all 15 tables and", "columns ImageInvoker uses were found"}, nil},
					// Samba gives currentTime to an anonymous reader: the DC's clock is the reference.
					{"clock", doctor.OK, []string{"the DC " + e.dcHost() + " says", "the database server says"}, nil},
					{"machine", doctor.OK, []string{"PC-01 (id 5000001)", "MAC " + knownMAC}, nil},
				}
			},
		},
		{
			name: "DC down",
			breaks: func(_ *testing.T, e *env) {
				e.cfg.Directory.DCs = []string{e.dc.DeadURL}
			},
			fails: []string{"dc 127.0.0.9:636 connect"},
			want: func(e *env) []want {
				return []want{
					{"dc 127.0.0.9:636 connect", doctor.Fail, []string{"connection refused"}, []string{"the DC is up", "port 636", "--dc"}},
					{"dc 127.0.0.9:636 tls", doctor.Skip, []string{"not reachable"}, nil},
					{"clock", doctor.OK, []string{"the database server says"}, nil},
				}
			},
		},
		{
			name: "wrong CA file",
			breaks: func(t *testing.T, e *env) {
				e.cfg.Directory.CAFile = otherCA(t)
			},
			fails: []string{"dc HOST tls"},
			want: func(e *env) []want {
				return []want{{"dc " + e.dcHost() + " tls", doctor.Fail,
					[]string{`signed by "adtest CA"`, "the CA file " + e.cfg.Directory.CAFile},
					[]string{"(adtest CA), in PEM, in " + e.cfg.Directory.CAFile}}}
			},
		},
		{
			name: "no CA file: the system pool lacks the domain CA",
			breaks: func(t *testing.T, e *env) {
				e.cfg.Directory.CAFile = ""
			},
			fails: []string{"dc HOST tls"},
			want: func(e *env) []want {
				return []want{{"dc " + e.dcHost() + " tls", doctor.Fail,
					[]string{`signed by "adtest CA"`, "the system's trusted CAs"}, []string{"--ca-file", "WinPE"}}}
			},
		},
		{
			name: "name mismatch",
			breaks: func(t *testing.T, e *env) {
				// A DNS name that is not in the DC's certificate, reaching the real DC.
				e.cfg.Directory.DCs = []string{"ldaps://dc9.wrong.example"}
				e.deps.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
					if addr != "dc9.wrong.example:636" {
						return nil, errors.New("unexpected address " + addr)
					}
					var d net.Dialer
					return d.DialContext(ctx, network, e.dcHost())
				}
			},
			fails: []string{"dc dc9.wrong.example:636 tls"},
			want: func(e *env) []want {
				return []want{{"dc dc9.wrong.example:636 tls", doctor.Fail,
					[]string{"is for dc1.lab.example, " + e.dc.Addr + ", not for dc9.wrong.example"},
					[]string{"ldaps://dc1.lab.example", "re-issued with dc9.wrong.example"}}}
			},
		},
		{
			name: "clock three years behind",
			breaks: func(_ *testing.T, e *env) {
				e.deps.Now = threeYearsAgo
			},
			fails: []string{"dc HOST tls", "clock"},
			want: func(e *env) []want {
				return []want{
					{"dc " + e.dcHost() + " tls", doctor.Fail,
						[]string{"is not valid yet by this machine's clock", "this machine's clock says " + threeYearsAgo().UTC().Format("2006-01-02")},
						[]string{"This machine's clock says " + threeYearsAgo().UTC().Format("2006-01-02"),
							"the DC " + e.dcHost() + " says " + time.Now().UTC().Format("2006-01-02"),
							"set the clock (BIOS) or let WinPE sync time", "valid for the real date"}},
					{"clock", doctor.Fail, []string{"about 3.0 years behind", "the database server says " + time.Now().UTC().Format("2006-01-02")},
						[]string{"Set the clock"}},
				}
			},
		},
		{
			name: "clock three years behind, DC down: the database's clock tells",
			breaks: func(_ *testing.T, e *env) {
				e.deps.Now = threeYearsAgo
				e.cfg.Directory.DCs = []string{e.dc.DeadURL}
			},
			fails: []string{"dc 127.0.0.9:636 connect", "clock"},
			want: func(e *env) []want {
				return []want{
					{"store", doctor.OK, []string{"connected to sqlite:" + e.storePath}, nil}, // the clock's reference
					{"clock", doctor.Fail, []string{"the database server says " + time.Now().UTC().Format("2006-01-02")}, []string{"BIOS"}},
				}
			},
		},
		{
			name: "table missing",
			breaks: func(t *testing.T, e *env) {
				expresstest.Exec(t, e.storePath, "DROP TABLE nics")
			},
			fails: []string{"store tables"},
			want: func(e *env) []want {
				return []want{
					{"store", doctor.OK, nil, nil},
					{"store tables", doctor.Fail, []string{"the database lacks what ImageInvoker needs: no table nics"}, []string{"eXpress database", "SELECT"}},
					{"machine", doctor.Skip, []string{"lacks the nics table"}, nil},
				}
			},
		},
		{
			name: "unknown machine",
			breaks: func(_ *testing.T, e *env) {
				e.deps.Override = flow.Override{MACs: []string{"02:DE:AD:BE:EF:01"}, Serial: "NOPE-1"}
			},
			fails: []string{"machine"},
			want: func(e *env) []want {
				return []want{
					{"store", doctor.OK, []string{"connected to sqlite:" + e.storePath}, nil}, // the lookup ran against it
					{"machine", doctor.Fail, []string{"not known to Deployment Server", "MAC 02:DE:AD:BE:EF:01", "serial NOPE-1"},
						[]string{"New Computers", "machine.match"}}}
			},
		},
		{
			name: "store file missing",
			breaks: func(_ *testing.T, e *env) {
				e.cfg.Store.URL = "sqlite:" + filepath.Join(filepath.Dir(e.storePath), "gone.db")
			},
			fails: []string{"store"},
			want: func(e *env) []want {
				return []want{
					{"store", doctor.Fail, []string{"gone.db"}, []string{"store.url"}},
					{"store tables", doctor.Skip, nil, nil},
					{"machine", doctor.Skip, nil, nil},
					{"clock", doctor.OK, []string{"the DC"}, nil},
				}
			},
		},
		{
			name: "no store configured",
			breaks: func(_ *testing.T, e *env) {
				e.cfg.Store.URL = ""
			},
			fails: []string{"store"},
			want: func(e *env) []want {
				return []want{{"store", doctor.Fail, []string{"no eXpress store configured"}, []string{"--store", "--demo"}}}
			},
		},
		{
			name: "technician login without a password",
			breaks: func(_ *testing.T, e *env) {
				e.deps.StoreSkip = "needs the technician's password"
			},
			want: func(e *env) []want {
				return []want{
					{"store", doctor.Skip, []string{"needs the technician's password"}, nil},
					{"machine", doctor.Skip, nil, nil},
					{"clock", doctor.OK, []string{"the DC"}, nil},
				}
			},
		},
		{
			name: "StartTLS on 389",
			breaks: func(_ *testing.T, e *env) {
				e.cfg.Directory.DCs = []string{e.dc.StartTLSURL}
			},
			want: func(e *env) []want {
				return []want{
					{"dc " + e.dc.Addr + ":389 tls", doctor.OK, []string{"StartTLS", "dc1.lab.example"}, nil},
					{"clock", doctor.OK, []string{"the DC " + e.dc.Addr + ":389 says"}, nil},
				}
			},
		},
		{
			name: "LDAPS address on the StartTLS port",
			breaks: func(_ *testing.T, e *env) {
				e.cfg.Directory.DCs = []string{"ldaps://" + e.dc.Addr + ":389"}
			},
			fails: []string{"dc " + "ADDR:389 tls"},
			want: func(e *env) []want {
				return []want{{"dc " + e.dc.Addr + ":389 tls", doctor.Fail, []string{"did not answer with TLS"},
					[]string{"ldap://" + e.dc.Addr + ":389 (StartTLS)", "ldaps://" + e.dc.Addr + ":636"}}}
			},
		},
		{
			name: "DCs found in DNS",
			breaks: func(_ *testing.T, e *env) {
				e.cfg.Directory.DCs = nil
				e.cfg.Directory.DNSDomain = "lab.example"
				e.deps.Resolver = &srvResolver{target: "dc1.lab.example.", port: 389}
				e.deps.Dial = dialDC(e)
			},
			want: func(e *env) []want {
				return []want{
					{"dns", doctor.OK, []string{"_ldap._tcp.dc._msdcs.lab.example lists 1 DC(s): dc1.lab.example:389"}, nil},
					{"dc dc1.lab.example:389 tls", doctor.OK, []string{"StartTLS"}, nil},
				}
			},
		},
		{
			// The client skips an SRV target outside the domain; doctor
			// says so and never probes it (issue 9, attack 3).
			name: "DNS names a DC outside the domain",
			breaks: func(_ *testing.T, e *env) {
				e.cfg.Directory.DCs = nil
				e.cfg.Directory.DNSDomain = "lab.example"
				e.deps.Resolver = &srvResolver{target: "dc1.lab.example.", port: 389,
					extra: []*net.SRV{{Target: "dc1.attacker.example.", Port: 389}}}
				e.deps.Dial = dialDC(e)
			},
			want: func(e *env) []want {
				return []want{
					{"dns", doctor.Warn, []string{"skipped dc1.attacker.example: not inside lab.example"}, []string{"spoofed"}},
					{"dc dc1.lab.example:389 tls", doctor.OK, []string{"StartTLS"}, nil},
				}
			},
		},
		{
			name: "DCs from DNS checked against the system's CAs",
			breaks: func(_ *testing.T, e *env) {
				e.cfg.Directory.DCs = nil
				e.cfg.Directory.DNSDomain = "lab.example"
				e.cfg.Directory.CAFile = ""
				e.deps.Resolver = &srvResolver{target: "dc1.lab.example.", port: 389}
				e.deps.Dial = dialDC(e)
			},
			fails: []string{"dc dc1.lab.example:389 tls"},
			want: func(e *env) []want {
				return []want{{"dns", doctor.Warn, []string{"the DCs come from DNS", "system's trusted CAs"}, []string{"--ca-file", "--dc"}}}
			},
		},
		{
			name: "no DC records in DNS",
			breaks: func(_ *testing.T, e *env) {
				e.cfg.Directory.DCs = nil
				e.cfg.Directory.DNSDomain = "lab.example"
				e.deps.Resolver = &srvResolver{err: &net.DNSError{Err: "no such host", Name: "_ldap._tcp.dc._msdcs.lab.example", IsNotFound: true}}
			},
			fails: []string{"dns"},
			want: func(e *env) []want {
				return []want{
					{"dns", doctor.Fail, []string{"_ldap._tcp.dc._msdcs.lab.example", "no such host"}, []string{"DNS server", "--dc ldaps://dc1.lab.example"}},
					{"dc", doctor.Skip, []string{"see dns"}, nil},
				}
			},
		},
		{
			name: "no DC and no DNS domain",
			breaks: func(_ *testing.T, e *env) {
				e.cfg.Directory.DCs = nil
			},
			fails: []string{"dc"},
			want: func(e *env) []want {
				return []want{{"dc", doctor.Fail, []string{"no domain controller configured"}, []string{"--dc", "--dns-domain"}}}
			},
		},
		{
			name: "invalid configuration",
			breaks: func(_ *testing.T, e *env) {
				e.deps.Config = nil
				e.deps.Source = doctor.ConfigSource{File: "/x/imageinvoker.yaml", From: "named by --config",
					Err: errors.New("invalid configuration: /x/imageinvoker.yaml: line 3: unknown key store.ulr")}
			},
			fails: []string{"config"},
			want: func(e *env) []want {
				return []want{
					{"config", doctor.Fail, []string{"line 3: unknown key store.ulr"}, []string{"imageinvoker config check /x/imageinvoker.yaml"}},
					{"store", doctor.Skip, []string{"configuration is invalid"}, nil},
					{"machine", doctor.Skip, []string{"configuration is invalid"}, nil},
				}
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			tc.breaks(t, e)
			r := e.run(t)
			for _, w := range tc.want(e) {
				c, ok := r.Find(w.check)
				if !ok {
					t.Errorf("no check %q", w.check)
					continue
				}
				if c.Status != w.status {
					t.Errorf("%s: status %s (%s); want %s", w.check, c.Status, c.Detail, w.status)
				}
				for _, s := range w.detail {
					if !strings.Contains(c.Detail, s) {
						t.Errorf("%s: detail %q lacks %q", w.check, c.Detail, s)
					}
				}
				for _, s := range w.fix {
					if !strings.Contains(c.Fix, s) {
						t.Errorf("%s: fix %q lacks %q", w.check, c.Fix, s)
					}
				}
				if (c.Status == doctor.Fail || c.Status == doctor.Warn) && c.Fix == "" {
					t.Errorf("%s: %s without a fix", w.check, c.Status)
				}
			}
			// Every report lists every check, whatever broke: a check that
			// vanished (the store's, say) fails every case, not only its own.
			for _, name := range []string{"config", "dns", "store", "store tables", "clock", "machine"} {
				if _, ok := r.Find(name); !ok {
					t.Errorf("the report has no %q check", name)
				}
			}
			var wantFails []string
			for _, f := range tc.fails {
				f = strings.ReplaceAll(f, "HOST", e.dcHost())
				wantFails = append(wantFails, strings.ReplaceAll(f, "ADDR", e.dc.Addr))
			}
			if got := r.Failed(); strings.Join(got, "|") != strings.Join(wantFails, "|") {
				t.Errorf("failed checks = %q; want %q", got, wantFails)
			}
			if r.OK != (len(wantFails) == 0) {
				t.Errorf("OK = %v with failures %q", r.OK, r.Failed())
			}
		})
	}
}

// A DC that accepts TCP and then says nothing must not hang doctor: the
// per-DC timeout ends the probe and the report names the timeout.
func TestDoctorSilentDC(t *testing.T) {
	silent := adtest.Silent(t)
	cfg := config.Default()
	cfg.Directory.DCs = []string{"ldaps://" + silent}
	cfg.Directory.Timeout = 300 * time.Millisecond
	cfg.Store.Timeout = time.Second
	r := doctor.Run(context.Background(), doctor.Deps{Config: cfg, Override: flow.Override{MACs: []string{knownMAC}}})
	c, ok := r.Find("dc " + silent + " tls")
	if !ok || c.Status != doctor.Fail {
		t.Fatalf("tls check = %+v; want a failure", c)
	}
	if !strings.Contains(c.Detail, "TLS handshake") || c.Fix == "" {
		t.Errorf("tls check = %+v", c)
	}
}

// A resolver that never answers and ignores its context must not hang
// doctor past its budget.
func TestDoctorBudget(t *testing.T) {
	cfg := config.Default()
	cfg.Directory.DNSDomain = "lab.example"
	cfg.Store.Timeout = time.Second
	block := make(chan struct{})
	defer close(block)
	r := doctor.Run(context.Background(), doctor.Deps{Config: cfg, Budget: 300 * time.Millisecond,
		Resolver: &srvResolver{block: block}, StoreSkip: "not under test"})
	c, ok := r.Find("dc")
	if !ok || c.Status != doctor.Fail || !strings.Contains(c.Detail, "time budget of 300ms") {
		t.Fatalf("dc check = %+v; want a budget failure", c)
	}
	if r.OK {
		t.Error("report OK despite a phase that never finished")
	}
}

func TestGolden(t *testing.T) {
	e := newEnv(t)
	e.deps.Now = func() time.Time { return time.Now().AddDate(-3, 0, 0) }
	e.deps.Override = flow.Override{MACs: []string{"02:DE:AD:BE:EF:01"}}
	r := e.run(t)
	// Fields that differ between runs: the DC's loopback address, the temp
	// store path, the CA path, and every time stamp.
	scrub := strings.NewReplacer(e.dc.Addr, "DCADDR", e.storePath, "STORE.db", e.dc.CAFile, "CA.pem")
	stamps := regexp.MustCompile(`\d{4}-\d{2}-\d{2} \d{2}:\d{2}`)
	// Round trips are measured, so they differ between runs.
	millis := regexp.MustCompile(`\d+(\.\d)? ms\b`)
	// The build: the Go release and the system differ between machines.
	if !strings.HasPrefix(r.Version, buildinfo.Version+" (commit ") {
		t.Errorf("version %q", r.Version)
	}
	r.Version = "VERSION"
	for i := range r.Checks {
		c := &r.Checks[i]
		for _, s := range []*string{&c.Name, &c.Detail, &c.Fix} {
			*s = millis.ReplaceAllString(stamps.ReplaceAllString(scrub.Replace(*s), "YYYY-MM-DD hh:mm"), "N ms")
		}
	}
	var text, js bytes.Buffer
	if err := doctor.WriteText(&text, r); err != nil {
		t.Fatal(err)
	}
	if err := doctor.WriteJSON(&js, r); err != nil {
		t.Fatal(err)
	}
	golden(t, "clock-skewed.txt", text.Bytes())
	golden(t, "clock-skewed.json", js.Bytes())
	for i, line := range strings.Split(text.String(), "\n") {
		if len(line) > doctor.Width {
			t.Errorf("line %d is %d columns (> %d): %q", i+1, len(line), doctor.Width, line)
		}
		for _, r := range line {
			if r > 127 {
				t.Errorf("line %d has non-ASCII %q: the WinPE console font may lack it", i+1, r)
			}
		}
	}
	var back struct {
		Checks []map[string]string `json:"checks"`
		OK     *bool               `json:"ok"`
	}
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || back.OK == nil || *back.OK || len(back.Checks) != len(r.Checks) {
		t.Fatalf("JSON = %s (%v)", js.String(), err)
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update to create): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run with -update after checking):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// srvResolver stands in for DNS: no AD DNS zone runs here (the test DC is
// provisioned without a DNS backend). It answers the one SRV query the
// client makes, and fails any other.
type srvResolver struct {
	target string
	port   uint16
	extra  []*net.SRV // answered before target
	err    error
	block  chan struct{}
}

func (r *srvResolver) LookupSRV(_ context.Context, service, proto, name string) (string, []*net.SRV, error) {
	if r.block != nil {
		<-r.block
	}
	if r.err != nil {
		return "", nil, r.err
	}
	if service != "ldap" || proto != "tcp" || name != "dc._msdcs.lab.example" {
		return "", nil, errors.New("unexpected SRV query _" + service + "._" + proto + "." + name)
	}
	return "", append(append([]*net.SRV(nil), r.extra...), &net.SRV{Target: r.target, Port: r.port}), nil
}

// dialDC resolves every DC name to the test DC, as the site's DNS would
// resolve dc1.lab.example; any other name fails the test.
func dialDC(e *env) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil || host != "dc1.lab.example" {
			return nil, errors.New("unexpected address " + addr)
		}
		var d net.Dialer
		return d.DialContext(ctx, network, net.JoinHostPort(e.dc.Addr, port))
	}
}

// otherCA writes the certificate of a CA that did not sign the DC's.
func otherCA(t *testing.T) string {
	t.Helper()
	ca, err := certs.NewCA("some other CA", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "other-ca.pem")
	if err := os.WriteFile(path, ca.PEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// plainDC is a real LDAP server (gldap) without TLS: it answers StartTLS
// with "unavailable", as an AD DC without a server certificate does, and
// gives its rootDSE currentTime.
func plainDC(t *testing.T, dcTime time.Time) string {
	t.Helper()
	srv, err := gldap.NewServer(gldap.WithLogger(hclog.NewNullLogger()))
	if err != nil {
		t.Fatal(err)
	}
	mux, err := gldap.NewMux()
	if err != nil {
		t.Fatal(err)
	}
	_ = mux.ExtendedOperation(func(w *gldap.ResponseWriter, r *gldap.Request) {
		_ = w.Write(r.NewExtendedResponse(gldap.WithResponseCode(gldap.ResultUnavailable)))
	}, gldap.ExtendedOperationStartTLS)
	_ = mux.Search(func(w *gldap.ResponseWriter, r *gldap.Request) {
		m, err := r.GetSearchMessage()
		if err == nil && m.BaseDN == "" {
			_ = w.Write(r.NewSearchResponseEntry("", gldap.WithAttributes(map[string][]string{
				"currentTime": {dcTime.UTC().Format("20060102150405.0Z")}})))
		}
		_ = w.Write(r.NewSearchDoneResponse(gldap.WithResponseCode(gldap.ResultSuccess)))
	})
	if err := srv.Router(mux); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	go func() { _ = srv.Run(addr) }()
	t.Cleanup(func() { _ = srv.Stop() })
	for i := 0; !srv.Ready(); i++ {
		if i > 500 {
			t.Fatal("gldap did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return addr
}

// A DC that refuses StartTLS fails, unless plain LDAP is allowed, which is
// a warning; its clock is still read (over plain LDAP: nothing secret is sent).
func TestDoctorStartTLSRefused(t *testing.T) {
	dcTime := time.Now().Add(-2 * time.Hour)
	addr := plainDC(t, dcTime)
	cases := []struct {
		name       string
		allowPlain bool
		want       doctor.Status
		detail     string
		fix        string
	}{
		{"plain LDAP not allowed", false, doctor.Fail, "refuses StartTLS, and the client never sends a password in clear", "ldaps://127.0.0.1:636"},
		{"plain LDAP allowed", true, doctor.Warn, "passwords would cross the network in clear", "LDAP server certificate"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := config.Default()
			cfg.Directory.DCs = []string{"ldap://" + addr}
			cfg.Directory.AllowPlain = tc.allowPlain
			cfg.Directory.Timeout = 2 * time.Second
			r := doctor.Run(context.Background(), doctor.Deps{Config: cfg, StoreSkip: "not under test"})
			c, _ := r.Find("dc " + addr + " tls")
			if c.Status != tc.want || !strings.Contains(c.Detail, tc.detail) || !strings.Contains(c.Fix, tc.fix) {
				t.Errorf("tls check = %+v", c)
			}
			clock, _ := r.Find("clock")
			if clock.Status != doctor.Warn || !strings.Contains(clock.Detail, "the DC "+addr+" says "+dcTime.UTC().Format("2006-01-02 15:04")) ||
				!strings.Contains(clock.Detail, "2h ahead") {
				t.Errorf("clock check = %+v", clock)
			}
		})
	}
}

// BenchmarkRunAllGreen is one whole doctor run against the real Samba DC
// (LDAPS handshake, rootDSE read) and a SQLite store: what a technician
// waits for on a healthy network.
func BenchmarkRunAllGreen(b *testing.B) {
	e := newEnv(b)
	for b.Loop() {
		if r := doctor.Run(context.Background(), e.deps); !r.OK {
			b.Fatalf("not all green: %q", r.Failed())
		}
	}
}
