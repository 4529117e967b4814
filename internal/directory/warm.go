package directory

import (
	"context"
	"io"
	"net/url"
	"sync"
	"time"

	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// warmMaxAge bounds how long a connection dialled while the password is
// typed is kept unused: under AD's InitRecvTimeout (120 s by default: a DC
// may drop a connection that has carried no LDAP request by then) and well
// under MaxConnIdleTime (900 s). Past it the sign-in dials afresh, as a
// cold one does. A variable for tests.
var warmMaxAge = 100 * time.Second

// Warm is a connection to the DC a sign-in would try first, opened while
// the password is typed (issue 21): the DC list resolved (SRV discovery
// when configured so), TCP, then TLS — ldaps, or StartTLS and TLS — with
// connect's checks, exactly as a sign-in opens it. Nothing is sent on it
// after the handshake until a sign-in takes it (SignInWarm), once; a
// connection that has carried a bind is never handed to anyone else. It
// is closed unused by Close, or after warmMaxAge.
type Warm struct {
	home   *Client // the domain it was dialled for
	cancel context.CancelFunc
	done   chan struct{}
	expire *time.Timer

	// Set before done closes.
	dcs   []*url.URL // the DC list, resolved (in the order a sign-in tries them)
	dc    *url.URL
	conn  *dcConn
	trips int
	warn  string
	at    time.Time
	err   error

	mu    sync.Mutex
	taken bool
}

// Warm starts, in the background, what a sign-in does before it sends the
// password: resolve the DC list and open a checked connection to the DC it
// would try first (with several domains, the first domain's: bare names
// sign in there). It never blocks; the Closer is the *Warm, for
// SignInWarm once or Close.
func (c *Client) Warm() io.Closer {
	home := c
	if c.multi != nil {
		home = c.multi.domains[0]
	}
	ctx, cancel := context.WithTimeout(context.Background(), home.cfg.Timeout)
	w := &Warm{home: home, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		dcs, err := home.domainControllers(ctx)
		if err != nil {
			w.err = err
			return
		}
		w.dcs = dcs
		w.dc = home.ordered(dcs)[0]
		w.conn, w.trips, w.warn, w.err = home.connect(ctx, w.dc)
		w.at = time.Now()
	}()
	w.mu.Lock()
	w.expire = time.AfterFunc(warmMaxAge, func() { _ = w.Close() })
	w.mu.Unlock()
	return w
}

// Done is closed once the connection is open (or failed).
func (w *Warm) Done() <-chan struct{} { return w.done }

// Close drops the connection unused (nil-safe; once taken, the sign-in
// owns it).
func (w *Warm) Close() error {
	if w == nil || !w.claim() {
		return nil
	}
	w.cancel()
	<-w.done
	if w.conn != nil {
		w.conn.Close()
	}
	return nil
}

// claim marks w used; false when it was already (taken or closed).
func (w *Warm) claim() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.taken {
		return false
	}
	w.taken = true
	w.expire.Stop()
	return true
}

// list is the DC list the warm-up resolved for c, or nil: nil too once
// the warm-up was closed (its age, Esc) or is past its age, so that DNS is
// asked again rather than trusted for longer than the connection is.
func (w *Warm) list(c *Client) []*url.URL {
	if w == nil || w.home != c {
		return nil
	}
	select {
	case <-w.done:
	default:
		return nil
	}
	w.mu.Lock()
	closed := w.taken
	w.mu.Unlock()
	if closed || time.Since(w.at) > warmMaxAge {
		return nil
	}
	return w.dcs
}

// take hands the connection to a sign-in at dc, once: only when it was
// opened to dc by client c, is younger than warmMaxAge, and is still open
// (a DC that dropped it while the password was typed has closed it; the
// sign-in then dials afresh, as a cold one would). Otherwise it is closed
// and take returns nil. It waits for the warm-up to finish (the dial it
// is in the middle of is the one the sign-in would start).
func (w *Warm) take(ctx context.Context, c *Client, dc *url.URL) (*dcConn, int, string) {
	if w == nil || !w.claim() {
		return nil, 0, ""
	}
	select {
	case <-w.done:
	case <-ctx.Done():
		w.cancel()
		<-w.done
	}
	w.cancel()
	if w.conn == nil {
		return nil, 0, ""
	}
	if ctx.Err() != nil || w.home != c || w.dc.String() != dc.String() || time.Since(w.at) > warmMaxAge || w.conn.IsClosing() {
		w.conn.Close()
		return nil, 0, ""
	}
	return w.conn, w.trips, w.warn
}

// SignInWarm is SignIn taking w, the connection Warm opened (any other
// Closer, or nil, is closed and the sign-in is a cold one). It uses the
// connection only for a user of the domain it was dialled for and when it
// goes to the DC the sign-in tries first; whatever happens, w is closed
// or consumed when SignInWarm returns.
func (c *Client) SignInWarm(ctx context.Context, warm io.Closer, user, password string) (*model.SignIn, error) {
	w, ok := warm.(*Warm)
	if !ok {
		if warm != nil {
			_ = warm.Close()
		}
		w = nil
	}
	defer w.Close()
	return c.signIn(ctx, w, user, password)
}
