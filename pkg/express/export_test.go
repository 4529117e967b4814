package express

// SetMaxInList lets external tests force IN-list batching with small data.
func SetMaxInList(n int) (restore func()) {
	old := maxInList
	maxInList = n
	return func() { maxInList = old }
}
