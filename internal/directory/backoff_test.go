package directory

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// accounts is a DS store with one console account, counting the checks.
type accounts struct{ checks int }

func (a *accounts) SignInDSAccount(_ context.Context, name, password string) (model.Identity, error) {
	a.checks++
	if name == `.\kiosk` && password == "right" {
		return model.Identity{User: `.\kiosk`, DSAccount: true, ConsoleUserID: 14000001}, nil
	}
	return model.Identity{}, model.ErrDSAccountRefused
}

// DS console accounts back off: three free tries per name, then 1 s
// doubling up to 5 minutes; a try inside the wait is refused without
// reaching the store; the count is kept in a file, so another process (the
// console started again) sees it, and another boot starts afresh.
func TestConsoleAccountsBackOff(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)
	boot := "boot-1"
	newProcess := func(st *accounts) ConsoleAccounts {
		return ConsoleAccounts{Store: st, Backoff: &Backoff{Dir: dir, Now: func() time.Time { return now }, Boot: func() string { return boot }}}
	}
	st := &accounts{}
	c := newProcess(st)
	try := func(c ConsoleAccounts, user, pw string) error {
		_, err := c.SignIn(context.Background(), user, pw)
		return err
	}
	for i := 0; i < 3; i++ {
		if err := try(c, `.\kiosk`, "guess"); !errors.Is(err, model.ErrBadCredentials) {
			t.Fatalf("try %d: %v", i+1, err)
		}
	}
	if st.checks != 3 {
		t.Fatalf("checks = %d, want 3", st.checks)
	}
	// The fourth try at once: refused without asking the store, even with
	// the right password, and even from a new process.
	var be *Error
	err := try(newProcess(st), `.\kiosk`, "right")
	if !errors.As(err, &be) || be.Code != "backoff" || st.checks != 3 {
		t.Fatalf("fourth try = %v (checks %d), want the back-off without a check", err, st.checks)
	}
	// Another name is not slowed.
	if err := try(c, `.\other`, "guess"); !errors.Is(err, model.ErrBadCredentials) || st.checks != 4 {
		t.Fatalf("other name: %v", err)
	}
	// After the wait, one more try; it fails, and the wait doubles.
	now = now.Add(time.Second)
	if err := try(c, `.\kiosk`, "guess"); !errors.As(err, &be) || be.Code == "backoff" {
		t.Fatalf("after 1 s: %v", err)
	}
	if w := c.Backoff.Wait(`.\kiosk`); w != 2*time.Second {
		t.Errorf("wait after the fourth failure = %s, want 2s", w)
	}
	// The wait is capped.
	for i := 0; i < 30; i++ {
		now = now.Add(time.Hour)
		_ = try(c, `.\kiosk`, "guess")
	}
	if w := c.Backoff.Wait(`.\kiosk`); w != 5*time.Minute {
		t.Errorf("capped wait = %s, want 5m", w)
	}
	// Names are matched as typed, case aside, and kept hashed.
	if w := c.Backoff.Wait(`.\KIOSK`); w != 5*time.Minute {
		t.Errorf("wait for .\\KIOSK = %s", w)
	}
	// A new boot starts afresh; a success forgets the failures.
	boot = "boot-2"
	if err := try(c, `.\kiosk`, "right"); err != nil {
		t.Fatalf("after a reboot: %v", err)
	}
	_ = try(c, `.\kiosk`, "guess")
	_ = try(c, `.\kiosk`, "right")
	if w := c.Backoff.Wait(`.\kiosk`); w != 0 {
		t.Errorf("wait after a success = %s", w)
	}
}

// The back-off counts the account DS checks, not the string typed: the
// store trims the spaces after `.\` and compares names with Unicode case
// folding (strings.EqualFold), so no spelling of one account may start a
// fresh count.
func TestBackoffSpellingsOfOneAccount(t *testing.T) {
	now := time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)
	b := &Backoff{Dir: t.TempDir(), Now: func() time.Time { return now }, Boot: func() string { return "boot-1" }}
	for i := 0; i < backoffFree; i++ {
		b.Failed(`.\kiosk`)
	}
	if b.Wait(`.\kiosk`) == 0 {
		t.Fatal(`.\kiosk: no wait after the free tries`)
	}
	for _, spelling := range []string{`.\KIOSK`, ` .\kiosk `, `.\ kiosk`, ".\\\tkiosk", `.\  Kiosk  `, ".\\\u212aiosk" /* KELVIN SIGN */} {
		if b.Wait(spelling) == 0 {
			t.Errorf("%q names the same DS account but starts a fresh back-off", spelling)
		}
	}
	b2 := &Backoff{Dir: b.Dir, Now: b.Now, Boot: b.Boot}
	for i := 0; i < backoffFree; i++ {
		b2.Failed(`.\ſam`) // LATIN SMALL LETTER LONG S: EqualFold to s
	}
	if b2.Wait(`.\sam`) == 0 {
		t.Errorf(`.\ſam and .\sam are one DS account to the store but two to the back-off`)
	}
}

// The initrd hook runs before the image's own init, which is what creates
// /tmp on many initrds: a missing folder must not switch the back-off off
// (every failure would be forgotten as it is made).
func TestBackoffMissingFolder(t *testing.T) {
	now := time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)
	dir := filepath.Join(t.TempDir(), "tmp")
	b := &Backoff{Dir: dir, Now: func() time.Time { return now }, Boot: func() string { return "boot-1" }}
	for i := 0; i < backoffFree; i++ {
		b.Failed(`.\kiosk`)
	}
	if b.Wait(`.\kiosk`) == 0 {
		t.Fatalf("no back-off when %s does not exist yet", dir)
	}
	if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o777 || st.Mode()&os.ModeSticky == 0 {
		t.Errorf("%s made as %v (%v), want a /tmp: drwxrwxrwt", dir, st.Mode(), err)
	}
}
