package doctor

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/imageinvoker/imageinvoker/internal/termsafe"
	"github.com/imageinvoker/imageinvoker/pkg/express"
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
	writeIdentity(&b, r)
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
	if r.Schema != nil {
		writeSchema(&b, r.Schema)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeSchema prints discovery's mapping, one table a line: what an
// administrator sends back when a real DS database differs from ours.
func writeSchema(b *strings.Builder, sc *express.Schema) {
	b.WriteString("\neXpress schema mapping (" + sc.Dialect + "; docs/ds-schema.md):\n")
	for _, t := range sc.Tables {
		name := t.Name
		if name == "" {
			name = "NOT FOUND"
			if len(t.Tried) > 0 {
				name += " (tried " + strings.Join(t.Tried, ", ") + ")"
			}
		}
		var cols []string
		for _, c := range t.Columns {
			switch {
			case c.Name == "" && c.Optional:
				cols = append(cols, c.Key+"=none")
			case c.Name == "":
				cols = append(cols, c.Key+"=MISSING")
			case c.Name != c.Key:
				cols = append(cols, c.Key+"="+c.Name)
			default:
				cols = append(cols, c.Name)
			}
		}
		// Names come from the database's catalogue: data, never terminal control.
		b.WriteString(wrap("  ", termsafe.Line(fmt.Sprintf("%s -> %s [%s]: %s", t.Key, name, t.Evidence, strings.Join(cols, ", "))), Width, "      "))
		if t.Note != "" {
			b.WriteString(wrap("      ", t.Note, Width, "      "))
		}
		for _, c := range t.Columns {
			if c.Note != "" && t.Name != "" {
				b.WriteString(wrap("      ", c.Key+": "+c.Note, Width, "      "))
			}
		}
	}
	if sc.Dialect == express.DialectSQLite {
		b.WriteString(wrap("  ", "DS's procedures: none (they exist only in a SQL Server eXpress database)", Width, "      "))
	}
	for _, p := range sc.Procedures {
		if sc.Dialect == express.DialectSQLite {
			break
		}
		state := "not callable"
		if p.Found {
			state = "callable"
		}
		b.WriteString(wrap("  ", fmt.Sprintf("%s: %s (%s)", p.Name, state, p.Use), Width, "      "))
	}
	st := "inferred: on when DS has console users or groups"
	if sc.Security.Known {
		st = "off, says wc_sel_security_state"
		if sc.Security.On {
			st = "on, says wc_sel_security_state"
		}
	}
	b.WriteString(wrap("  ", "console security: "+st, Width, "      "))
	if sc.Security.Warning != "" {
		b.WriteString(wrap("  ", "WARNING: "+sc.Security.Warning, Width, "      "))
	}
	b.WriteString(wrap("  ", "Administrative right: "+rightsText(sc), Width, "      "))
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

// rightsText says how the store learns who holds the Administrative right.
func rightsText(sc *express.Schema) string {
	switch sc.RightsSource() {
	case express.RightsTable:
		for _, t := range sc.Tables {
			if t.Key == "rights" {
				return "read from " + t.Name
			}
		}
		return "read from the rights table"
	case express.RightsProcedure:
		return "asked of DS's wc_sel_security_right (no rights table is visible)"
	}
	return "cannot be read here (no rights table, and DS's wc_sel_security_right cannot be called): nobody counts as holding it, permissions alone decide (fail closed)"
}

// writeIdentity is the text report's head: the build first, then the
// config file's label and sha256 (what a site reports back first).
func writeIdentity(b *strings.Builder, r *Report) {
	if r.Version != "" {
		b.WriteString(wrap("", "imageinvoker "+r.Version, Width, "  "))
	}
	if r.Label != "" {
		b.WriteString(wrap("", "config label: "+termsafe.Line(r.Label), Width, "  "))
	}
	if r.ConfigSHA256 != "" {
		b.WriteString(wrap("", "config sha256: "+r.ConfigSHA256, Width, "  "))
	}
	if b.Len() > 0 {
		b.WriteString("\n")
	}
}
