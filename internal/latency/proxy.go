// Package latency puts a chosen round-trip time on the two links the
// console waits on after Enter — LDAP to the domain controller and SQL to
// the eXpress database — and counts the round trips that cross them, so
// scripts/bench can report what a technician at a far site waits for.
//
// Proxy is a TCP proxy that delays each direction by half the round trip
// (pipelined, like a real link: bytes sent back to back arrive back to
// back, each half a round trip late) and counts turns: the server answering
// after the client spoke ends one round trip; the TCP handshake is one
// more. Link wraps a database/sql driver and adds
// one round trip per statement batch sent and answered (a query, an exec,
// a ping, a begin, a commit or a rollback); further result sets of one
// batch come in the same answer and cost none.
package latency

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Proxy forwards TCP connections to Upstream, each direction delayed by
// RTT/2.
type Proxy struct {
	ln       net.Listener
	upstream string
	rtt      atomic.Int64 // nanoseconds

	conns atomic.Int64
	trips atomic.Int64
	last  atomic.Int64 // unix nanoseconds of the last answer read from the server
	trace atomic.Pointer[func(fromClient bool, n int, newTrip bool)]

	wg     sync.WaitGroup
	mu     sync.Mutex
	open   map[net.Conn]struct{}
	closed bool
	// pairs counts the client connections being forwarded; changed is
	// closed (and replaced) whenever that count changes.
	pairs   int
	changed chan struct{}
	cutNext atomic.Bool
}

// NewProxy listens on listen (host:port; port 0 picks one) and forwards to
// upstream.
func NewProxy(listen, upstream string, rtt time.Duration) (*Proxy, error) {
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return nil, err
	}
	p := &Proxy{ln: ln, upstream: upstream, open: map[net.Conn]struct{}{}, changed: make(chan struct{})}
	p.rtt.Store(int64(rtt))
	p.wg.Add(1)
	go p.serve()
	return p, nil
}

// Addr is the address the proxy listens on.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// SetRTT changes the round trip for what is sent from now on.
func (p *Proxy) SetRTT(rtt time.Duration) { p.rtt.Store(int64(rtt)) }

// Conns is how many connections were accepted; Trips how many round trips
// crossed the proxy (one per TCP handshake, one per client turn).
func (p *Proxy) Conns() int64 { return p.conns.Load() }

// Trips: see Conns.
func (p *Proxy) Trips() int64 { return p.trips.Load() }

// SetTrace has fn told each burst: from the client or not, its size, and
// whether it began a round trip; nil stops it.
func (p *Proxy) SetTrace(fn func(fromClient bool, n int, newTrip bool)) {
	if fn == nil {
		p.trace.Store(nil)
		return
	}
	p.trace.Store(&fn)
}

// LastAnswer is when the server's last answer reached the proxy (zero
// after Reset until one does).
func (p *Proxy) LastAnswer() time.Time {
	if n := p.last.Load(); n != 0 {
		return time.Unix(0, n)
	}
	return time.Time{}
}

// Open is how many client connections are being forwarded now.
func (p *Proxy) Open() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pairs
}

// WaitOpen waits until n client connections are being forwarded (a
// connection counts until both its sides are closed), or ctx ends.
func (p *Proxy) WaitOpen(ctx context.Context, n int) error {
	for {
		p.mu.Lock()
		have, ch := p.pairs, p.changed
		p.mu.Unlock()
		if have == n {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (p *Proxy) addPair(d int) {
	p.mu.Lock()
	p.pairs += d
	close(p.changed)
	p.changed = make(chan struct{})
	p.mu.Unlock()
}

// Cut closes every open connection, both sides, as a DC (or a middlebox)
// dropping idle connections does; the proxy goes on accepting new ones.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.open {
		c.Close()
	}
}

// CutOnNextRequest has the next bytes a client sends dropped, unforwarded,
// and their connection closed, as a link that died while idle shows itself
// to the next request.
func (p *Proxy) CutOnNextRequest() { p.cutNext.Store(true) }

// Reset zeroes the counters.
func (p *Proxy) Reset() { p.conns.Store(0); p.trips.Store(0); p.last.Store(0) }

// Close stops listening and cuts every open connection.
func (p *Proxy) Close() error {
	err := p.ln.Close()
	p.mu.Lock()
	p.closed = true
	for c := range p.open {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
	return err
}

func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		c.Close()
		return false
	}
	p.open[c] = struct{}{}
	return true
}

func (p *Proxy) untrack(c net.Conn) {
	p.mu.Lock()
	delete(p.open, c)
	p.mu.Unlock()
	c.Close()
}

func (p *Proxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.handle(c)
		}()
	}
}

func (p *Proxy) handle(client net.Conn) {
	if !p.track(client) {
		return
	}
	defer p.untrack(client)
	server, err := net.Dial("tcp", p.upstream)
	if err != nil {
		return
	}
	if !p.track(server) {
		return
	}
	defer p.untrack(server)
	p.conns.Add(1)
	p.trips.Add(1) // the TCP handshake
	p.addPair(1)
	defer p.addPair(-1)
	// The client's connect returned at once on loopback; on the link it
	// would have taken a round trip, so its first bytes arrive one round
	// trip later than the others.
	rtt := time.Duration(p.rtt.Load())
	var turn turnState
	done := make(chan struct{}, 2)
	go func() {
		p.pipe(server, client, rtt, &turn, true)
		done <- struct{}{}
	}()
	go func() {
		p.pipe(client, server, 0, &turn, false)
		done <- struct{}{}
	}()
	<-done
	client.Close()
	server.Close()
	<-done
}

// turnState tracks who spoke last on one connection.
type turnState struct {
	mu         sync.Mutex
	clientLast bool
}

type chunk struct {
	b  []byte
	at time.Time
}

// pipe copies src to dst, each read delivered RTT/2 (plus extra, for the
// first) after it was read, in order.
func (p *Proxy) pipe(dst, src net.Conn, extra time.Duration, turn *turnState, fromClient bool) {
	ch := make(chan chunk, 4096)
	wdone := make(chan struct{})
	go func() {
		defer close(wdone)
		failed := false
		for c := range ch {
			if failed {
				continue
			}
			if d := time.Until(c.at); d > 0 {
				time.Sleep(d)
			}
			if _, err := dst.Write(c.b); err != nil {
				failed = true
			}
		}
		if tc, ok := dst.(*net.TCPConn); ok && !failed {
			_ = tc.CloseWrite()
		}
	}()
	buf := make([]byte, 64<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && fromClient && p.cutNext.CompareAndSwap(true, false) {
			src.Close()
			dst.Close()
			break
		}
		if n > 0 {
			turn.mu.Lock()
			// A round trip ends when the server answers what the client
			// sent: a message nobody answers (an unbind) is no wait.
			newTrip := !fromClient && turn.clientLast
			if newTrip {
				p.trips.Add(1)
			}
			if !fromClient {
				p.last.Store(time.Now().UnixNano())
			}
			turn.clientLast = fromClient
			turn.mu.Unlock()
			if tr := p.trace.Load(); tr != nil {
				(*tr)(fromClient, n, newTrip)
			}
			b := append([]byte(nil), buf[:n]...)
			ch <- chunk{b: b, at: time.Now().Add(time.Duration(p.rtt.Load())/2 + extra)}
			extra = 0
		}
		if err != nil { // EOF or a cut connection: either ends this direction
			break
		}
	}
	close(ch)
	<-wdone
}
