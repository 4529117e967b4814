package menu

import "strings"

// Index answers type-to-filter queries over a fixed list of entries. The
// lower-cased keys are built once so each keystroke costs one substring scan
// per entry, well inside a 60 Hz frame for 10,000 jobs.
type Index struct {
	entries []Entry
	keys    []string
}

// NewIndex indexes entries (kept in their order) by path and name.
func NewIndex(entries []Entry) *Index {
	ix := &Index{entries: entries, keys: make([]string, len(entries))}
	for i, e := range entries {
		ix.keys[i] = strings.ToLower(e.FullPath())
	}
	return ix
}

// Len is the number of entries indexed.
func (ix *Index) Len() int { return len(ix.entries) }

// Filter is the entries whose "path/name" contains every word of query,
// case-insensitive, in their original order. A blank query keeps them all.
func (ix *Index) Filter(query string) []Entry {
	words := strings.Fields(strings.ToLower(query))
	out := []Entry{}
next:
	for i, key := range ix.keys {
		for _, w := range words {
			if !strings.Contains(key, w) {
				continue next
			}
		}
		out = append(out, ix.entries[i])
	}
	return out
}
