// Command imageinvoker is the self-service imaging client for Deployment Server.
package main

import (
	"fmt"
	"os"

	"github.com/imageinvoker/imageinvoker/internal/app"
	"github.com/imageinvoker/imageinvoker/internal/netup"
)

func main() {
	if netup.Supported && os.Getenv("IMAGEINVOKER_HANDOVER") == "1" {
		// Started by the Linux initrd hook: the NICs exist only once their
		// drivers are loaded, and every command reads the machine by its
		// MACs. The console then brings the links up (internal/console).
		_, missing, _ := netup.New(netup.Options{}).LoadDrivers()
		for _, m := range missing {
			fmt.Fprintln(os.Stderr, "imageinvoker: "+m.String())
		}
	}
	os.Exit(app.Main())
}
