package directory_test

import (
	"context"
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/demo"
	"github.com/imageinvoker/imageinvoker/internal/directory"
	"github.com/imageinvoker/imageinvoker/internal/directory/adtest"
	"github.com/imageinvoker/imageinvoker/internal/directory/directorytest"
)

func TestConformanceSamba(t *testing.T) {
	dc := adtest.Start(t)
	directorytest.Conformance(t, dc.Target)
}

func demoTarget(t testing.TB) directorytest.Target {
	ctx, cancel := context.WithCancel(context.Background())
	d, err := demo.StartDirectory(ctx)
	if err != nil {
		t.Fatalf("StartDirectory: %v", err)
	}
	t.Cleanup(func() { cancel(); d.Close() })
	return directorytest.Target{Users: directorytest.DemoUsers(), Config: directory.Config{
		DCs: []string{d.URL()}, Domain: demo.Domain, DNSDomain: demo.DNSDomain, BaseDN: demo.BaseDN, CAPEM: d.CAPEM()}}
}

func TestConformanceDemo(t *testing.T) {
	directorytest.Conformance(t, demoTarget(t))
}
