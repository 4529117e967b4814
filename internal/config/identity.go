package config

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
)

// SHA256 is the sha256 of the config file the settings came from (hex),
// or "" when there is none or it cannot be read: with the label, it tells
// which revision of the settings a boot image carries (config show,
// doctor, the log). The central file is not in it: it changes apart from
// the media, and config show names it.
func (c *Config) SHA256() string {
	if c == nil || c.Source == "" {
		return ""
	}
	return FileSHA256(c.Source)
}

// FileSHA256 is the sha256 of a file (hex), "" when it cannot be read.
func FileSHA256(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
