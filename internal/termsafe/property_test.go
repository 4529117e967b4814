package termsafe

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// checkSafe fails unless out is valid UTF-8 holding nothing a terminal
// acts on (Unsafe, checked against its own spelling of the rule below) and
// is its own cleaning (cleaning twice changes nothing).
func checkSafe(t *testing.T, name, in, out string, keepLF bool) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("%s(%q) = %q: not valid UTF-8", name, in, out)
	}
	for i, r := range out {
		if why := forbidden(r, keepLF); why != "" {
			t.Fatalf("%s(%q) = %q: %s %U at byte %d", name, in, out, why, r, i)
		}
	}
	if why := Unsafe(out, keepLF); why != "" {
		t.Fatalf("Unsafe(%s(%q)) = %s", name, in, why)
	}
	if again := clean(out, keepLF); again != out {
		t.Fatalf("%s(%q) = %q, and cleaned again %q", name, in, out, again)
	}
}

// forbidden says why r must never reach a terminal from Line (keepLF
// false) or Text (keepLF true), or "" when it may: C0 controls (LF only in
// Text), DEL, C1 controls, and the Unicode Bidi_Control characters
// (embeddings, overrides, isolates and the marks), which make text read
// differently from what it is.
func forbidden(r rune, keepLF bool) string {
	switch {
	case r == '\n' && keepLF:
		return ""
	case r == 0x1b:
		return "ESC"
	case r < 0x20:
		return "C0 control"
	case r == 0x7f:
		return "DEL"
	case r >= 0x80 && r < 0xa0:
		return "C1 control"
	case unicode.Is(unicode.Bidi_Control, r):
		return "bidi control"
	}
	return ""
}

// TestUnsafe: Unsafe finds what the property forbids, and nothing else.
func TestUnsafe(t *testing.T) {
	r := rand.New(rand.NewPCG(22, 3))
	for range 50000 {
		in := randomHostile(r)
		for _, keepLF := range []bool{false, true} {
			want := !utf8.ValidString(in)
			for _, c := range in {
				want = want || forbidden(c, keepLF) != ""
			}
			if got := Unsafe(in, keepLF) != ""; got != want {
				t.Fatalf("Unsafe(%q, %v) = %q, want unsafe %v", in, keepLF, Unsafe(in, keepLF), want)
			}
		}
	}
}

// pieces are what hostile strings are made of: every byte, C1 controls
// written as UTF-8, the introducers and terminators of escape sequences,
// bidi controls, and ordinary text.
var pieces = func() []string {
	var p []string
	for b := range 256 {
		p = append(p, string([]byte{byte(b)}))
	}
	for r := rune(0x80); r < 0xa0; r++ {
		p = append(p, string(r))
	}
	for _, r := range []rune{0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0xfeff, 0xfffd} {
		p = append(p, string(r))
	}
	return append(p, "\x1b[", "\x1b]", "\x1bP", "\x1b\\", "\x07", "\u009c", "\x1b[2J", "\x1b]0;t\x07", "\r\n", "é", "Ω", "漢", "😀", "Lab ", "Win11")
}()

// randomHostile joins up to 24 random pieces.
func randomHostile(r *rand.Rand) string {
	var b strings.Builder
	for range r.IntN(25) {
		b.WriteString(pieces[r.IntN(len(pieces))])
	}
	return b.String()
}

// TestCleanProperty: whatever DS or AD holds, what Line and Text give a
// terminal is valid UTF-8 with no control character, ESC, DEL, C1 or bidi
// control (LF only from Text), and Line's output is one line.
func TestCleanProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(22, 1))
	for range 100000 {
		in := randomHostile(r)
		checkSafe(t, "Line", in, Line(in), false)
		checkSafe(t, "Text", in, Text(in), true)
	}
}

// TestPrintableKept: text a terminal only draws passes unchanged, so
// cleaning never mangles a name that was fine.
func TestPrintableKept(t *testing.T) {
	r := rand.New(rand.NewPCG(22, 2))
	for range 50000 {
		var b strings.Builder
		for range r.IntN(30) {
			c := rune(0x20 + r.IntN(0x3000))
			if unicode.IsPrint(c) && forbidden(c, false) == "" {
				b.WriteRune(c)
			}
		}
		if s := b.String(); Line(s) != s || Text(s) != s {
			t.Fatalf("printable %q became %q / %q", s, Line(s), Text(s))
		}
	}
}

// FuzzClean is the property under the fuzzer (go test -fuzz FuzzClean);
// without -fuzz the seeds run as cases.
func FuzzClean(f *testing.F) {
	for _, s := range []string{Hostile, "", "plain", "a\x1b", "\u202eabc", "\u200fx", "a\xffb", "\x1b[\xc3\xa9", "\x1b\xc3\xa9", "\u009b31m"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		checkSafe(t, "Line", in, Line(in), false)
		checkSafe(t, "Text", in, Text(in), true)
	})
}
