package termsafe

import (
	"testing"

	"github.com/imageinvoker/imageinvoker/internal/tabletest"
)

// Hostile is a DS job name an attacker with DS console rights could write:
// clear screen, set the window title, leave the alternate screen, 8-bit CSI
// and C1 controls, and a bare CR that returns over the text before it.
const Hostile = "Win11\x1b[2J\x1b]0;owned\x07\x1b[?1049l\u009b31m\u0085\u009d2;t\u009c Lab\rSAFE\u202e"

func TestLine(t *testing.T) {
	tabletest.Func(t, "Line", Line, []tabletest.Case[string, string]{
		{Name: "plain", In: "Win11 Physics Lab", Want: "Win11 Physics Lab"},
		{Name: "unicode kept", In: "Bürо – Ωmega", Want: "Bürо – Ωmega"},
		{Name: "hostile", In: Hostile, Want: "Win11 Lab SAFE"},
		{Name: "CSI with intermediates", In: "a\x1b[1;31mb\x1b[0m", Want: "ab"},
		{Name: "OSC ended by ST", In: "a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\b", Want: "alinkb"},
		{Name: "DCS", In: "a\x1bPq#0;2;0;0;0\x1b\\b", Want: "ab"},
		{Name: "charset select", In: "a\x1b(0b", Want: "ab"},
		{Name: "unterminated OSC", In: "a\x1b]0;title", Want: "a"},
		{Name: "lone ESC at end", In: "a\x1b", Want: "a"},
		{Name: "tabs and newlines", In: "a\tb\nc\r\nd", Want: "a b c  d"},
		{Name: "NUL and DEL", In: "a\x00b\x7fc", Want: "abc"},
		{Name: "invalid UTF-8", In: "a\xffb", Want: "a\ufffdb"},
		{Name: "bidi override", In: "abc\u202Etxt.exe", Want: "abctxt.exe"},
		{Name: "bidi marks", In: "a\u200Fb\u200Ec\u061Cd", Want: "abcd"},
	})
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
