package config

import (
	"fmt"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// FolderNames maps DS job folder ids to the names the menu shows.
type FolderNames map[int64]string

// UnmarshalYAML decodes the mapping in one pass. yaml.v3's own map
// decoding checks every key against every other for duplicates, which is
// quadratic: a generated file with 200,000 folder names took over a minute
// to load. Duplicates are found here with a set instead.
func (f *FolderNames) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		*f = nil
		return nil
	}
	if n.Kind != yaml.MappingNode {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: menu.folder_names: needs a section of \"folder id: name\" lines", n.Line)}}
	}
	out := make(FolderNames, len(n.Content)/2)
	var errs []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		id, err := strconv.ParseInt(k.Value, 10, 64)
		if k.Kind != yaml.ScalarNode || err != nil {
			errs = append(errs, fmt.Sprintf("line %d: menu.folder_names: the key is not a DS job folder id (a number like 1000005)", k.Line))
			continue
		}
		if _, dup := out[id]; dup {
			errs = append(errs, fmt.Sprintf("line %d: menu.folder_names: folder id %d appears twice", k.Line, id))
			continue
		}
		if v.Kind != yaml.ScalarNode {
			errs = append(errs, fmt.Sprintf("line %d: menu.folder_names: the name of folder %d needs a single value", v.Line, id))
			continue
		}
		out[id] = v.Value
	}
	if len(errs) > 0 {
		return &yaml.TypeError{Errors: errs}
	}
	*f = out
	return nil
}
