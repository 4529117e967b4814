// Command imageinvoker is the self-service imaging client for Deployment Server.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/imageinvoker/imageinvoker/internal/app"
	"github.com/imageinvoker/imageinvoker/internal/netup"
)

func main() {
	if !netup.Supported || os.Getenv("IMAGEINVOKER_HANDOVER") != "1" {
		os.Exit(app.Main())
	}
	// Started by the Linux initrd hook (which sets both variables itself,
	// over the kernel line's): no NIC driver, link, address or DNS yet.
	restore := netup.AtHook(context.Background(), os.Stderr, netup.Options{})
	code := app.Main()
	if os.Getenv("IMAGEINVOKER_KEEP_NETWORK") != "1" {
		// The image's own init finds the machine as it was.
		if err := restore(); err != nil {
			fmt.Fprintln(os.Stderr, "imageinvoker: taking the network back:", err)
		}
	}
	os.Exit(code)
}
