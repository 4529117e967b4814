package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/config"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/imageinvoker/imageinvoker/internal/exitcode"
	"github.com/imageinvoker/imageinvoker/pkg/menu"
	"github.com/muesli/termenv"
)

// DemoAccount is a demo user shown on the demo sign-in screen.
type DemoAccount struct {
	User, Password, Story string
}

// Options configure the console. OptionsFrom fills its settings from the
// config, the one source of their defaults; a caller adds the rest.
type Options struct {
	Look Look
	// Profile is the colour profile of the styled look (tests force TrueColor).
	Profile termenv.Profile
	// IdleTimeout ends an idle screen (sign-in, menu, confirm, error, a
	// stayed queued screen) with IdleAction (exit, reboot, shutdown).
	IdleTimeout time.Duration
	IdleAction  config.IdleAction
	// AfterQueue is exit, reboot or stay once DS picked the job up.
	AfterQueue config.AfterQueue
	// AfterQueueDelay is the countdown before exit/reboot after the pick-up.
	AfterQueueDelay time.Duration
	// StepTimeout bounds each network step; WatchTimeout the wait for DS.
	StepTimeout, WatchTimeout time.Duration
	// PollEvery is how often the schedule is read back while waiting for DS.
	PollEvery time.Duration
	// TypeToConfirm makes the technician type the machine name to confirm.
	TypeToConfirm bool
	// DemoAccounts are shown on the sign-in screen in demo mode.
	DemoAccounts []DemoAccount
	// PowerAction reboots or shuts down (PowerReboot, PowerShutdown) after the
	// program ended; nil does nothing (tests).
	PowerAction func(action Power) error
	// Context is the parent of every step's context.
	Context context.Context
	// Site is the Deployment Server site this console uses (config sites:),
	// shown on the status line; "" when the config has no sites.
	Site string
	// Doctor runs `imageinvoker doctor` here and returns its checklist as
	// text; the Error screen shows it on d. nil: no doctor key.
	Doctor func(ctx context.Context) string
	// Version is this build (buildinfo), shown in the ? help; "" shows none.
	Version string
	// Label is the config's label: setting, shown on the status line.
	Label string
	// ConfigWarnings are the configuration's warnings (an unreachable
	// central file), kept on the status line: the technician must know the
	// console runs on the boot media's own settings.
	ConfigWarnings []string
	// HandOver is set when the console runs from the boot wiring (the Linux
	// initrd hook, WinPE's startnet): DS's agent starts only after this
	// program exits, so after queueing the console says so and exits after
	// AfterQueueDelay instead of waiting for a pick-up that cannot come
	// while it runs. after_queue and WatchTimeout do not apply then.
	HandOver bool
	// Network, when set, brings the network up before the machine is read
	// (the Linux initrd hook); the machine screen shows its progress.
	Network Network
	// Size is the terminal size used when the terminal reports none (0x0,
	// a serial console); zero: 80x24. See TerminalSize.
	Size Size
}

// Size is a terminal's columns and rows.
type Size struct{ Width, Height int }

// afterQueueDelay is the countdown before exit, reboot or the hand-over
// once DS picked the job up (or, handing over, once it is queued).
const afterQueueDelay = 10 * time.Second

// OptionsFrom is the console's options as cfg sets them: the session's
// timeouts and actions, the menu's type-to-confirm, the site, label and
// warnings, and how often the schedule is read back (config.PollEvery).
// A step may wait machine.wait_registration on top of step_timeout.
func OptionsFrom(cfg *config.Config) Options {
	return Options{
		IdleTimeout:     cfg.Session.IdleTimeout,
		IdleAction:      cfg.Session.IdleAction,
		AfterQueue:      cfg.Session.AfterQueue,
		AfterQueueDelay: afterQueueDelay,
		StepTimeout:     cfg.Session.StepTimeout + cfg.Machine.WaitRegistration,
		WatchTimeout:    cfg.Session.WatchTimeout,
		PollEvery:       config.PollEvery,
		TypeToConfirm:   cfg.Menu.TypeToConfirm,
		Site:            cfg.Site,
		Label:           cfg.Label,
		ConfigWarnings:  append([]string(nil), cfg.Warnings...),
	}
}

// defaults fills what is not a setting: the context and the terminal size.
func (o *Options) defaults() {
	if o.Context == nil {
		o.Context = context.Background()
	}
	if o.Size.Width <= 0 || o.Size.Height <= 0 {
		o.Size = Size{80, 24}
	}
}

// Result is how the console ended: Err carries the exit code (nil: 0), and
// Power is a reboot or shutdown to run once the terminal is restored.
type Result struct {
	Err   error
	Power Power
}

// Run runs the console on in/out until it ends, then runs the power action
// if one was chosen. The returned error carries the exit code.
func Run(b Backend, o Options, in io.Reader, out io.Writer) error {
	m := New(b, o, out)
	p := tea.NewProgram(m, tea.WithInput(in), tea.WithOutput(out), tea.WithAltScreen(), tea.WithContext(m.o.Context))
	final, err := p.Run()
	switch {
	case errors.Is(err, tea.ErrInterrupted), errors.Is(err, tea.ErrProgramKilled):
		return &exitcode.Error{Code: exitcode.Interrupted, Msg: "interrupted"}
	case err != nil:
		return fmt.Errorf("console: %w", err)
	}
	res := final.(*Model).Result()
	if res.Power != "" && m.o.PowerAction != nil {
		if perr := m.o.PowerAction(res.Power); perr != nil {
			return exitcode.Wrap(exitcode.Failure, perr, "could not %s this machine: %v. Do it by hand.", res.Power, perr)
		}
	}
	return res.Err
}

