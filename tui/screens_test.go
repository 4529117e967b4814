package tui

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// screenCase drives the console over the real demo to one screen.
type screenCase struct {
	name  string
	opts  func(*Options)
	cfg   func(*config.Config)
	drive func(h *harness)
}

var screenCases = []screenCase{
	{name: "machine", drive: func(h *harness) { h.waitFor("Press Enter to sign in") }},
	{name: "signin", drive: func(h *harness) {
		h.waitFor("Press Enter to sign in")
		h.press(tea.KeyEnter)
		h.waitFor("Demo accounts")
		h.typ("alice")
	}},
	{name: "signin_refused", drive: func(h *harness) {
		h.signIn("mallory", "mallory-demo", "sign-in refused")
	}},
	{name: "menu", drive: func(h *harness) {
		h.signIn("dave", "dave-demo", "in all")
	}},
	{name: "menu_folder", drive: func(h *harness) {
		h.signIn("dave", "dave-demo", "in all")
		h.press(tea.KeyEnter) // the first folder
		h.press(tea.KeyDown)
	}},
	{name: "menu_filter", drive: func(h *harness) {
		h.filterMenu("dave", "dave-demo", "win11")
	}},
	{name: "menu_flat", cfg: func(c *config.Config) { c.Menu.Flat = true }, drive: func(h *harness) {
		h.signIn("bob", "bob-demo", "All jobs")
	}},
	{name: "menu_empty", drive: func(h *harness) {
		h.signIn("eve", "eve-demo", "no jobs for you")
	}},
	{name: "confirm", drive: func(h *harness) {
		h.confirmJob("dave", "dave-demo", "win11")
	}},
	{name: "confirm_typed", cfg: func(c *config.Config) { c.Menu.TypeToConfirm = true }, opts: func(o *Options) { o.TypeToConfirm = true },
		drive: func(h *harness) {
			h.filterMenu("dave", "dave-demo", "win11")
			h.press(tea.KeyEnter)
			h.waitFor("type this machine's name")
			h.typ("PC-99")
			h.press(tea.KeyEnter)
			h.waitFor("not this machine's name")
		}},
	{name: "queued", opts: func(o *Options) { o.AfterQueue = "stay" }, drive: func(h *harness) {
		h.queueJob("dave", "dave-demo", "win11")
		h.startAgent(0)
		h.waitFor("picked it up")
	}},
}

func TestScreensGolden(t *testing.T) {
	sizes := [][2]int{{80, 24}, {120, 40}}
	looks := []struct {
		name string
		look Look
	}{{"styled", Styled}, {"ascii", ASCII}}
	for _, sc := range screenCases {
		for _, sz := range sizes {
			for _, lk := range looks {
				name := fmt.Sprintf("%s_%dx%d_%s", sc.name, sz[0], sz[1], lk.name)
				t.Run(name, func(t *testing.T) {
					o := testOptions(lk.look)
					if sc.opts != nil {
						sc.opts(&o)
					}
					h := newDemoHarness(t, o, sz[0], sz[1], sc.cfg)
					sc.drive(h)
					m := h.finish()
					view := m.View()
					checkFits(t, view, sz[0], sz[1])
					if lk.look == ASCII {
						checkPlainASCII(t, view)
					}
					golden(t, name, view)
				})
			}
		}
	}
}

func TestChooseLook(t *testing.T) {
	cases := []struct {
		name  string
		flag  bool
		style string
		env   map[string]string
		want  Look
	}{
		{"flag wins", true, "styled", map[string]string{"TERM": "xterm-256color"}, ASCII},
		{"config ascii", false, "ascii", map[string]string{"TERM": "xterm-256color"}, ASCII},
		{"config styled beats TERM=linux", false, "styled", map[string]string{"TERM": "linux"}, Styled},
		{"auto xterm", false, "auto", map[string]string{"TERM": "xterm-256color"}, Styled},
		{"auto NO_COLOR", false, "auto", map[string]string{"TERM": "xterm-256color", "NO_COLOR": "1"}, ASCII},
		{"auto dumb", false, "auto", map[string]string{"TERM": "dumb"}, ASCII},
		{"auto linux console", false, "auto", map[string]string{"TERM": "linux"}, ASCII},
		{"auto vt100", false, "auto", map[string]string{"TERM": "vt100"}, ASCII},
		{"auto no TERM (WinPE console)", false, "auto", map[string]string{}, ASCII},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := ChooseLook(tc.flag, config.LookStyle(tc.style), func(k string) string { return tc.env[k] }); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPowerCommand(t *testing.T) {
	has := func(string) (string, error) { return "X:\\Windows\\System32\\wpeutil.exe", nil }
	hasNot := func(string) (string, error) { return "", errors.New("not found") }
	cases := []struct {
		name, action, goos string
		look               func(string) (string, error)
		want               string
		wantErr            bool
	}{
		{"winpe reboot", "reboot", "windows", has, "wpeutil reboot", false},
		{"winpe shutdown", "shutdown", "windows", has, "wpeutil shutdown", false},
		{"windows reboot", "reboot", "windows", hasNot, "shutdown /r /t 0", false},
		{"windows shutdown", "shutdown", "windows", hasNot, "shutdown /s /t 0", false},
		{"linux reboot", "reboot", "linux", hasNot, "reboot", false},
		{"linux shutdown", "shutdown", "linux", hasNot, "poweroff", false},
		{"bad action", "exit", "linux", hasNot, "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			argv, err := PowerCommand(Power(tc.action), tc.goos, tc.look)
			if (err != nil) != tc.wantErr || strings.Join(argv, " ") != tc.want {
				t.Errorf("got %q, %v; want %q (error %v)", argv, err, tc.want, tc.wantErr)
			}
		})
	}
}

// checkPlainASCII fails on any escape sequence or non-ASCII byte: the ASCII
// look must draw on a WinPE console font and a vt100 serial line.
func checkPlainASCII(t *testing.T, view string) {
	t.Helper()
	for i, r := range view {
		if r > 0x7e || (r < 0x20 && r != '\n') {
			t.Errorf("byte %d of the ASCII view is %q", i, r)
			return
		}
	}
}

// ? shows the menu's full help: every key it matches, the page keys the
// footer has no room for among them; any key closes it.
func TestHelpScreen(t *testing.T) {
	h := onMenu(t)
	h.runes("?")
	h.waitFor("Keys on this screen")
	m := h.finish()
	view := m.View()
	checkFits(t, view, 80, 24)
	golden(t, "help_menu_80x24_ascii", view)
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("x")})
	if m.showHelp {
		t.Error("a key did not close the help")
	}
}

// The console has no flags: the error table's advice about them
// (--wait-registration, --computer-id) must not reach its screens.
func TestUserMessageLeavesOutFlagAdvice(t *testing.T) {
	for _, err := range []error{
		fmt.Errorf("find computer: %w", model.ErrUnknownComputer),
		exitcode.From(fmt.Errorf("find computer: %w", model.ErrUnknownComputer)), // as the flow hands it on
		fmt.Errorf("find computer: %w", model.ErrAmbiguousComputer),
	} {
		got := userMessage(err)
		if got == "" || strings.Contains(got, "--") {
			t.Errorf("userMessage(%v) = %q: want a sentence without command-line flags", err, got)
		}
		if line := exitcode.Describe(err).Line(); !strings.Contains(line, "--") {
			t.Errorf("the command line's sentence for %v lost its flag advice: %q", err, line)
		}
	}
}
