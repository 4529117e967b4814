package termsafe

import "testing"

// Hostile is a DS job name an attacker with DS console rights could write:
// clear screen, set the window title, leave the alternate screen, 8-bit CSI
// and C1 controls, and a bare CR that returns over the text before it.
const Hostile = "Win11\x1b[2J\x1b]0;owned\x07\x1b[?1049l\u009b31m\u0085\u009d2;t\u009c Lab\rSAFE\u202e"

func TestLine(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain", "Win11 Physics Lab", "Win11 Physics Lab"},
		{"unicode kept", "Bürо – Ωmega", "Bürо – Ωmega"},
		{"hostile", Hostile, "Win11 Lab SAFE"},
		{"CSI with intermediates", "a\x1b[1;31mb\x1b[0m", "ab"},
		{"OSC ended by ST", "a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\b", "alinkb"},
		{"DCS", "a\x1bPq#0;2;0;0;0\x1b\\b", "ab"},
		{"charset select", "a\x1b(0b", "ab"},
		{"unterminated OSC", "a\x1b]0;title", "a"},
		{"lone ESC at end", "a\x1b", "a"},
		{"tabs and newlines", "a\tb\nc\r\nd", "a b c  d"},
		{"NUL and DEL", "a\x00b\x7fc", "abc"},
		{"invalid UTF-8", "a\xffb", "a\ufffdb"},
		{"bidi override", "abc\u202Etxt.exe", "abctxt.exe"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Line(tc.in); got != tc.want {
				t.Errorf("Line(%q) = %q; want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestTextKeepsLineFeeds(t *testing.T) {
	if got := Text("one\r\ntwo\x1b[Athree"); got != "one \ntwothree" {
		t.Errorf("Text = %q", got)
	}
}

func BenchmarkLineSafe(b *testing.B) {
	for i := 0; i < b.N; i++ {
		_ = Line("Windows 11/Student Labs/Win11 Physics Lab")
	}
}
