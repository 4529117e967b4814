package config

import _ "embed"

// Sample is the documented sample configuration: every setting with its
// default or an example, its flag and its environment variable. Image
// builders start from it (`imageinvoker config sample`), and tests keep it
// in step with Config and Settings.
//
//go:embed sample.yaml
var Sample []byte
