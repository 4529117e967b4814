package tui

import (
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/x/ansi"
)

// View draws the frame — title, status line, the screen, the keys — and
// clips it to the terminal, so nothing is ever wider or taller than it.
func (m *Model) View() string {
	if m.done {
		return ""
	}
	cur := m.screens[m.state]
	w, h := m.bodySize()
	var body, footer string
	if m.showHelp {
		body = m.st.fullHelp(append(cur.FullHelp(), []key.Binding{m.keys.Quit}), w)
		if m.o.Version != "" {
			// Which build is on this boot image: what a site reports first.
			body += "\n  " + truncate("ImageInvoker "+m.o.Version, w-2) + "\n"
		}
		footer = truncate(m.st.muted.Render("any key: close help"), w)
	} else {
		body = cur.view(w, h)
		footer = m.st.footer(cur.ShortHelp(), w)
	}
	lines := fit(body, w, h)
	if idle := m.idleLine(); idle != "" {
		lines[len(lines)-1] = truncate(m.st.warning.Render(idle), w)
	}
	var b strings.Builder
	b.Grow((w + 16) * m.height)
	b.WriteString(m.st.header(cur.name(), w))
	b.WriteString("\n" + m.st.status.Render(truncate(m.statusLine(), w)))
	b.WriteString("\n" + m.st.rules(w) + "\n")
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	b.WriteString(footer)
	return b.String()
}

// header is the title bar of a screen called name.
func (st *styles) header(name string, w int) string {
	if st.look == ASCII {
		return truncate("ImageInvoker - "+name, w)
	}
	return st.title.Render(padRight(truncate(" ImageInvoker · "+name, w), w))
}

// rules is the rule under the header, w cells wide.
func (st *styles) rules(w int) string {
	return st.muted.Render(strings.Repeat(st.rule, w))
}

// idleLine is the countdown shown in the idle timeout's last 30 seconds.
func (m *Model) idleLine() string {
	if !m.screens[m.state].waits() {
		return ""
	}
	left := m.idleLeft(m.now())
	if left > 30*time.Second {
		return ""
	}
	secs := int((max(left, 0) + time.Second - 1) / time.Second)
	return "  Idle: " + idleWords(m.o.IdleAction) + " in " + strconv.Itoa(secs) + " s. Press any key to stay."
}

// footer shows a screen's short help — the keys that work there — as many
// as fit in w cells.
func (st *styles) footer(bs []key.Binding, w int) string {
	var parts []string
	used := 0
	for _, b := range bs {
		k, d := helpBinding(b, st.look)
		n := ansi.StringWidth(k) + 1 + ansi.StringWidth(d) + 3
		if used+n > w {
			break
		}
		used += n
		parts = append(parts, st.key.Render(k)+" "+st.muted.Render(d))
	}
	return strings.Join(parts, st.dot)
}

// fullHelp is the ? help: a screen's full help, every key it matches, and
// last the keys that always work.
func (st *styles) fullHelp(groups [][]key.Binding, w int) string {
	var b strings.Builder
	b.WriteString("\n  " + st.label.Render("Keys on this screen") + "\n\n")
	seen := map[string]bool{}
	for i, g := range groups {
		var lines []string
		for _, kb := range g {
			k, d := helpBinding(kb, st.look)
			if seen[k+d] {
				continue
			}
			seen[k+d] = true
			keys := strings.Join(kb.Keys(), ", ")
			if st.look == ASCII {
				keys = asciiHelp(keys)
			}
			lines = append(lines, "  "+st.key.Render(padRight(truncate(keys, 24), 24))+" "+truncate(d, w-28)+"\n")
		}
		// The heading only over keys of its own: every key that always
		// works may already be listed with the screen's.
		if i == len(groups)-1 && len(lines) > 0 {
			b.WriteString("\n  " + st.label.Render("Always") + "\n\n")
		}
		b.WriteString(strings.Join(lines, ""))
	}
	b.WriteString("\n  Text fields take every printable key, so letters like j, k and q\n  are typed there; use the arrow keys, Enter, Tab and Esc.\n")
	return b.String()
}

// wrapped writes s wrapped to w-4 cells, each line indented and in style.
func wrapped(b *strings.Builder, s string, w int, style func(...string) string) {
	for _, l := range wrap(s, w-4) {
		b.WriteString("  " + style(l) + "\n")
	}
}

// fit cuts s into exactly h lines of at most w cells.
func fit(s string, w, h int) []string {
	src := strings.Split(strings.TrimRight(s, "\n"), "\n")
	out := make([]string, h)
	for i := 0; i < h && i < len(src); i++ {
		out[i] = truncate(src[i], w)
	}
	return out
}

// truncate cuts s (which may hold escape sequences) to w cells.
func truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if ansi.StringWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "")
}

func padRight(s string, w int) string {
	if n := ansi.StringWidth(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}

// wrap breaks plain text into lines of at most w cells at spaces.
func wrap(s string, w int) []string {
	if w < 10 {
		w = 10
	}
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			for ansi.StringWidth(word) > w {
				if line != "" {
					out = append(out, line)
					line = ""
				}
				out = append(out, ansi.Truncate(word, w, ""))
				word = string([]rune(word)[len([]rune(ansi.Truncate(word, w, ""))):])
			}
			switch {
			case line == "":
				line = word
			case ansi.StringWidth(line)+1+ansi.StringWidth(word) <= w:
				line += " " + word
			default:
				out = append(out, line)
				line = word
			}
		}
		out = append(out, line)
	}
	return out
}

// joinColumns puts right beside left (each left line padded to leftW), with bar between.
func joinColumns(left []string, leftW int, bar string, rl []string, h int) string {
	var b strings.Builder
	for i := 0; i < h; i++ {
		l := ""
		if i < len(left) {
			l = left[i]
		}
		b.WriteString(padRight(l, leftW) + " " + bar)
		if i < len(rl) {
			b.WriteString(rl[i])
		}
		b.WriteString("\n")
	}
	return b.String()
}

func itoa(n int) string { return strconv.Itoa(n) }

// plain is text drawn as it is, where a style would go.
func plain(s ...string) string { return strings.Join(s, " ") }
