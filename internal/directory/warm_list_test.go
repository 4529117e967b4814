package directory_test

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/imageinvoker/imageinvoker/internal/directory"
)

// changingSRV answers the DC locator query with whatever target is set
// now, as a site's DNS does when a DC is replaced.
type changingSRV struct {
	mu     sync.Mutex
	target string
}

func (r *changingSRV) set(target string) { r.mu.Lock(); r.target = target; r.mu.Unlock() }

func (r *changingSRV) LookupSRV(context.Context, string, string, string) (string, []*net.SRV, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return "", []*net.SRV{{Target: r.target + ".", Port: 389}}, nil
}

// The DC list a warm-up resolved is only as good as its connection: once
// the warm-up is past its age, the sign-in asks DNS again instead of
// trying the DCs DNS named then (a DC replaced while the console sat on
// the sign-in screen is never tried, and the new one is).
func TestWarmExpiredListNotUsed(t *testing.T) {
	r := &changingSRV{target: "dc-old.lab.example"}
	var mu sync.Mutex
	var dialled []string
	c, err := directory.New(directory.Config{DNSDomain: "lab.example", Resolver: r, Timeout: time.Second,
		Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
			mu.Lock()
			dialled = append(dialled, addr)
			mu.Unlock()
			return nil, errors.New("connection refused")
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer directory.SetWarmMaxAge(time.Millisecond)()
	w := c.Warm()
	<-w.(*directory.Warm).Done()
	time.Sleep(20 * time.Millisecond) // past its age (its timer closes it too)
	r.set("dc-new.lab.example")
	mu.Lock()
	dialled = nil
	mu.Unlock()
	if _, err := c.SignInWarm(context.Background(), w, "alice", "pw-1"); err == nil {
		t.Fatal("signed in with no DC answering")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(dialled) != 1 || dialled[0] != "dc-new.lab.example:389" {
		t.Errorf("the sign-in dialled %v; want only dc-new.lab.example:389 (DNS asked again, the warm-up's list expired)", dialled)
	}
}