type state int

const (
	stateMachine state = iota
	stateSignIn
	stateWorking
	stateMenu
	stateConfirm
	stateQueued
	stateError
	numStates
)

// Model is the root model. It only routes: global keys and the clock
// first, then the current screen (screens[state]) gets the message.
type Model struct {
	*app

	state    state
	showHelp bool
	screens  [numStates]screen

	machineScr *machineScreen
	signin     *signinScreen
	work       *workingScreen
	menu       *menuScreen
	confirm    *confirmScreen
	queued     *queuedScreen
	errScr     *errorScreen

	result Result
	done   bool

	// observe, when set (tests), sees the model after every Update, on the
	// program's goroutine.
	observe func(*Model)
}

// New builds the root model; out is where styles render (for the colour profile).
func New(b Backend, o Options, out io.Writer) *Model {
	o.defaults()
	o = safeOptions(o)
	if out == nil {
		out = os.Stdout
	}
	a := &app{b: b, o: o, st: newStyles(o.Look, out, o.Profile), keys: newKeyMap(), width: o.Size.Width, height: o.Size.Height, now: time.Now}
	m := &Model{app: a,
		machineScr: &machineScreen{app: a}, signin: newSigninScreen(a), work: newWorkingScreen(a),
		menu: &menuScreen{app: a}, confirm: &confirmScreen{app: a}, queued: &queuedScreen{app: a}, errScr: &errorScreen{app: a}}
	m.screens = [numStates]screen{stateMachine: m.machineScr, stateSignIn: m.signin, stateWorking: m.work,
		stateMenu: m.menu, stateConfirm: m.confirm, stateQueued: m.queued, stateError: m.errScr}
	a.nav = m
	a.lastInput = a.now()
	return m
}

// Result is how the console ended (valid once the program quit).
func (m *Model) Result() Result { return m.result }

type clockMsg time.Time

func clockTick() tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return clockMsg(t) })
}

// Init starts identifying the machine.
func (m *Model) Init() tea.Cmd {
	if m.o.Network != nil {
		return tea.Batch(clockTick(), m.machineScr.startNetwork())
	}
	return tea.Batch(clockTick(), m.machineScr.identify())
}

// Update routes messages: global keys and messages first, then the current screen.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := m.update(msg)
	if m.observe != nil {
		m.observe(m)
	}
	return m, cmd
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	cur := m.screens[m.state]
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		if msg.Width <= 0 || msg.Height <= 0 {
			// A serial console has no size to report (0x0): use the one
			// found at start (COLUMNS/LINES, the terminal's answer, 80x24),
			// and send it round again so bubbletea's renderer also learns
			// it (with width 0 it never erases the rest of a line).
			size := tea.WindowSizeMsg{Width: m.o.Size.Width, Height: m.o.Size.Height}
			m.width, m.height = max(size.Width, 20), max(size.Height, 6)
			return func() tea.Msg { return size }
		}
		m.width, m.height = max(msg.Width, 20), max(msg.Height, 6)
		return nil
	case tea.KeyMsg:
		m.lastInput = m.now()
		if key.Matches(msg, m.keys.Quit) {
			return m.quit(Result{Err: &exitcode.Error{Code: exitcode.Interrupted, Msg: "interrupted"}})
		}
		if m.showHelp {
			m.showHelp = false
			return nil
		}
		if key.Matches(msg, m.keys.Help) && !cur.typing() {
			m.showHelp = true
			return nil
		}
	case clockMsg:
		if m.done {
			return nil
		}
		return tea.Batch(m.onClock(cur, time.Time(msg)), clockTick())
	}
	return cur.update(msg)
}

// onClock drives the idle timeout of every screen that waits for the
// technician, and the screen's own clock.
func (m *Model) onClock(cur screen, now time.Time) tea.Cmd {
	if cur.waits() && m.idleLeft(now) <= 0 {
		return m.onIdle()
	}
	return cur.tick(now)
}

func (m *Model) idleLeft(now time.Time) time.Duration {
	return m.o.IdleTimeout - now.Sub(m.lastInput)
}

func (m *Model) onIdle() tea.Cmd {
	res := Result{Err: exitcode.New(exitcode.Idle, "the console was idle for %s; %s.", m.o.IdleTimeout, idleWords(m.o.IdleAction))}
	res.Power = IdlePower(m.o.IdleAction)
	m.b.SignOut()
	return m.quit(res)
}

func idleWords(action config.IdleAction) string {
	switch action {
	case config.IdleReboot:
		return "rebooting"
	case config.IdleShutdown:
		return "shutting down"
	}
	return "exiting"
}

// The navigator: how screens move the console on.

func (m *Model) show(s state) tea.Cmd {
	m.state, m.showHelp = s, false
	m.lastInput = m.now()
	return m.screens[s].focus()
}

func (m *Model) run(s *step) tea.Cmd {
	m.state, m.showHelp = stateWorking, false
	return m.work.start(s)
}

func (m *Model) fail(err error, back state) tea.Cmd {
	m.errScr.open(err, back)
	return m.show(stateError)
}

func (m *Model) quit(res Result) tea.Cmd {
	m.result, m.done = res, true
	m.work.stop()
	return tea.Quit
}

func (m *Model) loadMenu() tea.Cmd                    { return m.menu.load() }
func (m *Model) confirmJob(e menu.Entry) tea.Cmd      { return m.confirm.open(e) }
func (m *Model) watch(q Queued, e menu.Entry) tea.Cmd { return m.queued.open(q, e) }
