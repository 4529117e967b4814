package directory

import "time"

// SetWarmMaxAge sets how long a warm connection is kept unused, until the
// returned func puts it back.
func SetWarmMaxAge(d time.Duration) (restore func()) {
	old := warmMaxAge
	warmMaxAge = d
	return func() { warmMaxAge = old }
}
