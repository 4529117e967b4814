package tui

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
)

// The status line names the site and keeps the configuration's warning in
// sight, over the real demo flow; the machine screen shows the warning whole.
func TestStatusLineShowsSiteAndConfigWarning(t *testing.T) {
	o := testOptions(ASCII)
	o.Site = "north"
	o.ConfigWarnings = []string{"central settings F:\\central.yaml not loaded: no such file"}
	h := newDemoHarness(t, o, 160, 30, nil)
	h.waitFor("site: north | machine: ", "! central settings F:\\central.yaml not loaded", "warning: central settings")
}

func runSitePrompt(t *testing.T, p SitePrompt, keys ...tea.KeyMsg) *siteModel {
	t.Helper()
	m := newSiteModel(p, newStyles(ASCII, nil, 0))
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return len(b) > 0 && containsAll(string(b), p.Sites...) },
		teatest.WithDuration(5*time.Second))
	for _, k := range keys {
		tm.Send(k)
	}
	return tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*siteModel)
}

func containsAll(s string, subs ...string) bool {
	for _, x := range subs {
		if !strings.Contains(s, x) {
			return false
		}
	}
	return true
}

func TestSitePrompt(t *testing.T) {
	p := SitePrompt{Sites: []string{"north", "south", "lab"}, Reason: "no site's subnets hold 192.168.0.9", IdleTimeout: time.Minute}
	down, enter := tea.KeyMsg{Type: tea.KeyDown}, tea.KeyMsg{Type: tea.KeyEnter}
	if m := runSitePrompt(t, p, down, down, down, enter); m.chosen != "lab" || m.err != nil {
		t.Errorf("down past the end then enter: chose %q, err %v", m.chosen, m.err)
	}
	if m := runSitePrompt(t, p, down, tea.KeyMsg{Type: tea.KeyUp}, enter); m.chosen != "north" {
		t.Errorf("down, up, enter: chose %q", m.chosen)
	}
	if m := runSitePrompt(t, p, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")}); m.chosen != "" || exitcode.Of(m.err) != exitcode.Interrupted {
		t.Errorf("q: chose %q, err %v", m.chosen, m.err)
	}
	p.IdleTimeout = 100 * time.Millisecond
	if m := runSitePrompt(t, p); m.chosen != "" || exitcode.Of(m.err) != exitcode.Idle {
		t.Errorf("idle: chose %q, err %v", m.chosen, m.err)
	}
}

// The prompt's footer is its short help: the keys it matches, in words.
func TestSitePromptFooter(t *testing.T) {
	m := newSiteModel(SitePrompt{Sites: []string{"north"}, Reason: "no subnet matched"}, newStyles(ASCII, nil, 0))
	v := m.View()
	if want := "up/down choose   enter use this site   q quit"; !strings.HasSuffix(v, "\n"+want) {
		t.Errorf("footer is not %q:\n%s", want, v)
	}
}
