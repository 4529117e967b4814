package doctor

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/termsafe"
	"github.com/imageinvoker/imageinvoker/pkg/access"
	"github.com/imageinvoker/imageinvoker/pkg/express"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// Asker is DS's own permission oracle (express.Store.AskDS).
type Asker interface {
	AskDS(ctx context.Context, consoleUserID int64, qs []express.Question, progress func(done, total int)) ([]*bool, int, error)
}

// AccessOptions tune `doctor access`.
type AccessOptions struct {
	// Sample checks N of the candidate jobs (spread evenly by id); 0 checks all.
	Sample int
	// Progress, when set, gets a line after each round trip (stderr).
	Progress io.Writer
}

// AccessReport is how far ImageInvoker's decisions agree with DS's own.
type AccessReport struct {
	User          string         `json:"user"`
	ConsoleUserID int64          `json:"console_user_id"`
	Computer      model.Computer `json:"computer"`
	CandidateJobs int            `json:"candidate_jobs"`
	CheckedJobs   int            `json:"checked_jobs"`
	Questions     int            `json:"questions"`
	RoundTrips    int            `json:"round_trips"`
	Agree         int            `json:"agree"`
	Unanswered    int            `json:"unanswered"`
	Disagreements []Disagreement `json:"disagreements"`
	Seconds       float64        `json:"seconds"`
}

// Disagreement is one question DS and ImageInvoker answered differently.
type Disagreement struct {
	JobID          int64  `json:"job_id"`
	JobName        string `json:"job_name"`
	Permission     int    `json:"permission"`
	PermissionName string `json:"permission_name"`
	ObjectID       int64  `json:"object_id"`
	DS             bool   `json:"ds"`
	Ours           bool   `json:"imageinvoker"`
	Explanation    string `json:"explanation"`
}

// OK is true when every answered question agreed.
func (r *AccessReport) OK() bool { return len(r.Disagreements) == 0 }

// ErrNoConsoleUser: DS answers only for console users.
type ErrNoConsoleUser struct{ User string }

func (e *ErrNoConsoleUser) Error() string {
	return fmt.Sprintf("%s has no console user in DS, so DS's own check (wc_sel_security_permission, which answers for one console user) cannot be asked about them: their rights come only through console groups. Add %s as a console user in the DS console (Tools > Security), or run doctor access for a user that has one",
		e.User, e.User)
}

// CheckAccess asks DS and our engine the same questions for the snapshot's
// console user — "Schedule this job" on each candidate job, and every task
// permission those jobs need on the computer — and reports agreement.
func CheckAccess(ctx context.Context, ds Asker, snap *model.Snapshot, user string, o AccessOptions) (*AccessReport, error) {
	start := time.Now()
	r := &AccessReport{User: user, Computer: snap.Computer, CandidateJobs: len(snap.Jobs), ConsoleUserID: -1, Disagreements: []Disagreement{}}
	for _, p := range snap.Principals {
		if p.Kind == model.ConsoleUser && (r.ConsoleUserID < 0 || p.ID < r.ConsoleUserID) {
			r.ConsoleUserID = p.ID
		}
	}
	if r.ConsoleUserID < 0 {
		return nil, &ErrNoConsoleUser{User: user}
	}
	jobs := sampleJobs(snap, o.Sample)
	r.CheckedJobs = len(jobs)
	type asked struct {
		q   express.Question
		job *model.Job // nil for a computer question
	}
	var qs []asked
	onComputer := map[int]bool{}
	for _, j := range jobs {
		qs = append(qs, asked{express.Question{Permission: model.PermScheduleJob, ObjectID: j.ID}, j})
		for _, p := range access.TaskPermissions(j.Tasks) {
			if !onComputer[p] {
				onComputer[p] = true
				qs = append(qs, asked{express.Question{Permission: p, ObjectID: snap.Computer.ID}, j})
			}
		}
	}
	questions := make([]express.Question, len(qs))
	for i, a := range qs {
		questions[i] = a.q
	}
	r.Questions = len(questions)
	progress := func(done, total int) {
		if o.Progress != nil {
			fmt.Fprintf(o.Progress, "doctor access: DS answered %d of %d questions\n", done, total)
		}
	}
	answers, trips, err := ds.AskDS(ctx, r.ConsoleUserID, questions, progress)
	r.RoundTrips = trips
	if err != nil {
		return nil, err
	}
	ev := access.New(snap)
	for i, a := range qs {
		if answers[i] == nil {
			r.Unanswered++
			continue
		}
		ours := ev.Permission(a.q.Permission, a.q.ObjectID)
		if ours.Allow == *answers[i] {
			r.Agree++
			continue
		}
		r.Disagreements = append(r.Disagreements, Disagreement{
			JobID: a.job.ID, JobName: a.job.Name, Permission: a.q.Permission, PermissionName: access.PermissionName(a.q.Permission),
			ObjectID: a.q.ObjectID, DS: *answers[i], Ours: ours.Allow, Explanation: ours.String(),
		})
	}
	r.Seconds = time.Since(start).Seconds()
	return r, nil
}

// sampleJobs is every candidate job by id, or n of them spread evenly.
func sampleJobs(snap *model.Snapshot, n int) []*model.Job {
	ids := make([]int64, 0, len(snap.Jobs))
	for id := range snap.Jobs {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	if n > 0 && n < len(ids) {
		picked := make([]int64, n)
		for i := range picked {
			picked[i] = ids[i*len(ids)/n]
		}
		ids = picked
	}
	out := make([]*model.Job, len(ids))
	for i, id := range ids {
		out[i] = snap.Jobs[id]
	}
	return out
}

// WriteAccessText prints the agreement report for a person.
func WriteAccessText(w io.Writer, r *AccessReport) error {
	var b strings.Builder
	b.WriteString(wrap("", termsafe.Line(fmt.Sprintf("doctor access %s (DS console user %d) on %s: %d of %d candidate jobs, %d questions, %d round trip(s), %.1f s",
		r.User, r.ConsoleUserID, r.Computer.Name, r.CheckedJobs, r.CandidateJobs, r.Questions, r.RoundTrips, r.Seconds)), Width, "  "))
	b.WriteString(fmt.Sprintf("agree: %d   disagree: %d   DS gave no answer: %d\n", r.Agree, len(r.Disagreements), r.Unanswered))
	yes := map[bool]string{true: "allowed", false: "denied"}
	for _, d := range r.Disagreements {
		// Job names and explanations carry DS text: never terminal control.
		b.WriteString(wrap("[DIFF] ", termsafe.Line(fmt.Sprintf("job %q (%d), %s on object %d: DS says %s, ImageInvoker says %s. Ours: %s",
			d.JobName, d.JobID, d.PermissionName, d.ObjectID, yes[d.DS], yes[d.Ours], d.Explanation)), Width, "       "))
	}
	if r.OK() {
		b.WriteString("ImageInvoker agrees with DS on every answered question.\n")
	} else {
		b.WriteString(wrap("", "ImageInvoker and DS disagree: send this report (doctor access ... --json) to your ImageInvoker contact.", Width, ""))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteAccessJSON prints the report as one JSON object.
func WriteAccessJSON(w io.Writer, r *AccessReport) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
