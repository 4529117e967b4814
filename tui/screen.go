package tui

import (
	"context"
	"errors"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/internal/termsafe"
	"github.com/imageinvoker/imageinvoker/pkg/menu"
)

// screen is one screen of the console. It owns its state, its update, its
// view, its keys (help.KeyMap: the footer is ShortHelp, the ? help
// FullHelp, built from the very bindings update matches) and its focus.
// The root model only picks the current screen and hands it the message.
type screen interface {
	help.KeyMap
	// name is the screen's name in the title bar.
	name() string
	update(msg tea.Msg) tea.Cmd
	// view is the body between the header and the footer, w by h cells.
	view(w, h int) string
	// focus runs on entering the screen: it focuses its text field, if any.
	focus() tea.Cmd
	// typing says a text field takes printable keys now, so ? is typed.
	typing() bool
	// waits says the screen waits for the technician: the idle clock runs.
	waits() bool
	// tick is the screen's own clock, once a second.
	tick(now time.Time) tea.Cmd
}

// still is what a screen without a text field, idle clock or countdown
// does; screens embed it and override what they have.
type still struct{}

func (still) focus() tea.Cmd         { return nil }
func (still) typing() bool           { return false }
func (still) waits() bool            { return false }
func (still) tick(time.Time) tea.Cmd { return nil }

// navigator is how a screen moves the console on; the root model is the
// only one, and the only place that knows every screen.
type navigator interface {
	// show makes s the current screen, waiting for the technician.
	show(s state) tea.Cmd
	// run runs a network step on the working screen.
	run(s *step) tea.Cmd
	// fail shows err on the error screen; Esc there goes to back
	// (stateError: nowhere).
	fail(err error, back state) tea.Cmd
	quit(res Result) tea.Cmd
	// loadMenu loads the technician's jobs and shows the menu.
	loadMenu() tea.Cmd
	// confirmJob asks whether to queue e.
	confirmJob(e menu.Entry) tea.Cmd
	// watch follows a queued job until DS picks it up.
	watch(q Queued, e menu.Entry) tea.Cmd
}

// app is what every screen shares: the backend, the options, the look and
// the keys, who the machine and the technician are, and the navigator.
type app struct {
	b    Backend
	o    Options
	st   *styles
	keys keyMap
	nav  navigator
	now  func() time.Time

	width, height int
	lastInput     time.Time

	machine    Machine
	identified bool
	user       *User
	// note is what Esc left the working screen with, said on the screen it
	// went back to.
	note string
}

const (
	headerLines = 3 // title, status line, rule
	footerLines = 1
)

func (a *app) bodySize() (int, int) {
	return a.width, max(a.height-headerLines-footerLines, 1)
}

// signOut closes the technician's session and forgets who signed in.
func (a *app) signOut() {
	a.b.SignOut()
	a.user = nil
}

// leave ends the console without queueing anything: the technician gave
// up, which scripts around the console see as an interruption.
func (a *app) leave() tea.Cmd {
	a.signOut()
	return a.nav.quit(Result{Err: &exitcode.Error{Code: exitcode.Interrupted, Msg: "left without queueing a job"}})
}

// field is a one-line text field in the console's look. Its cursor does
// not blink: a blinking cursor redraws twice a second, wasteful over
// serial consoles.
func (a *app) field(prompt string, limit int) textinput.Model {
	t := textinput.New()
	t.Prompt, t.CharLimit = prompt, limit
	t.Cursor.Style, t.TextStyle = a.st.body, a.st.body
	t.Cursor.SetMode(cursor.CursorStatic)
	return t
}

// step is one network call, run in a tea.Cmd under the step timeout while
// the working screen shows text; Esc cancels it and goes to back.
type step struct {
	text string
	back state
	// code is the exit code of a timeout in this step: StoreDown unless
	// the step talks to another server (sign-in: the directory).
	code int
	call func(ctx context.Context) (any, error)
	done func(value any) tea.Cmd
	// failed handles an error of the call; nil shows it, Esc going to back.
	failed func(err error) tea.Cmd
	// sent: once the call starts it cannot be taken back (the queue's
	// commit may land whatever the client does), so Esc does not pretend
	// to cancel it: the screen says so and the answer is shown when it comes.
	sent bool
}

// newStep is a step whose call returns a T, handed to done on success.
func newStep[T any](text string, back state, call func(context.Context) (T, error), done func(T) tea.Cmd) *step {
	return &step{text: text, back: back, code: exitcode.StoreDown,
		call: func(ctx context.Context) (any, error) { return call(ctx) },
		done: func(v any) tea.Cmd { return done(v.(T)) }}
}

// orElse makes failed handle the call's errors (not its timeout).
func (s *step) orElse(failed func(error) tea.Cmd) *step {
	s.failed = failed
	return s
}

// timeoutCode makes code the exit code of the step's timeout.
func (s *step) timeoutCode(code int) *step {
	s.code = code
	return s
}

// stepResult is what every step's call sends back; seq tells the current
// step from one the technician already left with Esc.
type stepResult struct {
	seq      int
	value    any
	err      error
	timedOut bool
}

func runStep(ctx context.Context, seq int, s *step) tea.Msg {
	v, err := s.call(ctx)
	return stepResult{seq: seq, value: v, err: err, timedOut: errors.Is(ctx.Err(), context.DeadlineExceeded)}
}

// safeMachine is m with everything DS or the machine's firmware wrote
// (names, group path, SMBIOS serial) made safe to draw (termsafe).
func safeMachine(m Machine) Machine {
	m.Name, m.Group, m.Identifiers = termsafe.Line(m.Name), termsafe.Line(m.Group), termsafe.Line(m.Identifiers)
	m.Problem, m.Warnings = termsafe.Text(m.Problem), termsafe.Lines(m.Warnings)
	return m
}

// safeUser is u with what the directory wrote made safe to draw.
func safeUser(u User) User {
	u.Account, u.FullName, u.DC, u.Warnings = termsafe.Line(u.Account), termsafe.Line(u.FullName), termsafe.Line(u.DC), termsafe.Lines(u.Warnings)
	return u
}

// safeOptions is o with what the configuration names (the site, its
// warnings, perhaps from a central file someone else edits) made safe to draw.
func safeOptions(o Options) Options {
	o.Site, o.Label, o.ConfigWarnings = termsafe.Line(o.Site), termsafe.Line(o.Label), termsafe.Lines(o.ConfigWarnings)
	return o
}

// safeMenu is l's menu with DS's names and descriptions made safe to draw.
func safeMenu(l Loaded) *menu.Menu {
	return l.Menu.Map(termsafe.Line, termsafe.Text)
}

// userMessage is an error's sentence for a person, never a stack or a
// cause chain: the error table's (exitcode.Describe), without the advice
// about command-line flags the console has none of.
func userMessage(err error) string {
	return termsafe.Text(exitcode.Describe(err).Msg)
}
