package backend_test

import (
	"context"
	"strings"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/backend"
	"github.com/imageinvoker/imageinvoker/internal/config"
	"github.com/imageinvoker/imageinvoker/internal/flow"
)

func TestLookup(t *testing.T) {
	r := backend.NewRegistry()
	called := ""
	r.AddScheduler("one", func(context.Context, *config.Config, flow.Reader, *flow.Credentials) (flow.Scheduler, error) {
		called = "one"
		return nil, nil
	})
	r.AddScheduler("two", func(context.Context, *config.Config, flow.Reader, *flow.Credentials) (flow.Scheduler, error) {
		called = "two"
		return nil, nil
	})
	f, err := r.Scheduler("two")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f(context.Background(), nil, nil, nil); err != nil || called != "two" {
		t.Errorf("looked up %q, called %q", "two", called)
	}
	_, err = r.Scheduler("three")
	if err == nil || !strings.Contains(err.Error(), `"three"`) || !strings.Contains(err.Error(), "one, two") {
		t.Errorf("unknown name: %v; want it named with the known ones", err)
	}
	if _, err := r.Reader("one"); err == nil {
		t.Errorf("a scheduler's name found a reader")
	}
	if got := r.Names()["scheduler"]; strings.Join(got, ",") != "one,two" {
		t.Errorf("Names = %v", got)
	}
}

func TestRegisterTwicePanics(t *testing.T) {
	r := backend.NewRegistry()
	id := func(*config.Config) (flow.IdentitySource, error) { return nil, nil }
	r.AddIdentity("ad", id)
	defer func() {
		if recover() == nil {
			t.Errorf("a second registration of one name did not panic")
		}
	}()
	r.AddIdentity("ad", id)
}
