package cmdutil

import (
	"encoding/json"
	"io"
)

// WriteJSON prints v as indented JSON, as every --json does.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// Print prints v with asJSON when json (--json) is set, else with text.
func Print[T any](w io.Writer, json bool, v T, asJSON, text func(io.Writer, T) error) error {
	if json {
		return asJSON(w, v)
	}
	return text(w, v)
}
