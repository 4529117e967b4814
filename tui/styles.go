package tui

import (
	"github.com/imageinvoker/imageinvoker/internal/config"
	"io"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Look is how the console is drawn.
type Look int

const (
	// Styled uses colour and box-drawing glyphs.
	Styled Look = iota
	// ASCII uses neither: WinPE's console fonts often lack box glyphs, and
	// serial/VGA consoles of Linux automation initrds may have no colour.
	ASCII
)

// ChooseLook picks the look from the --ascii flag, the look.style setting
// and the environment. An explicit style wins; "auto" falls back to ASCII
// for NO_COLOR and for terminals known to lack glyphs or colour.
func ChooseLook(asciiFlag bool, style config.LookStyle, getenv func(string) string) Look {
	switch {
	case asciiFlag, style == config.LookASCII:
		return ASCII
	case style == config.LookStyled:
		return Styled
	}
	if getenv("NO_COLOR") != "" {
		return ASCII
	}
	switch strings.ToLower(getenv("TERM")) {
	case "dumb", "linux", "vt100", "vt102", "vt220", "":
		return ASCII
	}
	return Styled
}

// styles are every style of the console, in one place.
type styles struct {
	look      Look
	title     lipgloss.Style
	status    lipgloss.Style
	rule      string // one character repeated for the rule under the header
	body      lipgloss.Style
	muted     lipgloss.Style
	selected  lipgloss.Style
	folder    lipgloss.Style
	errorText lipgloss.Style
	warning   lipgloss.Style
	danger    lipgloss.Style
	ok        lipgloss.Style
	key       lipgloss.Style
	label     lipgloss.Style
	vbar      string // between the menu list and the description
	dot       string // between footer keys
	alarm     string // before a danger line in the ASCII look, where no colour marks it
	cursor    string // marks the selected row
	sep       string // between breadcrumbs
	bullet    string
}

// newStyles builds the styles on a renderer bound to out. The ASCII look
// forces the Ascii colour profile so no escape sequence reaches the console.
func newStyles(look Look, out io.Writer, profile termenv.Profile) *styles {
	r := lipgloss.NewRenderer(out)
	if look == ASCII {
		profile = termenv.Ascii
	}
	r.SetColorProfile(profile)
	r.SetHasDarkBackground(true)
	s := &styles{look: look}
	plain := r.NewStyle()
	if look == ASCII {
		s.title, s.status, s.body, s.muted = plain, plain, plain, plain
		s.selected, s.folder, s.errorText, s.warning = plain, plain, plain, plain
		s.danger, s.ok, s.key, s.label = plain, plain, plain, plain
		s.rule, s.cursor, s.sep, s.bullet, s.vbar = "-", "> ", " > ", "*", "| "
		s.dot, s.alarm = "   ", "!! "
		return s
	}
	s.title = plain.Bold(true).Foreground(lipgloss.Color("#FFFFFF")).Background(lipgloss.Color("#1F5FAF"))
	s.status = plain.Foreground(lipgloss.Color("#AFD7FF"))
	s.body = plain
	s.muted = plain.Foreground(lipgloss.Color("#8A8A8A"))
	s.selected = plain.Bold(true).Foreground(lipgloss.Color("#000000")).Background(lipgloss.Color("#5FD7FF"))
	s.folder = plain.Bold(true).Foreground(lipgloss.Color("#5FAFFF"))
	s.errorText = plain.Bold(true).Foreground(lipgloss.Color("#FF5F5F"))
	s.warning = plain.Bold(true).Foreground(lipgloss.Color("#FFAF00"))
	s.danger = plain.Bold(true).Foreground(lipgloss.Color("#FFFFFF")).Background(lipgloss.Color("#AF0000"))
	s.ok = plain.Bold(true).Foreground(lipgloss.Color("#5FD75F"))
	s.key = plain.Bold(true).Foreground(lipgloss.Color("#5FD7FF"))
	s.label = plain.Foreground(lipgloss.Color("#8A8A8A"))
	s.rule, s.cursor, s.sep, s.bullet, s.vbar = "─", "▸ ", " › ", "•", s.muted.Render("│")+" "
	s.dot = s.muted.Render(" · ")
	return s
}
