package tui

import (
	"bytes"
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/demo"
	"github.com/imageinvoker/imageinvoker/internal/demo/dsagent"
	"github.com/imageinvoker/imageinvoker/internal/setup"
	"github.com/muesli/termenv"
)

// updating says -update was given; teatest's golden package defines the flag.
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

const goldenDir = "../testdata/golden/tui"

// demoEnv builds the real flow over the embedded demo (in-process SQLite
// store and LDAP directory).
func demoEnv(t testing.TB, mut func(*config.Config)) (*setup.Env, *config.Config) {
	t.Helper()
	cfg := config.Default()
	if mut != nil {
		mut(cfg)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	env, err := setup.Build(ctx, cfg, setup.Options{Demo: true, NeedDirectory: true})
	if err != nil {
		t.Fatalf("build demo: %v", err)
	}
	t.Cleanup(env.Close)
	return env, env.Config
}

// snapshot is what tests may wait for of the live model.
type snapshot struct {
	state    state
	failures int
	pickedUp bool
	schedule int64 // the Queued screen's schedule
}

type harness struct {
	mu   sync.Mutex
	snap snapshot
	t    *testing.T
	tm   *teatest.TestModel
	m    *Model
	cfg  *config.Config
}

// testOptions are the console's options from the default config, with
// the look, the demo accounts and a quicker read-back of the schedule.
func testOptions(look Look) Options {
	o := OptionsFrom(config.Default())
	o.Look, o.Profile, o.DemoAccounts, o.PollEvery = look, termenv.TrueColor, demoAccounts(), 50*time.Millisecond
	return o
}

// demoAccounts are the demo's AD users, as the sign-in screen lists them.
func demoAccounts() []DemoAccount {
	var out []DemoAccount
	for _, a := range demo.Accounts {
		out = append(out, DemoAccount{User: a.Sam, Password: a.Password, Story: a.Story})
	}
	return out
}

// newDemoHarness runs the console over the real demo flow in a teatest program.
func newDemoHarness(t *testing.T, o Options, w, h int, mut func(*config.Config)) *harness {
	t.Helper()
	env, cfg := demoEnv(t, mut)
	b := NewFlowBackend(env.Flow, setup.DemoOverride(), nil)
	hs := newHarness(t, b, o, w, h)
	hs.cfg = cfg
	return hs
}

func newHarness(t *testing.T, b Backend, o Options, w, h int) *harness {
	t.Helper()
	return newObservedHarness(t, b, o, w, h, nil)
}

// newObservedHarness is newHarness whose observer also hands every model
// to also (when not nil) after its Update, on the program's goroutine, from
// the first one on.
func newObservedHarness(t *testing.T, b Backend, o Options, w, h int, also func(*Model)) *harness {
	t.Helper()
	m := New(b, o, io.Discard)
	hs := &harness{t: t, m: m}
	m.observe = func(m *Model) {
		hs.mu.Lock()
		hs.snap = snapshot{state: m.state, failures: m.signin.failures, pickedUp: m.queued.pickedUp(), schedule: m.queued.q.Schedule.ID}
		hs.mu.Unlock()
		if also != nil {
			also(m)
		}
	}
	hs.tm = teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h))
	t.Cleanup(func() { _ = hs.tm.Quit() })
	return hs
}

// waitFor waits until the program has drawn all of the given texts.
func (h *harness) waitFor(texts ...string) {
	h.t.Helper()
	teatest.WaitFor(h.t, h.tm.Output(), func(b []byte) bool {
		for _, s := range texts {
			if !bytes.Contains(b, []byte(s)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(15*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
}

// snapNow is the live model's snapshot now.
func (h *harness) snapNow() snapshot {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.snap
}

// waitUntil waits until the live model satisfies cond.
func (h *harness) waitUntil(what string, cond func(snapshot) bool) {
	h.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		h.mu.Lock()
		ok := cond(h.snap)
		h.mu.Unlock()
		if ok {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	h.t.Fatalf("waited 15s for %s", what)
}

func (h *harness) typ(s string)        { h.tm.Type(s) }
func (h *harness) press(k tea.KeyType) { h.tm.Send(tea.KeyMsg{Type: k}) }
func (h *harness) runes(s string)      { h.tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}) }
func (h *harness) finish() *Model      { _ = h.tm.Quit(); return h.final() }
func (h *harness) final() *Model {
	return h.tm.FinalModel(h.t, teatest.WithFinalTimeout(15*time.Second)).(*Model)
}
func (h *harness) result() Result   { return h.final().Result() }
func (h *harness) send(msg tea.Msg) { h.tm.Send(msg) }

// signIn signs in from the machine screen and waits for then, if given.
func (h *harness) signIn(user, pw string, then ...string) {
	h.t.Helper()
	h.waitFor("Press Enter to sign in")
	h.press(tea.KeyEnter)
	h.waitFor("Password")
	h.typ(user)
	h.press(tea.KeyEnter)
	h.typ(pw)
	h.press(tea.KeyEnter)
	if len(then) > 0 {
		h.waitFor(then...)
	}
}

// onMenu is the demo console, ASCII at 80x24, with dave (who may queue
// every job) signed in and on the menu.
func onMenu(t *testing.T) *harness {
	t.Helper()
	h := newDemoHarness(t, testOptions(ASCII), 80, 24, nil)
	h.signIn("dave", "dave-demo", "in all")
	return h
}

// filterMenu signs in and types query into the menu's filter, waiting for
// the matches.
func (h *harness) filterMenu(user, pw, query string) {
	h.t.Helper()
	h.signIn(user, pw, "in all")
	h.runes("/")
	h.typ(query)
	h.waitFor("match")
}

// confirmJob filters the menu for query and opens the first match's
// confirmation.
func (h *harness) confirmJob(user, pw, query string) {
	h.t.Helper()
	h.filterMenu(user, pw, query)
	h.press(tea.KeyEnter)
	h.waitFor("Queue this job?")
}

// queueJob confirms the first match of query and waits until it is queued.
func (h *harness) queueJob(user, pw, query string) {
	h.t.Helper()
	h.confirmJob(user, pw, query)
	h.runes("y")
	h.waitFor("Queued: schedule")
}

// startAgent runs the demo's stand-in for DS on the harness's demo store.
func (h *harness) startAgent(delay time.Duration) {
	h.t.Helper()
	store, err := h.cfg.Store.Location()
	if err != nil {
		h.t.Fatal(err)
	}
	a, err := dsagent.Start(context.Background(), store, delay, 20*time.Millisecond)
	if err != nil {
		h.t.Fatalf("start DS agent: %v", err)
	}
	h.t.Cleanup(func() { _ = a.Close() })
}

// golden compares got with the golden file name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join(goldenDir, name+".golden")
	if updating() {
		if err := os.MkdirAll(goldenDir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden %s: %v (run go test ./tui -run %s -update)", path, err, t.Name())
	}
	if string(want) != got {
		t.Errorf("screen %s differs from %s (regenerate with -update if intended)\n--- got:\n%s\n--- want:\n%s", name, path, got, want)
	}
}

// checkFits fails when any line of the view is wider than w or there are more than h lines.
func checkFits(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(view, "\n"), "\n")
	if len(lines) > h {
		t.Errorf("view has %d lines, terminal has %d", len(lines), h)
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			t.Errorf("line %d is %d cells wide, terminal has %d: %q", i+1, n, w, l)
		}
	}
}
