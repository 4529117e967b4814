package directory

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
	"unicode"

	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// Back-off of DS console account sign-ins: AD has its own lockout policy,
// a DS console account has none, and 20 guesses took 0.3 s. After
// backoffFree failures of one name, each further try waits 1 s, doubling,
// up to backoffCap. The state is a file in the temporary folder (WinPE's
// X:\ RAM drive, the initrd's /tmp): it survives the console being started
// again, and goes with the boot.
const (
	backoffFree = 3
	backoffCap  = 5 * time.Minute
	backoffFile = "imageinvoker-signin-backoff.json"
)

// Backoff keeps the failed sign-ins of each name.
type Backoff struct {
	// Scope is the store the names belong to (its location): the same
	// name at another store is another account.
	Scope string
	// Dir holds the state file (default os.TempDir()).
	Dir string
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Boot names this boot (default: Linux's boot_id, else ""): a state
	// file from another boot is ignored.
	Boot func() string
}

type backoffState struct {
	Boot  string                  `json:"boot,omitempty"`
	Names map[string]backoffEntry `json:"names"`
}

type backoffEntry struct {
	Failures int       `json:"failures"`
	Until    time.Time `json:"until"`
	Last     time.Time `json:"last"`
}

// backoffForget drops a name a day after its last failure, so the file
// stays small on a machine that is never restarted (a test host).
const backoffForget = 24 * time.Hour

func (b *Backoff) path() string {
	dir := b.Dir
	if dir == "" {
		dir = os.TempDir()
		// Not $TMPDIR on Linux: on Linux boot media the kernel line
		// becomes the environment, and a fresh folder would reset the count.
		if runtime.GOOS == "linux" {
			dir = "/tmp"
		}
	}
	return filepath.Join(dir, backoffFile)
}

func (b *Backoff) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

func (b *Backoff) boot() string {
	if b.Boot != nil {
		return b.Boot()
	}
	id, _ := os.ReadFile("/proc/sys/kernel/random/boot_id")
	return strings.TrimSpace(string(id))
}

// key is the name as kept in the file: hashed, since what was typed in the
// user field may be a password typed in the wrong field. It is the account
// the store checks, not the string typed: the store drops `.\` and the
// spaces around the name and compares with Unicode case folding
// (express.SignInDSAccount), so every spelling it takes for one account
// must share one count.
func (b *Backoff) key(name string) string {
	name = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), model.DSAccountPrefix))
	sum := sha256.Sum256([]byte(b.Scope + "\x00" + foldName(name)))
	return hex.EncodeToString(sum[:16])
}

// foldName maps each rune to the smallest rune of its case-folding orbit,
// so two names strings.EqualFold calls equal fold to the same string.
func foldName(s string) string {
	return strings.Map(func(r rune) rune {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		return least
	}, s)
}

func (b *Backoff) load() backoffState {
	st := backoffState{Names: map[string]backoffEntry{}}
	data, err := os.ReadFile(b.path())
	if err == nil {
		_ = json.Unmarshal(data, &st)
	}
	if st.Names == nil || st.Boot != b.boot() {
		st = backoffState{Names: map[string]backoffEntry{}}
	}
	st.Boot = b.boot()
	for k, e := range st.Names {
		if b.now().Sub(e.Last) > backoffForget {
			delete(st.Names, k)
		}
	}
	return st
}

func (b *Backoff) save(st backoffState) {
	data, err := json.Marshal(st)
	if err != nil {
		return
	}
	tmp := b.path() + ".tmp"
	err = os.WriteFile(tmp, data, 0o600)
	if errors.Is(err, fs.ErrNotExist) {
		// The initrd hook runs before the image's own init, which is what
		// makes /tmp on many initrds: make it as that init would (drwxrwxrwt),
		// or every failure would be forgotten as it is made.
		dir := filepath.Dir(tmp)
		if os.Mkdir(dir, 0o777) == nil {
			_ = os.Chmod(dir, 0o777|os.ModeSticky)
		}
		err = os.WriteFile(tmp, data, 0o600)
	}
	if err == nil {
		_ = os.Rename(tmp, b.path())
	}
}

// Wait is how long name must still wait before its next try (0: none).
func (b *Backoff) Wait(name string) time.Duration {
	e := b.load().Names[b.key(name)]
	if d := e.Until.Sub(b.now()); d > 0 {
		return d
	}
	return 0
}

// Failed records a refused password for name and returns the wait before
// its next try.
func (b *Backoff) Failed(name string) time.Duration {
	st := b.load()
	k := b.key(name)
	e := st.Names[k]
	e.Failures++
	e.Last = b.now()
	wait := time.Duration(0)
	if n := e.Failures - backoffFree; n >= 0 {
		wait = time.Second << min(n, 20)
		wait = min(wait, backoffCap)
		e.Until = b.now().Add(wait)
	}
	st.Names[k] = e
	b.save(st)
	return wait
}

// Succeeded forgets name's failures.
func (b *Backoff) Succeeded(name string) {
	st := b.load()
	if _, ok := st.Names[b.key(name)]; ok {
		delete(st.Names, b.key(name))
		b.save(st)
	}
}

// BackoffError refuses a try made before the back-off is over; the
// password was not checked, so it says nothing about it.
func BackoffError(wait time.Duration) *Error {
	secs := int((wait + time.Second - 1) / time.Second)
	return &Error{Kind: model.ErrBadCredentials, Code: "backoff",
		Msg:  fmt.Sprintf("too many failed sign-ins with this DS console account name: the next try is possible in %d s", secs),
		Next: "Wait, then type the password again (each further failure doubles the wait, up to 5 minutes, until this machine restarts)"}
}
