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

// A queue cannot be left with Esc (its commit may land whatever the client
// does: issue 20), so no answer can come while another job is being
// queued: Esc stays on the step, and the answer shows as that job's.
func TestStaleQueueResultIsNotAnotherJobs(t *testing.T) {
	m := onSignIn(t)
	jobA := menu.Entry{ID: 1, Name: "Job A", Job: &model.Job{ID: 1, Name: "Job A"}}
	m.confirmJob(jobA)
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("y")})
	a := m.work.seq
	m.Update(tea.KeyMsg{Type: tea.KeyEsc})
	if m.state != stateWorking || m.work.seq != a {
		t.Fatalf("Esc while queueing went to %v; want the queue step to go on", m.state)
	}
	m.Update(stepResult{seq: a, value: Queued{Schedule: model.Schedule{ID: 100, JobID: 1}}})
	if m.state != stateQueued || m.queued.q.Schedule.ID != 100 || m.queued.entry.ID != jobA.ID {
		t.Fatalf("state %v, schedule %d of job %d; want job A's schedule 100", m.state, m.queued.q.Schedule.ID, m.queued.entry.ID)
	}
}
