package tmuxtest

import (
	"context"
	"database/sql"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the demo store is a SQLite file

	"github.com/imageinvoker/imageinvoker/internal/demo"
)

// DemoArgs are the arguments after the binary that start `imageinvoker demo`
// for QueueOnDemo, keeping its store in storeDir (as the program sees the
// path: a Windows program under Wine sees Z:\... for the Unix root).
func DemoArgs(storeDir string) []string {
	return []string{"demo", "--store-dir", storeDir, "--pickup-delay", "1s"}
}

// QueueOnDemo is a technician at the demo console running in session: sign
// in as dave, filter the menu, confirm and queue a job, hand over (the
// console exits), and wait for the demo DS agent, started after the
// console as on boot media, to pick it up. It then finds the schedule in the demo store kept
// in storeDir (the Unix path), queued for the demo computer by LAB\dave and
// Running, and quits the console. The screens it passed go to the test log.
func (x *Term) QueueOnDemo(session, storeDir string) {
	t := x.t
	t.Helper()
	start := time.Now()
	first := x.Wait(session, "Press Enter to sign in")
	t.Logf("machine screen after %s:\n%s", time.Since(start).Round(time.Millisecond), first)
	if !strings.Contains(first, "This machine is "+demo.ComputerName+" in Deployment Server") {
		t.Errorf("machine screen does not name the demo computer:\n%s", first)
	}
	x.Keys(session, "Enter")
	x.Wait(session, "Password:")
	x.Keys(session, "-l", "dave")
	x.Keys(session, "Enter")
	x.Keys(session, "-l", "dave-demo")
	x.Keys(session, "Enter")
	menu := x.Wait(session, "in all")
	x.Keys(session, "/")
	x.Keys(session, "-l", "win11 physics")
	filtered := x.Wait(session, "1 of ")
	x.Keys(session, "Enter")
	confirm := x.Wait(session, "Queue this job?")
	x.Keys(session, "y")
	queued := x.Wait(session, "Queued: schedule")
	t.Logf("menu:\n%s\nfiltered:\n%s\nconfirm:\n%s\nqueued:\n%s", menu, filtered, confirm, queued)

	m := regexp.MustCompile(`Queued: schedule (\d+)`).FindStringSubmatch(queued)
	if m == nil {
		t.Fatalf("no schedule id on screen:\n%s", queued)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	// The demo runs in the boot wiring's order: the console hands over and
	// exits, then DS's agent (the stand-in) starts and picks the job up.
	x.WaitJoined(session, "agent starts when this console exits")
	x.Cmd("set-option", "-t", session, "remain-on-exit", "on") // keep the screen once the demo ends
	x.Keys(session, "Enter")
	picked := x.WaitJoined(session, "picked up schedule "+m[1])
	t.Logf("picked up after %s:\n%s", time.Since(start).Round(time.Millisecond), picked)
	if !strings.Contains(picked, "The console has exited.") {
		t.Errorf("the stand-in agent did not start after the console:\n%s", picked)
	}

	db, err := sql.Open("sqlite", filepath.Join(storeDir, demo.StoreFile)+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var computer int64
	var user, status string
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = db.QueryRowContext(ctx, `SELECT computer_id, COALESCE(user_name, ''), COALESCE(status, '') FROM event_schedule WHERE schedule_id = ?`, id).
		Scan(&computer, &user, &status)
	if err != nil {
		t.Fatalf("schedule %d is not in the demo store: %v", id, err)
	}
	if computer != demo.ComputerID || !strings.EqualFold(user, demo.Domain+`\dave`) || status != "Running" {
		t.Errorf("schedule %d: computer %d user %q status %q; want computer %d, user %s\\dave, status Running (picked up by the demo DS)",
			id, computer, user, status, demo.ComputerID, demo.Domain)
	}
}
