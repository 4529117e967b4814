package tui

import (
	"io"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/imageinvoker/imageinvoker/pkg/menu"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// onSignIn is a model on the sign-in form of a known machine, driven by
// hand: the step results below are delivered when and as the test says.
func onSignIn(t *testing.T) *Model {
	t.Helper()
	m := New(&fakeBackend{machine: knownMachine()}, testOptions(ASCII), io.Discard)
	m.machineScr.onIdentified(knownMachine())
	m.show(stateSignIn)
	return m
}

func submitSignIn(m *Model, user string) {
	m.signin.user.SetValue(user)
	m.signin.pass.SetValue("pw")
	m.signin.field = 1
	m.Update(tea.KeyMsg{Type: tea.KeyEnter})
}

// A step's result that comes after Esc left it never acts: not on the
// screen Esc went back to, and not while a newer step of the same kind
// runs; the newer step's own result still does.
func TestStaleStepResultsNeverAct(t *testing.T) {
	m := onSignIn(t)
	submitSignIn(m, "alice")
	if m.state != stateWorking {
		t.Fatalf("state %v after submit; want working", m.state)
	}
	alice := m.work.seq
	m.Update(tea.KeyMsg{Type: tea.KeyEsc})
	late := stepResult{seq: alice, value: User{Account: `LAB\alice`}}
	m.Update(late)
	if m.state != stateSignIn || m.user != nil {
		t.Fatalf("a sign-in left with Esc acted: state %v, user %+v", m.state, m.user)
	}

	submitSignIn(m, "bob")
	m.Update(late)
	if m.state != stateWorking || m.user != nil {
		t.Fatalf("alice's late sign-in acted during bob's: state %v, user %+v", m.state, m.user)
	}
	m.Update(stepResult{seq: m.work.seq, value: User{Account: `LAB\bob`}})
	if m.user == nil || m.user.Account != `LAB\bob` {
		t.Fatalf("bob's own result: user %+v; want LAB\\bob", m.user)
	}
}

// A queue left with Esc, its answer coming while another job is being
// queued, is not shown as that job's schedule.
func TestStaleQueueResultIsNotAnotherJobs(t *testing.T) {
	m := onSignIn(t)
	jobA := menu.Entry{ID: 1, Name: "Job A", Job: &model.Job{ID: 1, Name: "Job A"}}
	jobB := menu.Entry{ID: 2, Name: "Job B", Job: &model.Job{ID: 2, Name: "Job B"}}
	m.confirmJob(jobA)
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("y")})
	a := m.work.seq
	m.Update(tea.KeyMsg{Type: tea.KeyEsc})
	if m.state != stateConfirm {
		t.Fatalf("Esc while queueing went to %v; want confirm", m.state)
	}
	m.confirmJob(jobB)
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("y")})
	m.Update(stepResult{seq: a, value: Queued{Schedule: model.Schedule{ID: 100, JobID: 1}}})
	if m.state != stateWorking {
		t.Fatalf("job A's late queue result acted while job B queued: state %v", m.state)
	}
	m.Update(stepResult{seq: m.work.seq, value: Queued{Schedule: model.Schedule{ID: 200, JobID: 2}}})
	if m.state != stateQueued || m.queued.q.Schedule.ID != 200 || m.queued.entry.ID != jobB.ID {
		t.Fatalf("state %v, schedule %d of job %d; want job B's schedule 200", m.state, m.queued.q.Schedule.ID, m.queued.entry.ID)
	}
}
