package menu

import (
	"slices"
	"strings"
)

// DefaultTag opts a job into the menu from anywhere when it appears in the
// job's description (docs/ds-schema.md).
const DefaultTag = "[imageinvoker]"

// erasesMarker, as `[imageinvoker: erases]` in a job's description, marks
// a job that destroys data on the machine when its task types do not show
// it (a script that wipes the disk, a vendor tool): the console then warns
// as it does for a distributed image. It is never a friendly name.
const erasesMarker = "erases"

// markedErases reports whether description carries tag in its
// `[tag: erases]` form.
func markedErases(description, tag string) bool {
	tag = normalizeTag(tag)
	for from := 0; ; {
		m, ok := nextTag(description, tag, from)
		if !ok {
			return false
		}
		if strings.EqualFold(m.name, erasesMarker) {
			return true
		}
		from = m.end
	}
}

// parseTag reports whether description carries tag (case-insensitive) and
// the friendly name of its `[tag: Friendly name]` form, if any. A blank tag
// means DefaultTag. The friendly form exists only for bracketed tags: the
// name goes between a colon and the closing bracket. When several tags are
// present the first friendly name wins.
func parseTag(description, tag string) (tagged bool, friendlyName string) {
	tag = normalizeTag(tag)
	for from := 0; ; {
		m, ok := nextTag(description, tag, from)
		if !ok {
			return tagged, friendlyName
		}
		tagged = true
		if friendlyName == "" && !strings.EqualFold(m.name, erasesMarker) {
			friendlyName = m.name
		}
		from = m.end
	}
}

// stripTag is the description without any of its tags, as the menu shows
// it: the text around each tag is joined with one space, the rest is kept.
func stripTag(description, tag string) string {
	tag = normalizeTag(tag)
	var parts []string
	from := 0
	for {
		m, ok := nextTag(description, tag, from)
		if !ok {
			break
		}
		parts = append(parts, strings.Trim(description[from:m.start], " \t"))
		from = m.end
	}
	parts = append(parts, strings.Trim(description[from:], " \t"))
	parts = slices.DeleteFunc(parts, func(p string) bool { return p == "" })
	return strings.TrimSpace(strings.Join(parts, " "))
}

func normalizeTag(tag string) string {
	if tag = strings.TrimSpace(tag); tag == "" {
		return DefaultTag
	}
	return tag
}

type tagMatch struct {
	start, end int
	name       string
}

// nextTag finds the first tag at or after from. For a bracketed tag
// `[word]` it accepts `[word]`, `[word ]` and `[word: name]`; anything else
// starting with `[word` (say `[wordy]`) is not the tag.
func nextTag(s, tag string, from int) (tagMatch, bool) {
	open, bracketed := strings.CutSuffix(tag, "]")
	if !bracketed {
		open = tag
	}
	for from <= len(s) {
		i := indexFold(s[from:], open)
		if i < 0 {
			return tagMatch{}, false
		}
		start := from + i
		rest := start + len(open)
		if !bracketed {
			return tagMatch{start: start, end: rest}, true
		}
		j := rest
		for j < len(s) && (s[j] == ' ' || s[j] == '\t') {
			j++
		}
		switch {
		case j < len(s) && s[j] == ']':
			return tagMatch{start: start, end: j + 1}, true
		case j < len(s) && s[j] == ':':
			if k := strings.IndexByte(s[j+1:], ']'); k >= 0 {
				return tagMatch{start: start, end: j + 1 + k + 1, name: strings.TrimSpace(s[j+1 : j+1+k])}, true
			}
		}
		from = start + 1
	}
	return tagMatch{}, false
}

// indexFold is a case-insensitive strings.Index. It jumps between
// occurrences of the first byte with strings.IndexByte (vectorised), in
// both ASCII cases when it is a letter, so 10,000 descriptions cost about
// what strings.Index would.
func indexFold(s, sub string) int {
	if sub == "" {
		return 0
	}
	lo, up := lowerASCII(sub[0]), upperASCII(sub[0])
	for i := 0; i+len(sub) <= len(s); {
		j := strings.IndexByte(s[i:], lo)
		if lo != up {
			if k := strings.IndexByte(s[i:], up); k >= 0 && (j < 0 || k < j) {
				j = k
			}
		}
		if j < 0 || i+j+len(sub) > len(s) {
			return -1
		}
		i += j
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
		i++
	}
	return -1
}

func upperASCII(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - ('a' - 'A')
	}
	return c
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
