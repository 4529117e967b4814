//go:build !unix

package synth

import "time"

// cpuTime is not measured here; cpu-ms/op then reports 0.
func cpuTime() time.Duration { return 0 }
