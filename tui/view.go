package tui

import (
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/x/ansi"
)

const (
	headerLines = 3 // title, status line, rule
	footerLines = 1
)

var screenNames = map[state]string{
	stateMachine: "This machine", stateSignIn: "Sign in", stateWorking: "Working",
	stateMenu: "Jobs", stateConfirm: "Confirm", stateQueued: "Queued", stateError: "Error",
}

func (m *Model) bodySize() (int, int) {
	return m.width, max(m.height-headerLines-footerLines, 1)
}

// View draws the frame — title, status line, the screen, the keys — and
// clips it to the terminal, so nothing is ever wider or taller than it.
func (m *Model) View() string {
	if m.done {
		return ""
	}
	w, h := m.bodySize()
	var body string
	if m.showHelp {
		body = m.viewHelp(w)
	} else {
		body = m.viewBody(w, h)
	}
	lines := fit(body, w, h)
	if idle := m.idleLine(); idle != "" {
		lines[len(lines)-1] = truncate(m.st.warning.Render(idle), w)
	}
	var b strings.Builder
	b.Grow((w + 16) * m.height)
	title := "ImageInvoker - " + screenNames[m.state]
	if m.st.look == ASCII {
		b.WriteString(truncate(title, w))
	} else {
		b.WriteString(m.st.title.Render(padRight(truncate(" ImageInvoker · "+screenNames[m.state], w), w)))
	}
	b.WriteString("\n" + m.st.status.Render(truncate(m.statusLine(), w)))
	b.WriteString("\n" + m.st.muted.Render(strings.Repeat(m.st.rule, w)) + "\n")
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	b.WriteString(m.footer(w))
	return b.String()
}

func (m *Model) viewBody(w, h int) string {
	switch m.state {
	case stateMachine:
		return m.viewMachine(w, h)
	case stateSignIn:
		return m.viewSignIn(w, h)
	case stateWorking:
		return m.viewWorking(w, h)
	case stateMenu:
		return m.viewMenu(w, h)
	case stateConfirm:
		return m.viewConfirm(w, h)
	case stateQueued:
		return m.viewQueued(w, h)
	case stateError:
		return m.viewError(w, h)
	}
	return ""
}

// idleLine is the countdown shown in the idle timeout's last 30 seconds.
func (m *Model) idleLine() string {
	if !m.idleWaits() {
		return ""
	}
	left := m.idleLeft(m.now())
	if left > 30*time.Second {
		return ""
	}
	secs := int((max(left, 0) + time.Second - 1) / time.Second)
	return "  Idle: " + idleWords(m.o.IdleAction) + " in " + strconv.Itoa(secs) + " s. Press any key to stay."
}

func (m *Model) bindings() []key.Binding {
	switch m.state {
	case stateMachine:
		return m.keysMachine()
	case stateSignIn:
		return m.keysSignIn()
	case stateWorking:
		return m.keysWorking()
	case stateMenu:
		return m.keysMenu()
	case stateConfirm:
		return m.keysConfirm()
	case stateQueued:
		return m.keysQueued()
	case stateError:
		return m.keysError()
	}
	return nil
}

// footer shows the keys that work on this screen, as many as fit.
func (m *Model) footer(w int) string {
	if m.showHelp {
		return truncate(m.st.muted.Render("any key: close help"), w)
	}
	var parts []string
	used := 0
	for _, b := range m.bindings() {
		k, d := helpBinding(b, m.st.look)
		n := ansi.StringWidth(k) + 1 + ansi.StringWidth(d) + 3
		if used+n > w {
			break
		}
		used += n
		parts = append(parts, m.st.key.Render(k)+" "+m.st.muted.Render(d))
	}
	return strings.Join(parts, m.st.dot)
}

// viewHelp is the full help: every key of this screen, and the ones that always work.
func (m *Model) viewHelp(w int) string {
	var b strings.Builder
	b.WriteString("\n  " + m.st.label.Render("Keys on this screen") + "\n\n")
	seen := map[string]bool{}
	add := func(bs ...key.Binding) {
		for _, kb := range bs {
			k, d := helpBinding(kb, m.st.look)
			if seen[k+d] {
				continue
			}
			seen[k+d] = true
			keys := strings.Join(kb.Keys(), ", ")
			if m.st.look == ASCII {
				keys = asciiHelp(keys)
			}
			b.WriteString("  " + m.st.key.Render(padRight(truncate(keys, 24), 24)) + " " + truncate(d, w-28) + "\n")
		}
	}
	add(m.bindings()...)
	if m.state == stateMenu && !m.menu.filtering {
		add(m.keys.PageUp, m.keys.PageDown, m.keys.Top, m.keys.Bottom)
	}
	b.WriteString("\n  " + m.st.label.Render("Always") + "\n\n")
	add(m.keys.Quit)
	b.WriteString("\n  Text fields take every printable key, so letters like j, k and q\n  are typed there; use the arrow keys, Enter, Tab and Esc.\n")
	return b.String()
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
