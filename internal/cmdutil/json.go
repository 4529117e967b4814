package cmdutil

import (
	"encoding/json"
	"io"

	"github.com/imageinvoker/imageinvoker/pkg/menu"
	"github.com/imageinvoker/imageinvoker/pkg/model"
)

// WriteJSON prints v as indented JSON, as every --json does.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// JobJSON is a job in every --json that names one (run, menu, explain):
// one vocabulary, so a script reads the three alike.
type JobJSON struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// Path is the display path of the job's menu folder: "" at the top of
	// the menu, and for a job that is not on it (explain).
	Path string `json:"path"`
	// ErasesDisk is menu.Effects' answer: the job destroys the disk.
	ErasesDisk bool `json:"erases_disk"`
}

// JobOf is the menu entry e in --json.
func JobOf(e menu.Entry) JobJSON {
	return JobJSON{ID: e.ID, Name: e.Name, Path: e.Path, ErasesDisk: e.Effects().ErasesDisk}
}

// ComputerJSON is a DS computer in every --json that names the one a
// command worked on (run, menu).
type ComputerJSON struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// ComputerOf is c in --json.
func ComputerOf(c model.Computer) ComputerJSON {
	return ComputerJSON{ID: c.ID, Name: c.Name}
}
