// Command imageinvoker is the self-service imaging client for Deployment Server.
package main

import (
	"os"

	"github.com/imageinvoker/imageinvoker/internal/app"
)

func main() { os.Exit(app.Main()) }
