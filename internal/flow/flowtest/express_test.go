package flowtest_test

import (
	"context"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/directory"
	"github.com/imageinvoker/imageinvoker/internal/flow"
	"github.com/imageinvoker/imageinvoker/internal/flow/flowtest"
	"github.com/imageinvoker/imageinvoker/pkg/express"
	"github.com/imageinvoker/imageinvoker/pkg/express/expresstest"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// labFixture is testdata/preview/lab.sql as the suite sees it, plus a clone
// of PC-043's serial so one key is ambiguous.
var labFixture = flowtest.Fixture{
	Known:             model.ComputerKey{By: model.MatchMAC, Values: []string{"AABBCCDDEEFF"}},
	KnownID:           5000001,
	Unknown:           model.ComputerKey{By: model.MatchMAC, Values: []string{"020000000099"}},
	Ambiguous:         &model.ComputerKey{By: model.MatchSerial, Values: []string{"SN-043"}},
	Identity:          model.Identity{User: `LAB\bob`, FullName: "Bob", Groups: []string{`LAB\Techs`}},
	JobID:             2000140, // Utilities/BIOS update: Techs allowed on Utilities
	DeniedJobID:       2000133, // Win11 Physics: Techs denied on Lab
	MissingJobID:      2999999,
	MissingScheduleID: 199999999,
	MissingComputerID: 5999999,
}

const cloneSerial = `INSERT INTO computer VALUES (5000003, 'PC-043-CLONE', 11, 'SN-043', NULL, NULL);`

func labFile(t *testing.T) string { return expresstest.LabFile(t, cloneSerial) }

func openLab(t *testing.T) *express.Store {
	t.Helper()
	st, err := express.Open(context.Background(), expresstest.URL(t, "sqlite:"+labFile(t)), express.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestExpressReader(t *testing.T) {
	flowtest.RunReader(t, func(t *testing.T) flow.Reader { return openLab(t) }, labFixture)
}

func TestExpressScheduler(t *testing.T) {
	flowtest.RunScheduler(t, func(t *testing.T) (flow.Reader, flow.Scheduler) {
		st := openLab(t)
		return st, st
	}, labFixture)
}

// The DS console accounts source over the eXpress store: lab.sql's kiosk.
func TestConsoleAccountsOnExpress(t *testing.T) {
	st := openLab(t)
	t.Cleanup(func() { st.Close() })
	flowtest.RunIdentitySource(t, directory.ConsoleAccounts{Store: st},
		[]flowtest.Account{{User: `.\kiosk`, Password: "kiosk-demo", WantUser: `.\kiosk`}, {User: `.\KIOSK`, Password: "kiosk-demo", WantUser: `.\kiosk`}},
		`.\nobody`)
}
