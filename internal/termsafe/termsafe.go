// Package termsafe makes text from Deployment Server and Active Directory
// safe to draw on a terminal. Job, folder, computer and group names,
// descriptions and error details are written by whoever administers DS or
// AD; an escape sequence in one could clear the screen, leave the
// alternate screen, set the window title, or move the cursor over the
// "ERASES THE DISK" warning. Everything such a string holds that a terminal
// would act on is removed before the console draws it or a command prints
// it as text; JSON output keeps the exact value (encoding/json escapes it).
package termsafe

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Line returns s for one line of a terminal: escape sequences (CSI, OSC,
// DCS and the rest, 7-bit and 8-bit) and every control character are
// removed; tab, CR and LF become a space, so a bare CR cannot return the
// cursor to overwrite what came before. Invalid UTF-8 becomes U+FFFD.
func Line(s string) string { return clean(s, false) }

// Text is Line for text of several lines (a description, an error): LF is
// kept, everything else as in Line.
func Text(s string) string { return clean(s, true) }

// Unsafe says what in s a terminal would act on — not valid UTF-8, ESC, a
// C0 control (LF allowed when keepLF), DEL, a C1 control or a bidi control
// — or "" when nothing: what Line (keepLF false) and Text (true) must
// never return. Tests of the text the commands and the console print use it.
func Unsafe(s string, keepLF bool) string {
	if !utf8.ValidString(s) {
		return "not valid UTF-8"
	}
	for i, r := range s {
		why := ""
		switch {
		case r == '\n' && keepLF:
		case r == 0x1b:
			why = "ESC"
		case r < 0x20:
			why = "a C0 control"
		case r == 0x7f:
			why = "DEL"
		case r >= 0x80 && r < 0xa0:
			why = "a C1 control"
		case unicode.Is(unicode.Bidi_Control, r):
			why = "a bidi control"
		}
		if why != "" {
			return fmt.Sprintf("%s (%U) at byte %d", why, r, i)
		}
	}
	return ""
}

// Lines applies Line to each string.
func Lines(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = Line(s)
	}
	return out
}

// safe reports that s needs no change: the common case costs one scan.
func safe(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c >= 0x80 {
			return false
		}
	}
	return true
}

func clean(s string, keepLF bool) string {
	if safe(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(utf8.RuneError)
			i++
			continue
		}
		switch {
		case r == 0x1b: // ESC: skip the whole sequence
			i = skipEscape(s, i+1)
			continue
		case r == 0x9b: // 8-bit CSI
			i = skipCSI(s, i+size)
			continue
		case r == 0x9d || r == 0x90 || r == 0x98 || r == 0x9e || r == 0x9f: // 8-bit OSC, DCS, SOS, PM, APC
			i = skipString(s, i+size)
			continue
		case r == '\n' && keepLF:
			b.WriteByte('\n')
		case r == '\t' || r == '\r' || r == '\n':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			// other C0 and C1 controls: dropped
		case isBidiControl(r):
			// right-to-left overrides reorder what is drawn after them
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// isBidiControl: Unicode's Bidi_Control characters — embeddings, overrides
// and isolates (U+202A–U+202E, U+2066–U+2069) and the marks (U+061C,
// U+200E, U+200F) — which make text read differently from what it is.
func isBidiControl(r rune) bool { return unicode.Is(unicode.Bidi_Control, r) }

// skipEscape returns the index after the escape sequence whose ESC was at i-1.
func skipEscape(s string, i int) int {
	if i >= len(s) {
		return i
	}
	switch s[i] {
	case '[':
		return skipCSI(s, i+1)
	case ']', 'P', 'X', '^', '_': // OSC, DCS, SOS, PM, APC: up to BEL or ST
		return skipString(s, i+1)
	}
	// ESC, intermediates (0x20–0x2f), then one final byte.
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
		i++
	}
	if i < len(s) {
		i++
	}
	return i
}

// skipCSI skips parameters and intermediates up to the final byte (0x40–0x7e).
func skipCSI(s string, i int) int {
	for i < len(s) {
		c := s[i]
		i++
		// The final byte ends it; a control character aborts it (as in a terminal).
		if (c >= 0x40 && c <= 0x7e) || c < 0x20 {
			return i
		}
	}
	return i
}

// skipString skips a control string up to BEL, ESC \ or 8-bit ST (U+009C).
func skipString(s string, i int) int {
	for i < len(s) {
		switch {
		case s[i] == 0x07:
			return i + 1
		case s[i] == 0x1b:
			if i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
			return i + 1
		case strings.HasPrefix(s[i:], "\u009c"):
			return i + len("\u009c")
		}
		i++
	}
	return i
}
