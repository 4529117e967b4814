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
