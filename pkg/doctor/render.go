package doctor

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/imageinvoker/imageinvoker/pkg/termsafe"
)

// Width is the text output's line width: the 80x25 WinPE console, less one
// column so a full line does not wrap on its own.
const Width = 79

var labels = map[Status]string{OK: "[ ok ]", Warn: "[WARN]", Fail: "[FAIL]", Skip: "[skip]"}

// WriteText prints the checklist for a person: one block per check, the
// fix under a failure or warning, then a summary line. ASCII only, so it
// reads on a console font without box-drawing glyphs.
func WriteText(w io.Writer, r *Report) error {
	var b strings.Builder
	const indent = "       "
	for _, c := range r.Checks {
		detail := c.Detail
		if c.Status == Skip {
			// "[skip] dns: skipped: ..." says it twice; JSON keeps the word.
			detail = strings.TrimPrefix(detail, "skipped: ")
		}
		// Details quote what DCs, DNS and DS answered (names, errors):
		// text output draws them without escape sequences (termsafe).
		b.WriteString(wrap(labels[c.Status]+" ", termsafe.Line(c.Name+": "+detail), Width, indent))
		if c.Fix != "" && (c.Status == Fail || c.Status == Warn) {
			b.WriteString(wrap(indent+"fix: ", termsafe.Line(c.Fix), Width, indent+"     "))
		}
	}
	counts := map[Status]int{}
	for _, c := range r.Checks {
		counts[c.Status]++
	}
	summary := fmt.Sprintf("%d ok, %d failed, %d warnings, %d skipped", counts[OK], counts[Fail], counts[Warn], counts[Skip])
	if r.OK {
		summary += ": no problem found"
	} else {
		summary += ": fix the failures in order; a later check often fails because of an earlier one"
	}
	b.WriteString("\n" + wrap("", summary, Width, ""))
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON prints the report as one JSON object for scripts.
func WriteJSON(w io.Writer, r *Report) error {
	out := *r
	if out.Checks == nil {
		out.Checks = []Check{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// wrap breaks prefix+s into lines of at most width columns at spaces;
// continuation lines start with indent. A word longer than a line (a path)
// stays whole.
func wrap(prefix, s string, width int, indent string) string {
	var b strings.Builder
	line := prefix
	for _, word := range strings.Fields(s) {
		switch {
		case line == prefix || line == indent:
			line += word
		case len(line)+1+len(word) > width:
			b.WriteString(line + "\n")
			line = indent + word
		default:
			line += " " + word
		}
	}
	b.WriteString(line + "\n")
	return b.String()
}
