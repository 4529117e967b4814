package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
)

// keyMap is the one keymap of the console: every key a screen matches is
// one of these, or one of these relabelled in that screen's words, and the
// screen's footer and ? help are built from the very bindings it matches.
// Screens with a text field (sign-in, the menu filter, type-to-confirm) use
// only the bindings that cannot be typed — arrows, Enter, Tab, Esc, Ctrl
// keys — so j/k/h/l/g/G/q/y/n and ? stay letters there.
type keyMap struct {
	Quit     key.Binding // Ctrl+C: always, exit 130
	QuitMenu key.Binding // q where no text field is focused
	Help     key.Binding
	Up       key.Binding
	Down     key.Binding
	Top      key.Binding
	Bottom   key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Open     key.Binding // Enter / l / right on a list
	Back     key.Binding // Esc / Backspace / h / left on a list
	Filter   key.Binding
	Submit   key.Binding // Enter in a form
	Cancel   key.Binding // Esc in a form or a working step
	NextFld  key.Binding
	PrevFld  key.Binding
	Yes      key.Binding
	No       key.Binding
	Retry    key.Binding
	Stay     key.Binding
	// Text-field variants: only keys that cannot be typed.
	FieldUp   key.Binding
	FieldDown key.Binding
}

func newKeyMap() keyMap {
	return keyMap{
		Quit:      key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		QuitMenu:  key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Up:        key.NewBinding(key.WithKeys("up", "k", "ctrl+p"), key.WithHelp("↑/k", "up")),
		Down:      key.NewBinding(key.WithKeys("down", "j", "ctrl+n"), key.WithHelp("↓/j", "down")),
		Top:       key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "top")),
		Bottom:    key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "bottom")),
		PageUp:    key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDown:  key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),
		Open:      key.NewBinding(key.WithKeys("enter", "l", "right"), key.WithHelp("enter", "open")),
		Back:      key.NewBinding(key.WithKeys("esc", "backspace", "h", "left"), key.WithHelp("esc", "back")),
		Filter:    key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Submit:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "ok")),
		Cancel:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		NextFld:   key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab", "next field")),
		PrevFld:   key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab", "previous field")),
		Yes:       key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "queue it")),
		No:        key.NewBinding(key.WithKeys("n", "N", "esc"), key.WithHelp("n/esc", "back")),
		Retry:     key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "look again")),
		Stay:      key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "stay")),
		FieldUp:   key.NewBinding(key.WithKeys("up", "ctrl+p"), key.WithHelp("↑", "up")),
		FieldDown: key.NewBinding(key.WithKeys("down", "ctrl+n"), key.WithHelp("↓", "down")),
	}
}

// relabel is b as one screen says it: the same keys, that screen's words.
// A screen matches the relabelled binding, so its footer cannot drift from
// what the keys do there.
func relabel(b key.Binding, keys, desc string) key.Binding {
	b.SetHelp(keys, desc)
	return b
}

// together is one footer item for bindings matched one by one ("↑/↓ move"
// for up and down); its keys are theirs, so the full help lists them all.
func together(keys, desc string, bs ...key.Binding) key.Binding {
	var ks []string
	for _, b := range bs {
		ks = append(ks, b.Keys()...)
	}
	return key.NewBinding(key.WithKeys(ks...), key.WithHelp(keys, desc))
}

// asciiHelp spells arrows out for consoles without the glyphs.
func asciiHelp(s string) string {
	r := strings.NewReplacer("↑", "up", "↓", "down", "←", "left", "→", "right")
	return r.Replace(s)
}

// helpBinding is a line of the footer or the full help: keys and what they do.
func helpBinding(b key.Binding, look Look) (string, string) {
	h := b.Help()
	k := h.Key
	if look == ASCII {
		k = asciiHelp(k)
	}
	return k, h.Desc
}
