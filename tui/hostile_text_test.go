package tui

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/flow"
	"github.com/imageinvoker/imageinvoker/internal/termsafe"
	"github.com/imageinvoker/imageinvoker/pkg/menu"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// evil follows every text DS, AD or a central config file hands the
// console in this test: a window title, a screen clear, an 8-bit CSI, a C1
// NEL, a right-to-left override and mark, a bare CR and DEL. None of it
// may reach a frame; the text before it must.
const evil = "\x1b]0;pwned\x07\x1b[2J\u009b2J\u0085\u202e\u200f\r\x7f"

// hostileBackend answers every step with hostile text around a visible
// marker: the machine (name, group, identifiers, problem, warnings), the
// signed-in user (account, full name, DC, warnings), the pending
// schedule's user, and the schedule's status as DS writes it.
type hostileBackend struct {
	fakeBackend
}

func (*hostileBackend) machineNow() Machine {
	return Machine{Name: "PC-042" + evil, ComputerID: 5000042, Known: true, LookedUp: true, Group: "Physics" + evil,
		Identifiers: "MAC 00:15:5D:2A:00:42" + evil, Warnings: []string{"dmi-note" + evil}}
}

func (b *hostileBackend) Identify(context.Context) (Machine, error)     { return b.machineNow(), nil }
func (b *hostileBackend) FindComputer(context.Context) (Machine, error) { return b.machineNow(), nil }

func (b *hostileBackend) SignIn(context.Context, string, string) (User, error) {
	return User{Account: `LAB\alice` + evil, FullName: "Alice" + evil, DC: "dc1.lab.example" + evil,
		Warnings: []string{"ldap-warn" + evil}}, nil
}

func (b *hostileBackend) LoadMenu(context.Context) (Loaded, error) {
	snap := &model.Snapshot{RootFolderID: 1000001,
		Folders: map[int64]model.Folder{1000001: {ID: 1000001, Name: "ImageInvoker"}},
		Jobs:    map[int64]*model.Job{2000001: {ID: 2000001, Name: "BIOS update", FolderID: 1000001, Tasks: []model.Task{{Type: model.TaskRunScript}}}}}
	return Loaded{Menu: menu.Build(snap, func(int64) bool { return true }, menu.Options{}), Machine: b.machineNow()}, nil
}

func (b *hostileBackend) Pending(context.Context) ([]model.Schedule, error) {
	return []model.Schedule{{ID: 100000009, JobID: 2000777, UserName: `LAB\pending-bob` + evil}}, nil
}

func (b *hostileBackend) Queue(context.Context, menu.Entry) (Queued, error) {
	return Queued{Schedule: model.Schedule{ID: 100000010, ComputerID: 5000042, JobID: 2000001}}, nil
}

func (b *hostileBackend) CheckPickup(context.Context, model.Schedule) (flow.PickupState, *model.Schedule, error) {
	code := 0
	return flow.PickupTaken, &model.Schedule{ID: 100000010, Status: "Running-now" + evil, StatusCode: &code}, nil
}

// Every frame of the console, from the machine screen through sign-in,
// the menu, Confirm (another job pending, queued by someone DS names) to
// Queued (DS's status text), is checked as it is drawn: hostile text from
// DS, AD and the configuration (the site's name, its warning) never puts a
// control, escape or bidi character on the terminal, and the text around
// it is shown. What the console keeps of the user for later screens (full
// name, DC) is safe too. Mutation B — any of these texts drawn without
// termsafe — fails it.
func TestHostileTextNeverReachesAFrame(t *testing.T) {
	o := testOptions(ASCII)
	o.AfterQueue = config.AfterStay
	o.Site = "site-north" + evil
	o.Label = "media-label" + evil
	o.ConfigWarnings = []string{"config-warn" + evil}
	var mu sync.Mutex
	var bad []string
	frames := 0
	h := newObservedHarness(t, &hostileBackend{}, o, 160, 40, func(m *Model) {
		v := m.View()
		mu.Lock()
		defer mu.Unlock()
		frames++
		if why := termsafe.Unsafe(v, true); why != "" || strings.Contains(v, "pwned") {
			bad = append(bad, why+" in\n"+v)
		}
	})
	h.waitFor("PC-042", "Physics", "00:15:5D:2A:00:42", "dmi-note", "config-warn", "site-north", "media-label")
	h.press(tea.KeyEnter)
	h.waitFor("Password")
	h.typ("alice")
	h.press(tea.KeyEnter)
	h.typ("pw")
	h.press(tea.KeyEnter)
	h.waitFor(`user: LAB\alice`, "ldap-warn", "BIOS update")
	h.press(tea.KeyEnter)
	h.waitFor("Queue this job?", `LAB\pending-bob`)
	h.runes("y")
	h.waitFor("Queued: schedule 100000010", "Running-now")
	m := h.finish()
	if m.user == nil {
		t.Fatal("no user kept after sign-in")
	}
	for what, s := range map[string]string{"account": m.user.Account, "full name": m.user.FullName, "DC": m.user.DC,
		"warnings": strings.Join(m.user.Warnings, "\n")} {
		if why := termsafe.Unsafe(s, true); why != "" || strings.Contains(s, "pwned") {
			t.Errorf("the console keeps the user's %s unsafe to draw: %q (%s)", what, s, why)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if frames < 5 {
		t.Fatalf("only %d frames checked", frames)
	}
	for _, b := range bad {
		t.Errorf("a frame holds %s", b)
		if len(bad) > 3 {
			t.Fatalf("and %d more", len(bad)-1)
		}
	}
}

// The site prompt draws the configuration's site names and its reason
// safe, whoever wrote the central file.
func TestHostileSiteNames(t *testing.T) {
	p := SitePrompt{Sites: []string{"north" + evil, "south" + evil}, Reason: "no subnet holds 192.168.0.9" + evil, IdleTimeout: time.Minute}
	m := newSiteModel(p, newStyles(ASCII, nil, 0))
	m.width = 80
	v := m.View()
	if why := termsafe.Unsafe(v, true); why != "" || strings.Contains(v, "pwned") {
		t.Errorf("the site prompt holds %s:\n%q", why, v)
	}
	if !containsAll(v, "north", "south", "192.168.0.9") {
		t.Errorf("the site prompt lacks its text:\n%s", v)
	}
}
